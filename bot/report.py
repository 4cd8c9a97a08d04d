"""Post-incident report in Markdown, opening with the figures that tell how the crisis was handled."""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median

from bot import events as ev
from bot.config import Settings
from bot.describe import duration, fact, mention, said, when
from bot.drafts import Draft
from bot.i18n import Translator
from bot.model import Incident
from bot.views import severity_label

MENTION = re.compile(r"<@([^>|]+)(?:\|[^>]*)?>")


@dataclass(frozen=True)
class Figures:
    to_first_approved_statement: timedelta | None
    longest_silence: timedelta
    approval_delays: dict[str, list[timedelta]]
    reminders: int
    escalations: int


def figures(incident: Incident, now: datetime) -> Figures:
    approved = [e.at for e in incident.timeline if isinstance(e.event, ev.DraftApproved)]
    end = incident.resolved_at or now
    beats = [incident.created_at, *(u.at for u in incident.updates if u.at <= end), end]
    silence = max((b - a for a, b in itertools.pairwise(beats)), default=timedelta(0))
    delays: dict[str, list[timedelta]] = {}
    for draft in incident.drafts:
        created = {v.version: v.created_at for v in draft.versions}
        for approval in draft.approvals:
            delays.setdefault(approval.role, []).append(approval.at - created[approval.version])
    reminders = escalations = 0
    for entry in incident.timeline:
        if isinstance(entry.event, ev.CheckInReminderSent | ev.ApprovalReminderSent):
            if entry.event.escalated:
                escalations += 1
            else:
                reminders += 1
    return Figures(approved[0] - incident.created_at if approved else None, silence, delays, reminders, escalations)


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" for line in text.splitlines() or [""])


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(
    incident: Incident, settings: Settings, t: Translator, now: datetime, names: Mapping[str, str] | None = None
) -> str:
    """The report; `names` gives people's display names (from the doors), else they appear by their ids."""
    tz = settings.timezone
    out = [
        *_summary(incident, t, tz),
        *_figures(figures(incident, now), t),
        *_roles(incident, settings, t, tz),
        "", f"## {t('Status updates')}", "",
        *(_updates(incident, t, tz) or [f"- {t('none yet')}"]),
        "", f"## {t('Public replies')}", "",
        *(line for draft in incident.drafts for line in _draft(draft, t, tz)),
        *([] if incident.drafts else [f"- {t('none yet')}", ""]),
        f"## {t('Timeline')}", "", f"| {t('When')} | {t('Who')} | {t('What')} |", "|---|---|---|",
        *(f"| {when(e.at, tz)} | {mention(e.actor)} | {_cell(fact(e.event, t))} |" for e in incident.timeline),
    ]
    # Every person is written as a mention, then named once here: a document reads "@Carol Legal", not "<@U07>".
    known = names or {}
    return MENTION.sub(lambda m: "@" + known.get(m.group(1), m.group(1)), "\n".join(out)) + "\n"


def _updates(incident: Incident, t: Translator, tz: str) -> list[str]:
    return ["- " + said(t, f"{when(u.at, tz)} · {mention(u.author)}", u.text) for u in incident.updates]


def _summary(incident: Incident, t: Translator, tz: str) -> list[str]:
    out = [
        f"# {incident.key} · {incident.title}",
        "",
        "- " + said(t, t('Severity'), severity_label(incident.severity, t)),
        "- " + said(t, t('Status'), t(incident.status.value)),
        "- " + said(t, t('Reported by'), mention(incident.reporter)),
        "- " + said(t, t('Opened'), when(incident.created_at, tz)),
        "- " + said(t, t('Resolved'), when(incident.resolved_at, tz)),
    ]
    if incident.summary:
        out.append("- " + said(t, t('Summary'), incident.summary))
    if incident.description:
        out += ["", incident.description]
    if incident.source_url:
        out += ["", said(t, t("Source"), incident.source_url)]
    return out


def _figures(numbers: Figures, t: Translator) -> list[str]:
    first = duration(numbers.to_first_approved_statement, t) if numbers.to_first_approved_statement else t("never")
    out = [
        "",
        f"## {t('How the crisis was handled')}",
        "",
        "- " + said(t, t('Time from opening to the first approved public statement'), first),
        "- " + said(t, t('Longest silence between status updates'), duration(numbers.longest_silence, t)),
        "- " + said(t, t('Reminders needed'), numbers.reminders),
        "- " + said(t, t('Escalations needed'), numbers.escalations),
    ]
    for role, delays in sorted(numbers.approval_delays.items()):
        middle = duration(timedelta(seconds=median(d.total_seconds() for d in delays)), t)
        longest = duration(max(delays), t)
        count = len(delays)
        spread = t("median {median}, longest {longest}, approvals: {count}", median=middle, longest=longest, count=count)
        out.append("- " + said(t, t("Time {role} took to approve", role=t(role)), spread))
    return out


def _roles(incident: Incident, settings: Settings, t: Translator, tz: str) -> list[str]:
    out = ["", f"## {t('Roles')}", "", f"| {t('Role')} | {t('Holder')} | {t('From')} | {t('Until')} |", "|---|---|---|---|"]
    order = {role: n for n, role in enumerate(settings.roles)}
    for a in sorted(incident.assignments, key=lambda a: (order.get(a.role, len(order)), a.started_at)):
        until = when(a.ended_at, tz) if a.ended_at else t("now")
        out.append(f"| {t(a.role)} | {mention(a.holder)} | {when(a.started_at, tz)} | {until} |")
    return out


def _draft(draft: Draft, t: Translator, tz: str) -> list[str]:
    out = [f"### {t('Draft #{number}', number=draft.number)} · {t(draft.state.value)}", ""]
    for version in draft.versions:
        heading = f"**v{version.version}** · {mention(version.author)} · {when(version.created_at, tz)}"
        out += [heading, "", _quote(version.text), ""]
        for approval in (a for a in draft.approvals if a.version == version.version):
            approved = t("approved for {role} by {person}", role=t(approval.role), person=mention(approval.approver))
            out.append(f"- {approved} · {when(approval.at, tz)}")
        for review in (r for r in draft.reviews if r.version == version.version):
            who = mention(review.reviewer)
            verb = t("rejected by {person}", person=who) if review.final else t("changes requested by {person}", person=who)
            out.append("- " + said(t, f"{verb} · {when(review.at, tz)}", review.reason))
        out.append("")
    if draft.published_at:
        where = draft.published_where or "-"
        published = f"{when(draft.published_at, tz)} · {mention(draft.published_by)} · {where}"
        out += ["- " + said(t, t("Published"), published), ""]
    return out


def people_in(incident: Incident) -> set[str]:
    """Everyone the report may name, so a caller can look their names up in one go."""
    found = {incident.reporter, *(a.holder for a in incident.assignments), *(u.author for u in incident.updates)}
    for draft in incident.drafts:
        found |= {v.author for v in draft.versions} | {a.approver for a in draft.approvals}
        found |= {r.reviewer for r in draft.reviews} | ({draft.published_by} if draft.published_by else set())
    # Role facts on the timeline name holders, who are all in the assignments above.
    return found | {e.actor for e in incident.timeline}
