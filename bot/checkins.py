"""What is due at a given moment: check-ins, approval deadlines, quiet hours. Pure functions of stored data.

The scheduler only asks these functions at each wake-up; nothing here reads a clock or keeps state, so a
restart after downtime sees exactly what is overdue and nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot import promises
from bot.config import Settings
from bot.drafts import Draft, DraftState
from bot.model import Incident, Status
from bot.objections import open_objections

# Severity 1-2 reminders fire at any hour; 3-4 wait for business hours.
ALWAYS_URGENT = (1, 2)


def is_business_time(at: datetime, settings: Settings) -> bool:
    local = at.astimezone(ZoneInfo(settings.timezone))
    start, end = settings.business_hours
    days, clock = settings.business_days, local.time()
    if start < end:
        return local.weekday() in days and start <= clock < end
    # A window across midnight (a night shift, 22:00-06:00; the same time twice is a whole day from it) belongs to
    # the day it opens on: read as a daytime window it would never be open, and quiet hours would hold for ever.
    if clock >= start:
        return local.weekday() in days
    return clock < end and (local.weekday() - 1) % 7 in days


def next_business_opening(at: datetime, settings: Settings) -> datetime:
    """`at` itself inside business hours, else the next opening, computed in local time so DST shifts it right."""
    if is_business_time(at, settings) or not settings.business_days:
        return at
    zone = ZoneInfo(settings.timezone)
    local = at.astimezone(zone)
    start = settings.business_hours[0]
    for days_ahead in range(8):
        day = local.date() + timedelta(days=days_ahead)
        if day.weekday() not in settings.business_days:
            continue
        # A wall-clock time built on the target day takes that day's UTC offset, whatever the offset is today.
        opening = datetime.combine(day, start, tzinfo=zone)
        if opening > local:
            return opening.astimezone(at.tzinfo)
    return at  # unreachable with at least one business day; never delay forever


def fire_time(due: datetime, severity: int, settings: Settings) -> datetime:
    """When a reminder due at `due` may actually go out, given the incident's severity and quiet hours."""
    if severity in ALWAYS_URGENT:
        return due
    return next_business_opening(due, settings)


# -- check-ins -----------------------------------------------------------------------------------


def for_a_promise(incident: Incident) -> bool:
    """Whether the next check-in is the one before an update promised to the public, which quiet hours do not hold:
    the public was told a time, whatever the team's office hours."""
    promised, due = incident.promised_update_at, incident.next_update_due
    return promised is not None and due is not None and promised - promises.MARGIN <= due <= promised


def checkin_fire_time(incident: Incident, settings: Settings) -> datetime | None:
    if incident.status is Status.RESOLVED or incident.next_update_due is None:
        return None
    if for_a_promise(incident):
        return incident.next_update_due
    return fire_time(incident.next_update_due, incident.severity, settings)


def checkin_is_due(incident: Incident, at: datetime, settings: Settings) -> bool:
    fire = checkin_fire_time(incident, settings)
    return fire is not None and fire <= at


def checkin_is_deferred(incident: Incident, at: datetime, settings: Settings) -> datetime | None:
    """The opening a due check-in waits for, when quiet hours hold it back (the check-in before a promise at the
    latest); None otherwise."""
    due = incident.next_update_due
    if incident.status is Status.RESOLVED or due is None or due > at or for_a_promise(incident):
        return None
    fire = fire_time(due, incident.severity, settings)
    if fire <= at:
        return None
    # Never past the check-in before a promise to the public, which quiet hours do not hold (`for_a_promise`).
    promised = incident.promised_update_at
    if promised is not None and promised > at:
        ahead = promised - promises.MARGIN
        fire = min(fire, ahead if ahead > at else promised)
    return fire


def checkin_mentions(incident: Incident, settings: Settings, escalated: bool) -> tuple[str, ...]:
    """The lead (the reporter while nobody leads), comms too at severity 1-2; everyone with a role plus the
    escalation contacts once check-ins keep being missed."""
    people: list[str] = []
    if escalated:
        people += [a.holder for a in incident.assignments if a.ended_at is None]
        people += settings.escalation_contacts
    people.append(incident.holder("lead") or incident.reporter)
    if incident.severity in ALWAYS_URGENT:
        comms = incident.holder("comms")
        if comms:
            people.append(comms)
    return tuple(dict.fromkeys(people))


def silence_since(incident: Incident) -> datetime:
    last = incident.last_update
    return last.at if last else incident.created_at


# -- approval deadlines ------------------------------------------------------------------------


@dataclass(frozen=True)
class ApprovalDue:
    """An approval deadline passed for the current version of a draft: who to remind, and whether to escalate."""

    draft: Draft
    roles: tuple[str, ...]
    holders: tuple[str, ...]
    backups: tuple[str, ...]
    escalated: bool
    waiting: timedelta

    @property
    def people(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.holders + self.backups)) if self.escalated else self.holders


def approval_fire_times(incident: Incident, draft: Draft, settings: Settings) -> tuple[datetime, datetime]:
    """When the reminder, then the escalation to backups, may go out for the draft's current version."""
    deadline = settings.approval_deadlines.get(incident.severity, timedelta(hours=1))
    remind = fire_time(draft.waiting_since + deadline, incident.severity, settings)
    escalate = fire_time(draft.waiting_since + 2 * deadline, incident.severity, settings)
    return remind, escalate


def backups_for(role: str, holder: str | None, settings: Settings) -> tuple[str, ...]:
    return tuple(p for p in settings.roster.get(role, ())[1:] if p != holder)


def approvals_due(incident: Incident, at: datetime, settings: Settings) -> list[ApprovalDue]:
    """Drafts waiting on approvers past their deadline whose reminder (or escalation) has not gone out yet.

    After downtime a draft already past twice its deadline escalates once, without a separate reminder first.
    A draft whose changes were requested waits on its author, not its approvers, so it is left alone. So is a
    draft blocked by an open objection: its approvers could not approve it if they tried, and the author and the
    lead were told of the objection when it was raised (the objector or the lead moves next). Nobody is reminded
    meanwhile; once the objection is withdrawn or overridden, a deadline already passed is reminded at once.
    """
    if incident.status is Status.RESOLVED:
        return []
    found = []
    for draft in incident.drafts:
        if draft.state is not DraftState.PENDING or draft.escalated_version >= draft.version:
            continue
        if open_objections(draft.objections):
            continue
        remind_at, escalate_at = approval_fire_times(incident, draft, settings)
        escalated = escalate_at <= at
        if not escalated and (remind_at > at or draft.reminded_version >= draft.version):
            continue
        roles = draft.missing_roles()
        holders = tuple(dict.fromkeys(h for h in (incident.holder(r) for r in roles) if h))
        backups: tuple[str, ...] = ()
        if escalated:
            backups = tuple(dict.fromkeys(p for r in roles for p in backups_for(r, incident.holder(r), settings)))
        found.append(ApprovalDue(draft, roles, holders, backups, escalated, at - draft.waiting_since))
    return found


def approvals_not_before(incident: Incident, at: datetime, settings: Settings) -> datetime:
    """A moment before which no approval reminder of this incident can come due, whatever changes meanwhile.

    Lets a scheduler skip loading the incident until then. A severity change can shorten a deadline, so the
    shortest deadline of any severity is assumed; a new draft or version only waits from its own creation,
    which is after `at`.
    """
    shortest = min(settings.approval_deadlines.values(), default=timedelta(0))
    moments = [at + shortest]
    if incident.status is not Status.RESOLVED:
        for draft in incident.drafts:
            if draft.state is DraftState.PENDING and draft.escalated_version < draft.version:
                steps = 2 if draft.reminded_version >= draft.version else 1
                moments.append(draft.waiting_since + steps * shortest)
    return min(moments)
