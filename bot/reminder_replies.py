"""The neutral messages of check-in reminders and approval deadlines, written once for every door."""

from __future__ import annotations

from datetime import datetime

from bot import events as ev
from bot import promises, views
from bot.checkins import ApprovalDue, silence_since
from bot.describe import duration, mention
from bot.i18n import Translator
from bot.model import Incident
from bot.replies import Button, Card, Reply

SNOOZE_MINUTES = (15, 30, 60)


def _people(people: tuple[str, ...]) -> str:
    return " ".join(mention(p) for p in people)


def checkin_card(incident: Incident, t: Translator) -> Card:
    key = incident.key
    buttons = [Button(t("Post update"), f"{key} update", style="primary", ask=t("What changed?"))]
    buttons += [Button(t("Snooze {minutes} min", minutes=m), f"{key} snooze {m}") for m in SNOOZE_MINUTES]
    return Card(id=f"checkin:{key}", title=t("{key} · check-in", key=key), buttons=tuple(buttons))


def checkin_reminder(
    incident: Incident, fact: ev.CheckInReminderSent, people: tuple[str, ...], at: datetime, t: Translator,
    tz: str = "UTC",
) -> Reply:
    key, ago = incident.key, duration(at - silence_since(incident), t)
    if fact.escalated:
        text = t(
            "{key} · {missed} check-ins missed in a row, no status update for {ago}. Escalating to {people}.",
            key=key, missed=fact.missed, ago=ago, people=_people(people),
        )
    elif incident.last_update is None:
        text = t(
            "{key} · time for a status update: none since the incident opened {ago} ago. {people}, please post one.",
            key=key, ago=ago, people=_people(people),
        )
    else:
        text = t(
            "{key} · time for a status update: the last one was {ago} ago. {people}, please post one.",
            key=key, ago=ago, people=_people(people),
        )
    if incident.promised_update_at is not None:
        # Shown in the incident's time zone: the promise was made to the public, not to one person.
        promised = promises.clock(incident.promised_update_at, at, tz)
        text += " " + t("You promised the public an update at {time}.", time=promised)
    return Reply(text=text, cards=(checkin_card(incident, t),), incident=key, mentions=people)


def approval_reminder(incident: Incident, due: ApprovalDue, person: str, t: Translator) -> Reply:
    """A direct message: to a holder of a missing role, or to a backup once the deadline passed twice."""
    key, number, ago = incident.key, due.draft.number, duration(due.waiting, t)
    if person in due.holders:
        roles = ", ".join(t(r) for r in due.roles if incident.holder(r) == person)
        text = t(
            "{key} · draft #{number} has waited {ago} for your approval ({roles}).",
            key=key, number=number, ago=ago, roles=roles,
        )
    else:
        text = t(
            "{key} · draft #{number} has waited {ago} for approval by {roles}, and you are a backup. "
            "Please chase its holder, or ask the lead to hand you the role.",
            key=key, number=number, ago=ago, roles=", ".join(t(r) for r in due.roles),
        )
    return Reply(text=text, cards=(views.draft_card(incident, due.draft, t),), incident=key, mentions=(person,))


def approval_unassigned(incident: Incident, due: ApprovalDue, lead: str, t: Translator) -> Reply:
    """To the lead, when a role the draft needs has nobody to approve for it."""
    empty = [r for r in due.roles if incident.holder(r) is None]
    text = t(
        "{key} · draft #{number} has waited {ago} for approval, but nobody holds {roles}: assign someone.",
        key=incident.key, number=due.draft.number, ago=duration(due.waiting, t), roles=", ".join(t(r) for r in empty),
    )
    return Reply(text=text, incident=incident.key, mentions=(lead,))


def approval_held(incident: Incident, due: ApprovalDue, t: Translator) -> Reply:
    """Tells the incident's conversations who is holding the reply once the deadline passed twice."""
    holders = ", ".join(f"{t(r)} ({mention(incident.holder(r))})" for r in due.roles)
    asked = t("Backups asked: {people}.", people=_people(due.backups))
    backups = asked if due.backups else t("The roster names no backup.")
    text = t(
        "{key} · draft #{number} has waited {ago} for approval; it is held by {holders}. {backups}",
        key=incident.key, number=due.draft.number, ago=duration(due.waiting, t), holders=holders, backups=backups,
    )
    people = tuple(h for h in (incident.holder(r) for r in due.roles) if h) + due.backups
    return Reply(text=text, incident=incident.key, mentions=tuple(dict.fromkeys(people)))


def approval_needs_another(
    incident: Incident, due: ApprovalDue, roles: list[str], could: tuple[str, ...], t: Translator
) -> Reply:
    """Tells the conversations that only the author holds a role their draft needs, and who could approve."""
    key, number, author = incident.key, due.draft.number, mention(due.draft.author)
    names = ", ".join(t(r) for r in roles)
    if could:
        text = t(
            "{key} · draft #{number} has waited {ago} for approval by {roles}, but {author} holds it and wrote "
            "the draft. Backups who could approve: {people}; the lead can assign one of them.",
            key=key, number=number, ago=duration(due.waiting, t), roles=names, author=author, people=_people(could),
        )
    else:
        text = t(
            "{key} · draft #{number} has waited {ago} for approval by {roles}, but {author} holds it and wrote "
            "the draft. Nobody else can approve it: the lead should assign a new holder.",
            key=key, number=number, ago=duration(due.waiting, t), roles=names, author=author,
        )
    lead = incident.holder("lead") or incident.reporter
    return Reply(text=text, incident=key, mentions=tuple(dict.fromkeys((*could, lead))))
