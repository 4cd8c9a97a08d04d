"""What a signed Slack body must look like before Bolt and the listeners see it.

Slack signs whatever its client sends, and a leaked or reused secret signs anything, so a verified body is
still read strictly: parsed here with a depth limit, then the fields the listeners read are checked for
type. A body that fails is `Malformed` (400, one log line); a well-formed request that no listener takes
(another event type, another app's button) is `Ignored` (200, as Slack expects for what it delivered).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from adapters.inbound import Malformed, kind, list_at, object_at, parse_form, parse_json, shown, text_at, utf8
from adapters.slack import blocks, modals

# What the listeners in adapters/slack/app.py are registered for: a body none of them takes is Ignored here.
COMMAND = re.compile(r"^/crisis")
ACTION = re.compile(r"^crisis\.(run|ask|pick)\.")
VIEW = re.compile(rf"^(?:{re.escape(modals.OPEN_CALLBACK)}|{re.escape(modals.ASK_CALLBACK)})\Z")
# The message shortcut "Report as crisis signal" (manifest.yaml).
SIGNAL_SHORTCUT = "crisis_report_signal"
# Slack's user and conversation ids (U…, W…, C…, D…, G…): checked because they key caches and reach the grammar.
_ID = re.compile(r"[A-Z0-9]{1,40}")


@dataclass(frozen=True)
class Ignored:
    reason: str


def read(body: bytes, content_type: str) -> dict[str, Any]:
    """The request as a dict (as Bolt would build it, without its guesswork), or Malformed."""
    text = utf8(body)
    if content_type.split(";")[0].strip().lower() == "application/json" or text.lstrip().startswith("{"):
        payload = parse_json(text)
    else:
        fields = parse_form(text)
        payload = parse_json(fields["payload"], "`payload`") if "payload" in fields else fields
    if not isinstance(payload, dict):
        raise Malformed(f"the request must be a JSON object, not {kind(payload)}")
    return payload


def check(payload: dict[str, Any]) -> Ignored | None:
    """None when a listener takes the request; Ignored when none does; Malformed when it cannot be read."""
    if "command" in payload:
        return _command(payload)
    if "ssl_check" in payload:
        return Ignored("an SSL check")
    kind_ = text_at(payload, "type")
    if kind_ == "url_verification":
        text_at(payload, "challenge")
        return None
    if kind_ == "event_callback":
        return _event(payload)
    if kind_ == "block_actions":
        return _block_action(payload)
    if kind_ == "view_submission":
        return _view_submission(payload)
    if kind_ == "message_action":
        return _message_action(payload)
    return Ignored(f"a request of type {shown(kind_)}")


def slack_id(value: Any, path: str, required: bool = True, null: bool = True) -> None:
    found = text_at(value, path, required, null)
    if found and not _ID.fullmatch(found):
        raise Malformed(f"`{path}` is not a Slack id: {shown(found)}")


def _command(payload: dict[str, Any]) -> Ignored | None:
    name = text_at(payload, "command") or ""
    slack_id(payload, "user_id")
    slack_id(payload, "channel_id")
    text_at(payload, "trigger_id")
    text_at(payload, "text", required=False)
    text_at(payload, "response_url", required=False)
    return None if COMMAND.match(name) else Ignored(f"the command {shown(name)}")


def _event(payload: dict[str, Any]) -> Ignored | None:
    event_type = text_at(payload, "event.type")
    text_at(payload, "event_id", required=False)
    if event_type != "app_mention":
        return Ignored(f"an event of type {shown(event_type)}")
    if text_at(payload, "event.user", required=False):
        slack_id(payload, "event.user")
        slack_id(payload, "event.channel")
    text_at(payload, "event.text", required=False)
    return None


def _block_action(payload: dict[str, Any]) -> Ignored | None:
    slack_id(payload, "user.id")
    text_at(payload, "response_url", required=False)
    slack_id(payload, "channel.id", required=False)
    slack_id(payload, "container.channel_id", required=False, null=False)
    actions = list_at(payload, "actions")
    if not actions:
        raise Malformed("`actions` is missing")
    action = actions[0]
    if not isinstance(action, dict):
        raise Malformed(f"`actions.0` must be an object, not {kind(action)}")
    action_id = text_at(action, "action_id") or ""
    if not ACTION.match(action_id):
        return Ignored(f"the action {shown(action_id)}")
    text_at(action, "action_ts", required=False)
    text_at(action, "selected_option.value", required=False)
    slack_id(action, "selected_user", required=False)
    text_at(action, "text.text", required=False, null=False)
    value = text_at(action, "value", required=False, null=False) or ""
    if action_id.startswith(blocks.PICK):
        return None
    if value.startswith("{"):  # a button that asks a question first (blocks.button_command)
        asked = parse_json(value, "the button's value")
        if not isinstance(asked, dict):
            raise Malformed(f"the button's value must be a JSON object, not {kind(asked)}")
        text_at(asked, "command")
        if text_at(asked, "ask", required=False):
            text_at(payload, "trigger_id")
    return None


def _view_submission(payload: dict[str, Any]) -> Ignored | None:
    slack_id(payload, "user.id")
    callback_id = text_at(payload, "view.callback_id") or ""
    view_type = text_at(payload, "view.type")  # Bolt reads it unconditionally (workflow steps)
    if not VIEW.match(callback_id) or view_type != "modal":
        return Ignored(f"the view {shown(callback_id)} of type {shown(view_type)}")
    text_at(payload, "view.id", required=False)
    metadata = parse_json(text_at(payload, "view.private_metadata", required=False) or "{}", "the view's metadata")
    if not isinstance(metadata, dict):
        raise Malformed(f"the view's metadata must be a JSON object, not {kind(metadata)}")
    slack_id(metadata, "channel", required=False, null=False)
    text_at(metadata, "command", required=False, null=False)
    values = object_at(payload, "view.state.values", required=False, null=False) or {}
    for block_id in (modals.TITLE, modals.SEVERITY, modals.DESCRIPTION, modals.SOURCE, modals.ANSWER):
        # Each input's state sits at values[block_id][action_id], and our action ids are the block ids.
        block = object_at(values, block_id, required=False, null=False)
        state = object_at(block, block_id, required=False, null=False)
        text_at(state, "type", required=False)
        text_at(state, "value", required=False)
        text_at(state, "selected_option.value", required=False)
    return None


def _message_action(payload: dict[str, Any]) -> Ignored | None:
    callback_id = text_at(payload, "callback_id") or ""
    if callback_id != SIGNAL_SHORTCUT:
        return Ignored(f"the shortcut {shown(callback_id)}")
    slack_id(payload, "user.id")
    slack_id(payload, "channel.id")
    text_at(payload, "action_ts", required=False)
    text_at(payload, "response_url", required=False)
    text_at(payload, "team.domain", required=False)
    text_at(payload, "message.text", required=False)
    text_at(payload, "message.ts")
    return None
