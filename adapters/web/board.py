"""What the dashboard pages show, read through the core's ports and worded by the core's views.

The pages show what `list` and `status` show in chat, nothing more: the same cards (`bot.views`), the same facts
(`bot.describe`), the same report figures (`bot.report_figures`). Mentions (`<@id>`) become display names here;
everything else is left as typed and escaped by the templates.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import median

from bot import report, views
from bot import report_figures as rf
from bot.config import Settings
from bot.describe import duration, fact, mention, named, places_in, when
from bot.drafts import Draft, DraftState
from bot.i18n import Translator
from bot.model import Incident, Status
from bot.ports import UnitOfWork
from bot.replies import Card

MENTION = re.compile(r"<@([^>|\s]+)(?:\|[^>]*)?>")


def readable(text: str, names: Mapping[str, str]) -> str:
    """Mentions as `@name` (the name a door last told), like the report; the rest as typed."""
    return MENTION.sub(lambda m: "@" + names.get(m.group(1), m.group(1)), text)


@dataclass(frozen=True)
class Waiting:
    number: int
    version: int
    state: str
    # "comms (@Bob)" for each role whose approval the current version still lacks.
    waiting_for: tuple[str, ...]


@dataclass(frozen=True)
class Row:
    key: str
    title: str
    severity: int
    severity_label: str
    status: str
    age: str
    lead: str
    since_update: str
    due: str
    overdue: bool
    drafts: tuple[Waiting, ...]
    signals: str | None = None


@dataclass(frozen=True)
class Line:
    label: str
    value: str


@dataclass(frozen=True)
class VersionView:
    version: int
    author: str
    at: str
    text: str
    marks: tuple[str, ...]


@dataclass(frozen=True)
class DraftView:
    number: int
    title: str
    state: str
    fields: tuple[Line, ...]
    versions: tuple[VersionView, ...]


@dataclass(frozen=True)
class Statement:
    title: str
    text: str


@dataclass
class Page:
    incident: Incident
    title: str
    status: str
    severity: int
    card: tuple[Line, ...]
    description: str
    roles: tuple[Line, ...]
    role_history: tuple[tuple[str, str, str, str], ...]
    drafts: tuple[DraftView, ...]
    statement: Statement | None
    timeline: tuple[tuple[str, str, str], ...]
    figures: tuple[Line, ...]
    names: dict[str, str] = field(default_factory=dict)


def _lines(card: Card, names: Mapping[str, str]) -> tuple[Line, ...]:
    return tuple(Line(readable(f.label, names), readable(f.value, names)) for f in card.fields)


def waiting_for(incident: Incident, draft: Draft, t: Translator, names: Mapping[str, str]) -> tuple[str, ...]:
    out = []
    for role in draft.missing_roles():
        holder = incident.holder(role)
        out.append(f"{t(role)} ({readable(f'<@{holder}>', names)})" if holder else t(role))
    return tuple(out)


def board(uow: UnitOfWork, settings: Settings, t: Translator, now: datetime,
          signals: Mapping[int, str] | None = None) -> list[Row]:
    """Every active and monitoring incident, most severe first, then the oldest first."""
    found = [i for i in uow.incidents.list(include_resolved=False) if i.status is not Status.RESOLVED]
    found.sort(key=lambda i: (i.severity, i.created_at))
    holders = {h for i in found for h in [i.holder("lead"), *(a.holder for a in i.assignments)] if h}
    names = uow.people.names(holders | {person for i in found for person in MENTION.findall(i.title)})
    rows = []
    for incident in found:
        last = incident.last_update.at if incident.last_update else incident.created_at
        due = incident.next_update_due
        waiting = tuple(
            Waiting(d.number, d.version, t(d.state.value), waiting_for(incident, d, t, names))
            for d in incident.drafts if d.is_open
        )
        rows.append(Row(
            key=incident.key,
            title=readable(incident.title, names),
            severity=incident.severity,
            severity_label=views.severity_label(incident.severity, t),
            status=t(incident.status.value),
            age=duration(max(now - incident.created_at, timedelta(0)), t),
            lead=readable(mention(incident.holder("lead")), names),
            since_update=duration(max(now - last, timedelta(0)), t),
            due=when(due, settings.timezone),
            overdue=due is not None and due < now,
            drafts=waiting,
            signals=(signals or {}).get(incident.number),
        ))
    return rows


def page(uow: UnitOfWork, key: str, settings: Settings, t: Translator, now: datetime) -> Page | None:
    incident = uow.incidents.get_whole(key.upper())
    if incident is None:
        return None
    tz = settings.timezone
    timeline_events = [e.event for e in incident.timeline]
    names = uow.people.names(report.people_in(incident) | places_in(timeline_events))
    card = views.incident_card(incident, settings, t)
    drafts = tuple(_draft(incident, d, t, tz, names) for d in incident.drafts)
    history = tuple(
        (t(a.role), readable(mention(a.holder), names), when(a.started_at, tz), when(a.ended_at, tz) if a.ended_at
         else t("now"))
        for a in incident.assignments
    )
    timeline = tuple(
        (when(e.at, tz), readable(mention(e.actor), names), readable(fact(named(e.event, names), t), names))
        for e in incident.timeline
    )
    return Page(
        incident=incident,
        title=readable(card.title, names),
        status=t(incident.status.value),
        severity=incident.severity,
        card=_lines(card, names),
        description=readable(card.text, names),
        roles=_lines(views.roles_card(incident, settings, t), names),
        role_history=history,
        drafts=drafts,
        statement=latest_approved(incident, t, names),
        timeline=timeline,
        figures=figure_lines(rf.figures(incident, now), t, tz),
        names=names,
    )


def _draft(incident: Incident, draft: Draft, t: Translator, tz: str, names: Mapping[str, str]) -> DraftView:
    card = views.draft_card(incident, draft, t, tz)
    versions = []
    for v in draft.versions:
        marks = [
            t("approved for {role} by {person}", role=t(a.role), person=readable(mention(a.approver), names))
            + f" · {when(a.at, tz)}"
            for a in draft.approvals if a.version == v.version
        ]
        for r in (r for r in draft.reviews if r.version == v.version):
            who = readable(mention(r.reviewer), names)
            verb = t("rejected by {person}", person=who) if r.final else t("changes requested by {person}", person=who)
            marks.append(f"{verb} · {when(r.at, tz)} · {readable(r.reason, names)}")
        versions.append(VersionView(v.version, readable(mention(v.author), names), when(v.created_at, tz),
                                    readable(v.text, names), tuple(marks)))
    return DraftView(draft.number, readable(card.title, names), draft.state.value, _lines(card, names), tuple(versions))


def latest_approved(incident: Incident, t: Translator, names: Mapping[str, str] | None = None) -> Statement | None:
    """The words most recently approved in full (published or not yet), exactly as approved (people by name, as the
    approvers read them)."""
    # A discarded draft's words are no longer the company's, even approved.
    approved = [(d, v) for d in incident.drafts if d.state is not DraftState.DISCARDED
                for v in d.versions if d.approved_in_full(v.version)]
    if not approved:
        return None
    draft, version = max(approved, key=lambda pair: max(a.at for a in pair[0].approvals if a.version == pair[1].version))
    title = t("Draft #{number}", number=draft.number) + f" v{version.version} · {t(draft.state.value)}"
    return Statement(title, readable(version.text, names or {}))


def figure_lines(numbers: rf.Figures, t: Translator, tz: str) -> tuple[Line, ...]:
    """The report's handling figures, worded with the report's own messages."""
    steps = numbers.milestones
    out = [
        Line(t("First signal"), when(steps.first_signal, tz)),
        Line(t("Opened"), f"{when(steps.opened, tz)} · +{duration(steps.opened - steps.first_signal, t)}"),
    ]
    for label, at in ((t("First approved statement"), steps.first_approved), (t("First publication"),
                                                                                steps.first_published),
                      (t("Resolved"), steps.resolved)):
        since = f" · +{duration(at - steps.first_signal, t)}" if at else ""
        out.append(Line(label, when(at, tz) + since))
    out.append(Line(t("Longest silence between status updates"), duration(numbers.longest_silence, t)))
    for role, delays in sorted(numbers.approval_delays.items()):
        longest = duration(max(delays), t)
        middle = duration(timedelta(seconds=median(d.total_seconds() for d in delays)), t)
        spread = t("median {median}, longest {longest}, approvals: {count}", median=middle, longest=longest,
                   count=len(delays))
        out.append(Line(t("Time {role} took to approve", role=t(role)), spread))
    out.append(Line(t("Check-ins overdue"), t("reminders: {count}, escalations: {escalated}",
                                              count=numbers.checkin_reminders, escalated=numbers.checkin_escalations)))
    out.append(Line(t("Approvals overdue"), t("reminders: {count}, escalations: {escalated}",
                                              count=numbers.approval_reminders, escalated=numbers.approval_escalations)))
    return tuple(out)
