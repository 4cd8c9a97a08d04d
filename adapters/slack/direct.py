"""Slash commands, clicks and form submissions handed straight to their listener, without Bolt's dispatch.

With one workspace and one bot token, Bolt adds nothing to these three: the route has already verified the
signature and read the body strictly (`adapters.slack.inbound`), which also decides which listener takes it; and
Bolt's dispatch (its middleware chain, listener matching by signature inspection, a new Web API client for each
request) cost about a quarter of the server's event loop under a burst, time taken from the acknowledgements.
The listeners are the same `SlackDoor` methods Bolt calls, with Bolt's own `ack`, so the answer Slack gets is
the same. Events (`app_mention`, URL verification) and every request in multi-workspace (OAuth) mode still go
through Bolt, whose authorization finds each workspace's token.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.response import BoltResponse

from adapters.slack.app import SlackDoor

log = logging.getLogger("crisisbot.slack")


def takes_directly(door: SlackDoor, payload: dict[str, Any]) -> bool:
    """True for what `dispatch` answers; everything else goes to Bolt."""
    if door.config.oauth:
        return False
    return "command" in payload or payload.get("type") in ("block_actions", "view_submission")


async def dispatch(door: SlackDoor, payload: dict[str, Any]) -> BoltResponse:
    """Runs the listener for a payload `takes_directly` accepted (and `inbound.check` let through)."""
    ack = AsyncAck()  # type: ignore[no-untyped-call]  # untyped in slack_bolt
    try:
        if "command" in payload:
            await door.on_command(ack, payload, door.client)
        elif payload["type"] == "block_actions":
            await door.on_action(ack, payload, payload["actions"][0], door.client)
        else:
            await door.on_view(ack, payload, payload["view"], door.client)
    except Exception:
        # As Bolt does: logged; a request not yet acknowledged gets a 500, and Slack tells the person it failed.
        log.exception("a Slack listener failed")
        if ack.response is None:
            return BoltResponse(status=500, body="")
    return ack.response or BoltResponse(status=200, body="")
