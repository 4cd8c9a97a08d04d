"""Socket Mode: the same Bolt app, fed by a WebSocket Slack opens to us instead of HTTP requests (no public URL).

Envelopes are read as strictly as HTTP bodies (`adapters.slack.inbound`): a message that is not JSON, nests too
deep or is not an object is dropped, and an envelope whose payload fails the checks is acknowledged (so Slack
does not send it again) and dropped, each with one log line and no traceback, before Bolt sees it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from time import time
from typing import Any

from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.adapter.socket_mode.async_internals import send_async_response
from slack_bolt.adapter.socket_mode.internals import build_headers
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient

from adapters import metrics
from adapters.inbound import Malformed, kind, parse_json
from adapters.slack import inbound
from adapters.slack.app import SlackDoor

log = logging.getLogger("crisisbot.slack")


class CheckedClient(SocketModeClient):
    """Slack's Socket Mode client, reading each WebSocket message with a depth limit (the SDK's own parsing
    logs a traceback for a message that is not JSON, and overflows the stack on one nested deep enough)."""

    def __init__(self, app_token: str, logger: logging.Logger, web_client: AsyncWebClient) -> None:
        super().__init__(app_token=app_token, logger=logger, web_client=web_client)
        self.running: set[asyncio.Future[None]] = set()

    async def process_message(self) -> None:
        raw = await self.message_queue.get()
        if raw is None:
            return
        try:
            message = parse_json(raw, "the Socket Mode message")
            if not isinstance(message, dict):
                raise Malformed(f"the Socket Mode message must be a JSON object, not {kind(message)}")
        except Malformed as error:
            log.warning("dropped a malformed Socket Mode message: %s", error)
            return
        if "envelope_id" in message:
            envelope_id = message["envelope_id"]
            try:
                check_envelope(message)
            except Malformed as error:
                log.warning("dropped a malformed Socket Mode envelope: %s", error)
                if isinstance(envelope_id, str):  # acknowledged, or Slack would send it again as it was
                    await self.send_socket_mode_response(SocketModeResponse(envelope_id=envelope_id))
                return
        # As the SDK does: each message's listeners run on their own, so one slow request holds up no other;
        # held here until done, as the loop keeps only weak references to tasks.
        task = asyncio.ensure_future(self.run_message_listeners(message, raw))
        self.running.add(task)
        task.add_done_callback(self.running.discard)


class CheckedSocketModeHandler(AsyncSocketModeHandler):
    def __init__(self, door: SlackDoor, app_token: str) -> None:
        # Not the parent's constructor: it would make an unchecked client of its own.
        self.app = door.bolt
        self.app_token = app_token
        self.door = door
        self.client = CheckedClient(app_token=app_token, logger=door.bolt.logger, web_client=door.client)
        self.client.socket_mode_request_listeners.append(self.handle)  # type: ignore[arg-type]

    async def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        start = time()
        outcome = "ok"  # for the metrics: ignored envelopes are acknowledged as they should be
        try:
            bolt_request = checked(req)
        except Malformed as error:
            log.warning("dropped a malformed Socket Mode envelope: %s", error)
            bolt_request, outcome = None, "malformed"
        if bolt_request is None:
            # Acknowledged all the same: Slack would otherwise deliver it again, as malformed as before.
            await client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
            metrics.request_seen("slack", outcome, time() - start)
            return
        with self.door.work.acknowledgement():
            response = await self.app.async_dispatch(bolt_request)
        await send_async_response(client, req, response, start)
        metrics.request_seen("slack", metrics.outcome_of(response.status), time() - start)


def check_envelope(message: dict[str, Any]) -> None:
    """Malformed unless the envelope is one the SDK can read: an id and type as strings, an object as payload."""
    for key in ("envelope_id", "type"):
        if not isinstance(message.get(key), str):
            raise Malformed(f"`{key}` must be a string, not {kind(message.get(key))}")
    if not isinstance(message.get("payload"), dict):
        raise Malformed(f"`payload` must be a JSON object, not {kind(message.get('payload'))}")
    if message.get("retry_reason") is not None and not isinstance(message["retry_reason"], str):
        raise Malformed(f"`retry_reason` must be a string, not {kind(message['retry_reason'])}")


def checked(req: SocketModeRequest) -> AsyncBoltRequest | None:
    """The Bolt request of an envelope, None for one no listener takes, or Malformed."""
    payload = req.payload
    ignored = inbound.check(payload)
    if ignored is not None:
        log.info("ignored a Socket Mode envelope: no listener takes %s", ignored.reason)
        return None
    try:
        return AsyncBoltRequest(mode="socket_mode", body=payload, headers=build_headers(req))
    except (AttributeError, TypeError, KeyError, IndexError, ValueError) as error:
        raise Malformed(f"a field Bolt reads has the wrong type ({type(error).__name__})") from None


def socket_mode_context(door: SlackDoor) -> Callable[[web.Application], AsyncIterator[None]]:
    """An aiohttp cleanup context: connect when the server starts, disconnect when it stops."""

    async def connect(app: web.Application) -> AsyncIterator[None]:
        handler = CheckedSocketModeHandler(door, door.config.app_token)
        await handler.connect_async()  # type: ignore[no-untyped-call]  # untyped in slack_bolt
        log.info("slack: connected in Socket Mode")
        yield
        await handler.close_async()  # type: ignore[no-untyped-call]
        await door.work.drain()

    return connect
