"""The numbers of a post-mortem, computed from an incident and its whole timeline; no wording here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot import events as ev
from bot.model import Incident, Status, TimelineEntry
from bot.promises_kept import PromiseOutcome, PromiseState, promises_kept_and_missed
from bot.publications import publication_rules


@dataclass(frozen=True)
class Milestones:
    first_signal: datetime
    opened: datetime
    first_approved: datetime | None
    first_published: datetime | None
    resolved: datetime | None


@dataclass(frozen=True)
class SeverityChange:
    at: datetime
    actor: str
    old: int
    new: int


@dataclass(frozen=True)
class Publication:
    at: datetime
    number: int
    version: int
    channel: str
    by: str | None
    # The severity whose approval policy the words met, and a more critical one the incident reached afterwards.
    under: int = 0
    reached_later: int | None = None


@dataclass(frozen=True)
class Note:
    """A lesson or an action, as the team recorded it."""

    at: datetime
    author: str
    text: str
    owner: str = ""


@dataclass(frozen=True)
class Figures:
    milestones: Milestones
    opening_severity: int
    # The most critical severity reached (1 is the most critical), and when it was first reached.
    peak_severity: int
    peak_at: datetime
    severity_changes: tuple[SeverityChange, ...]
    longest_silence: timedelta
    approval_delays: dict[str, list[timedelta]]
    checkin_reminders: int
    checkin_escalations: int
    approval_reminders: int
    approval_escalations: int
    false_alarm: bool
    # Every "next update at 18:00" told to the public, and whether the team kept it.
    promises: tuple[PromiseOutcome, ...] = ()

    def promises_in(self, state: PromiseState) -> int:
        return sum(1 for p in self.promises if p.state is state)

    @property
    def to_first_approved_statement(self) -> timedelta | None:
        first = self.milestones.first_approved
        return first - self.milestones.opened if first else None


def first_signal_at(incident: Incident) -> datetime:
    """When the crisis was first noticed: the first signal of the watch's alert it was opened from, else its opening."""
    found = next((e.event for e in incident.timeline if isinstance(e.event, ev.DetectedFromSignals)), None)
    return datetime.fromisoformat(found.first_signal_at) if found else incident.created_at


def _first(incident: Incident, kind: type) -> datetime | None:
    return next((e.at for e in incident.timeline if isinstance(e.event, kind)), None)


def milestones(incident: Incident) -> Milestones:
    return Milestones(
        first_signal=min(first_signal_at(incident), incident.created_at),
        opened=incident.created_at,
        first_approved=_first(incident, ev.DraftApproved),
        first_published=_first(incident, ev.DraftPublished),
        resolved=incident.resolved_at,
    )


def severity_changes(incident: Incident) -> tuple[SeverityChange, ...]:
    return tuple(
        SeverityChange(e.at, e.actor, e.event.old, e.event.new)
        for e in incident.timeline
        if isinstance(e.event, ev.SeverityChanged)
    )


def longest_silence(incident: Incident, now: datetime) -> timedelta:
    """The longest time the incident stayed unresolved with no status update (counting from its opening, and up to
    its resolution, or now while it lasts). Time spent resolved before a reopening is not silence."""
    gaps: list[timedelta] = []
    since: datetime | None = incident.created_at
    for entry in incident.timeline:
        event = entry.event
        if isinstance(event, ev.StatusUpdatePosted) and since is not None:
            gaps.append(entry.at - since)
            since = entry.at
        elif isinstance(event, ev.StatusChanged) and event.new == Status.RESOLVED.value and since is not None:
            gaps.append(entry.at - since)
            since = None
        elif isinstance(event, ev.StatusChanged) and event.old == Status.RESOLVED.value:
            since = entry.at
    if since is not None and incident.status is not Status.RESOLVED:
        gaps.append(now - since)
    return max(gaps, default=timedelta(0))


def approval_delays(incident: Incident) -> dict[str, list[timedelta]]:
    """Per role, the time from when that role was asked to approve a draft version (its creation, or the severity
    change that added the role to it) to its approval."""
    # A role added by a severity change was asked then, not when the words were written: legal, asked at a raise two
    # hours after the draft, took five minutes, not two hours and five.
    raises = [(e.at, e.event) for e in incident.timeline
              if isinstance(e.event, ev.ApprovalRequirementRaised | ev.TemplateWithdrawn)]
    delays: dict[str, list[timedelta]] = {}
    for draft in incident.drafts:
        created = {v.version: v.created_at for v in draft.versions}
        for approval in draft.approvals:
            asked = max([created[approval.version], *(
                at for at, raised in raises
                if raised.number == draft.number and raised.version == approval.version and approval.role in raised.roles
                and at <= approval.at
            )])
            delays.setdefault(approval.role, []).append(approval.at - asked)
    return delays


def publications(incident: Incident) -> list[Publication]:
    """Every publication of every draft, one per channel, oldest first."""
    found = [
        Publication(r.publication.at, r.draft.number, r.publication.version, r.publication.channel, r.publication.person,
                    r.under, r.reached_later)
        for r in publication_rules(incident)
    ]
    return sorted(found, key=lambda p: (p.at, p.number))


# The facts of objections, their withdrawals and the lead's overrides: the report's "Objections and overrides"
# section lists every timeline entry of these kinds.
OBJECTION_FACTS: tuple[type, ...] = (ev.ObjectionRaised, ev.ObjectionWithdrawn, ev.ObjectionOverridden)


def objections(incident: Incident) -> list[TimelineEntry]:
    return [e for e in incident.timeline if isinstance(e.event, OBJECTION_FACTS)]


def lessons(incident: Incident) -> list[Note]:
    return [Note(e.at, e.actor, e.event.text) for e in incident.timeline if isinstance(e.event, ev.LessonRecorded)]


def actions(incident: Incident) -> list[Note]:
    return [
        Note(e.at, e.actor, e.event.text, e.event.owner) for e in incident.timeline if isinstance(e.event, ev.ActionRecorded)
    ]


def figures(incident: Incident, now: datetime) -> Figures:
    changes = severity_changes(incident)
    opening = changes[0].old if changes else incident.severity
    levels = [(incident.created_at, opening), *((c.at, c.new) for c in changes)]
    peak = min(level for _, level in levels)
    peak_at = next(at for at, level in levels if level == peak)
    reminders = [e.event for e in incident.timeline if isinstance(e.event, ev.CheckInReminderSent)]
    asked = [e.event for e in incident.timeline if isinstance(e.event, ev.ApprovalReminderSent)]
    return Figures(
        milestones=milestones(incident),
        opening_severity=opening,
        peak_severity=peak,
        peak_at=peak_at,
        severity_changes=changes,
        longest_silence=longest_silence(incident, now),
        approval_delays=approval_delays(incident),
        checkin_reminders=sum(1 for r in reminders if not r.escalated),
        checkin_escalations=sum(1 for r in reminders if r.escalated),
        approval_reminders=sum(1 for r in asked if not r.escalated),
        approval_escalations=sum(1 for r in asked if r.escalated),
        false_alarm=incident.false_alarm,
        promises=tuple(promises_kept_and_missed(incident, now)),
    )


def elapsed(start: datetime, end: datetime | None) -> timedelta | None:
    return end - start if end is not None else None

