"""What a Bot Framework activity must look like before the SDK and the bot see it.

Read in two steps around authentication: `read` before it (the SDK needs an `Activity` to authenticate, and
a body that is not one must get 400, not a 500), `check` after it (so an unauthenticated caller learns
nothing from the field checks and still gets 401). A well-formed activity that the bot does not handle is
`Ignored` and answered 200 without the SDK: an unknown invoke name would otherwise get 501.

A NUL character is dropped from every string as the body is read: nobody can see one, no Teams client sends one,
and PostgreSQL stores none in text (a note or a display name holding one failed the whole turn there).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botbuilder.schema import Activity
from botbuilder.schema.teams import TeamsChannelData

from adapters.inbound import Malformed, kind, list_at, object_at, parse_json, shown, text_at, utf8

CARD_ACTION = "adaptiveCard/action"
# The message action "Report as crisis signal" (app package `composeExtensions`): Teams asks for its dialog.
MESSAGE_ACTION = "composeExtension/fetchTask"
# The activity types the bot does something with; the SDK does nothing with the others but answer 200.
HANDLED = ("message", "invoke", "conversationUpdate", "installationUpdate")


@dataclass(frozen=True)
class Ignored:
    reason: str


def read(body: bytes) -> tuple[dict[str, Any], Activity]:
    """The activity as JSON and as the SDK's object, or Malformed."""
    text = utf8(body)
    # JSON carries a NUL only as an escape; a raw one is invalid JSON and refused by the parser.
    raw = _without_nul(parse_json(text)) if "\\u0000" in text else parse_json(text)
    if not isinstance(raw, dict):
        raise Malformed(f"an activity must be a JSON object, not {kind(raw)}")
    text_at(raw, "type")
    try:
        activity = Activity().deserialize(raw)
    except (ValueError, TypeError, AttributeError, KeyError) as error:
        raise Malformed(f"not a Bot Framework activity ({type(error).__name__})") from None
    return raw, activity


def _without_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {_without_nul(key): _without_nul(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_nul(item) for item in value]
    return value


def check(raw: dict[str, Any]) -> Ignored | None:
    """None when the bot handles the activity; Ignored when it has nothing to do with it; Malformed when the
    fields the bot and the SDK read are missing or of the wrong type."""
    activity_type = raw["type"]
    text_at(raw, "name", required=False)
    if activity_type not in HANDLED:
        return Ignored(f"an activity of type {shown(activity_type)}")
    if activity_type == "invoke" and raw.get("name") not in (CARD_ACTION, MESSAGE_ACTION):
        return Ignored(f"an invoke named {shown(raw.get('name'))}")
    for path in ("from.id", "conversation.id", "recipient.id"):
        text_at(raw, path)
    service_url = text_at(raw, "serviceUrl") or ""
    if not service_url.startswith(("https://", "http://")):
        raise Malformed(f"`serviceUrl` must be an http(s) URL, not {shown(service_url)}")
    for path in ("id", "name", "text", "locale", "localTimezone", "replyToId", "channelId", "from.name",
                 "from.aadObjectId", "conversation.conversationType", "recipient.name"):
        text_at(raw, path, required=False)
    if raw.get("name") == MESSAGE_ACTION:
        for path in ("value.commandId", "value.messagePayload.body.content", "value.messagePayload.linkToMessage"):
            text_at(raw, path, required=False)
    for entity in list_at(raw, "entities"):
        if not isinstance(entity, dict):
            raise Malformed(f"an entity must be an object, not {kind(entity)}")
        if text_at(entity, "type", required=False) == "mention":
            object_at(entity, "mentioned", required=False)
            for path in ("text", "mentioned.id", "mentioned.name", "mentioned.aadObjectId"):
                text_at(entity, path, required=False)
    for member in list_at(raw, "membersAdded") + list_at(raw, "membersRemoved"):
        text_at(member, "id")
    _channel_data(raw)
    return None


def _channel_data(raw: dict[str, Any]) -> None:
    """The SDK reads Teams' channelData into its own model on conversation updates; a bad one raises there."""
    # Required where the SDK reads it unconditionally: a Teams conversation update.
    required = raw["type"] == "conversationUpdate" and raw.get("channelId") == "msteams"
    data = object_at(raw, "channelData", required=required)
    if data is None:
        return
    for path in ("eventType", "team.id", "team.name", "channel.id", "channel.name", "tenant.id"):
        text_at(data, path, required=False)
    try:
        TeamsChannelData().deserialize(data)
    except (ValueError, TypeError, AttributeError, KeyError) as error:
        raise Malformed(f"`channelData` is not Teams channel data ({type(error).__name__})") from None
