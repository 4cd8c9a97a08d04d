"""Signed Slack requests built from the real payloads in tests/fixtures/slack (only ids, text and times change)."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import time
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "slack"
SIGNING_SECRET = "test-signing-secret-0123456789"


@cache
def _text(name: str) -> str:
    return (FIXTURES / name).read_text()


def _json(name: str) -> dict[str, Any]:
    return copy.deepcopy(json.loads(_text(name)))


def sign(body: str, timestamp: int | None = None, secret: str = SIGNING_SECRET) -> dict[str, str]:
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": f"v0={digest}"}


FORM = "application/x-www-form-urlencoded"


def slash_command(text: str, user: str = "W111", channel: str = "C111", trigger_id: str = "111.111.xxx",
                  response_url: str | None = None, channel_name: str | None = None) -> str:
    fields = dict(parse_qsl(_text("slack_slash_command.form.txt"), keep_blank_values=True))
    fields.update(command="/crisis", text=text, user_id=user, channel_id=channel, trigger_id=trigger_id)
    if channel_name is not None:
        fields["channel_name"] = channel_name
    if response_url:
        fields["response_url"] = response_url
    return urlencode(fields)


def slash_command_payload(text: str, user: str = "W111", channel: str = "C111",
                          trigger_id: str = "111.111.xxx") -> dict[str, str]:
    """The same command as Socket Mode delivers it: the form fields as a JSON object."""
    return dict(parse_qsl(slash_command(text, user, channel, trigger_id), keep_blank_values=True))


def block_action(action: dict[str, Any], user: str, channel: str, message_ts: str, action_ts: str,
                 trigger_id: str = "111.222.valid", response_url: str | None = None) -> str:
    payload = _json("slack_block_actions_button.json")
    payload["user"]["id"] = user
    payload["container"].update(message_ts=message_ts, channel_id=channel, is_ephemeral=False)
    payload["channel"]["id"] = channel
    payload["trigger_id"] = trigger_id
    if response_url:
        payload["response_url"] = response_url
    template = payload["actions"][0]
    payload["actions"] = [{**template, **action, "action_ts": action_ts}]
    return urlencode({"payload": json.dumps(payload)})


def button_click(element: dict[str, Any], user: str, channel: str, message_ts: str, action_ts: str,
                 block_id: str = "b") -> str:
    """A click on a button exactly as rendered in a message we posted (in the block `block_id`)."""
    action = {"action_id": element["action_id"], "block_id": block_id, "value": element["value"],
              "text": element["text"]}
    return block_action(action, user, channel, message_ts, action_ts)


def picker_choice(element: dict[str, Any], user: str, channel: str, message_ts: str, action_ts: str,
                  selected_user: str | None = None, selected_value: str | None = None, block_id: str = "b") -> str:
    action: dict[str, Any] = {"action_id": element["action_id"], "block_id": block_id, "type": element["type"]}
    action.pop("value", None)
    if selected_user:
        action["selected_user"] = selected_user
    else:
        action["selected_option"] = {"text": {"type": "plain_text", "text": selected_value}, "value": selected_value}
    body = json.loads(dict(parse_qsl(block_action(action, user, channel, message_ts, action_ts)))["payload"])
    for key in ("value", "text"):
        body["actions"][0].pop(key, None)
    return urlencode({"payload": json.dumps(body)})


def view_submission(view: dict[str, Any], values: dict[str, Any], user: str = "W111", view_id: str = "V111") -> str:
    """Submits a modal we opened (`view` as sent to views.open) with `values` {block_id: value}."""
    payload = _json("slack_view_submission.json")
    payload["user"]["id"] = user
    submitted = payload["view"]
    submitted.update(id=view_id, blocks=view["blocks"], callback_id=view["callback_id"],
                     private_metadata=view["private_metadata"], title=view["title"])
    state: dict[str, Any] = {}
    for block in view["blocks"]:
        block_id = block["block_id"]
        element = block["element"]
        value = values.get(block_id)
        if element["type"] == "static_select":
            chosen = {"text": {"type": "plain_text", "text": str(value)}, "value": str(value)} if value else None
            state[block_id] = {block_id: {"type": "static_select", "selected_option": chosen}}
        else:
            state[block_id] = {block_id: {"type": element["type"], "value": value}}
    submitted["state"] = {"values": state}
    return urlencode({"payload": json.dumps(payload)})


def app_mention(text: str, user: str = "W222", channel: str = "C111", event_id: str = "Ev111") -> str:
    body = _json("slack_event_callback_app_mention.json")
    body["event"].update(text=text, user=user, channel=channel)
    body["event_id"] = event_id
    body["event_time"] = int(time.time())
    return json.dumps(body)


def url_verification() -> str:
    return _text("slack_url_verification.json")
