"""What people call a Teams conversation ("Teams › Contoso › Crisis room"), for timeline facts that name it.

Teams tells names only sometimes: a team's and channel's names in `channelData`, a group chat's topic as the
conversation's name. What it does not tell is said in general words, never as an id.
"""

from __future__ import annotations

from typing import Any

from botbuilder.schema import Activity

from bot.i18n import Translator

SEPARATOR = " › "


def place_name(activity: Activity, t: Translator) -> str:
    conversation = activity.conversation
    data: dict[str, Any] = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    kind = (getattr(conversation, "conversation_type", None) or "").lower()
    own = _name(getattr(conversation, "name", None))
    if kind == "channel":
        team = _name((data.get("team") or {}).get("name"))
        channel = _name((data.get("channel") or {}).get("name")) or own
        parts = [p for p in (team, channel) if p] or [t("a channel")]
    elif kind == "groupchat":
        parts = [own or t("a group chat")]
    else:
        parts = [t("a private chat")]
    return SEPARATOR.join(["Teams", *parts])


def _name(value: object) -> str | None:
    return " ".join(value.split()) or None if isinstance(value, str) else None
