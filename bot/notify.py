"""Who outside the crisis room hears of a crisis (CRISISBOT_NOTIFY), and what they read. Plans only: no I/O.

Executives and stakeholders get one message when a crisis opens at their severity, is raised to it, or
escalates (the first check-in escalation); the message says where the crisis stands and where it lives.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot import events as ev
from bot import views
from bot.config import Settings
from bot.describe import mention
from bot.i18n import N_, Translator
from bot.model import Conversation, Incident
from bot.replies import Reply

# How a conversation is linked in a message on platforms that have a native form; others show its id (name).
_LINKS = {"slack": "<#{id}>"}


@dataclass(frozen=True)
class Notice:
    """A message for one target: a person (direct message) or a channel (`channel`)."""

    target: str
    channel: bool
    reply: Reply


def targets(settings: Settings, severity: int) -> tuple[tuple[str, bool], ...]:
    """(id, is a channel) for the severity. An e-mail address is a person as typed: each door finds who has it."""
    return tuple(
        (target[1:], True) if target.startswith("#") else (target.removeprefix("@"), False)
        for target in settings.notify.get(severity, ())
    )


def addresses(settings: Settings) -> set[str]:
    """The e-mail addresses CRISISBOT_NOTIFY names, at any severity (a door learns them only when some are named)."""
    return {t for targets in settings.notify.values() for t in targets if not t.startswith(("@", "#"))}


def reason(event: ev.Event, settings: Settings) -> str | None:
    """Why this fact is worth telling the stakeholders, as a message id; None when it is not."""
    match event:
        case ev.IncidentOpened():
            return N_("A crisis was opened.")
        case ev.SeverityChanged(old, new) if new < old:
            return N_("A crisis was raised to severity {severity}.")
        # Once, at the first escalation: the room is already being chased after that.
        case ev.CheckInReminderSent(missed, escalated) if escalated and missed == settings.missed_checkins_before_escalation:
            return N_("A crisis escalated: its check-ins keep being missed.")
    return None


def room_link(conversation: Conversation | None) -> str:
    if conversation is None:
        return "-"
    return _LINKS.get(conversation.platform, "{id}").format(id=conversation.id)


def crisis_room(incident: Incident, platform: str) -> Conversation | None:
    """The conversation last linked on that platform: the dedicated room when one was opened."""
    here = [c for c in incident.places if c.platform == platform]
    return here[-1] if here else None


def state_line(incident: Incident, t: Translator) -> str:
    lead = incident.holder("lead")
    return t(
        "{key} · {title} · severity {severity} · {status} · lead {lead}",
        key=incident.key, title=incident.title, severity=views.severity_label(incident.severity, t),
        status=t(incident.status.value), lead=mention(lead) if lead else t("nobody"),
    )


def plan(incident: Incident, events: Sequence[ev.Event], settings: Settings, platform: str, t: Translator) -> list[Notice]:
    """The notices these facts call for on one platform, one per target even when several facts apply."""
    why = next((r for r in (reason(e, settings) for e in events) if r is not None), None)
    if why is None:
        return []
    room = crisis_room(incident, platform)
    text = "\n".join((
        t(why, severity=incident.severity),
        state_line(incident, t),
        t("Crisis channel: {link}", link=room_link(room)),
    ))
    reply = Reply(text=text, incident=incident.key)
    return [Notice(target, channel, reply) for target, channel in targets(settings, incident.severity)]
