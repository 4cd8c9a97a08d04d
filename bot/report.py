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
from bot.describe import duration, fact, mention, when
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
    numbers = figures(incident, now)
    out = [f"# {incident.key} · {incident.title}", ""]
    out += [
        f"- {t('Severity')}: {severity_label(incident.severity, t)}",
        f"- {t('Status')}: {t(incident.status.value)}",
        f"- {t('Reported by')}: {mention(incident.reporter)}",
        f"- {t('Opened')}: {when(incident.created_at, tz)}",
        f"- {t('Resolved')}: {when(incident.resolved_at, tz)}",
    ]
    if incident.summary:
        out.append(f"- {t('Summary')}: {incident.summary}")
    if incident.description:
        out += ["", incident.description]
    if incident.source_url:
        out += ["", f"{t('Source')}: {incident.source_url}"]

    out += ["", f"## {t('How the crisis was handled')}", ""]
    first = duration(numbers.to_first_approved_statement) if numbers.to_first_approved_statement else t("never")
    out += [
        f"- {t('Time from opening to the first approved public statement')}: {first}",
        f"- {t('Longest silence between status updates')}: {duration(numbers.longest_silence)}",
        f"- {t('Reminders needed')}: {numbers.reminders}",
        f"- {t('Escalations needed')}: {numbers.escalations}",
    ]
    for role, delays in sorted(numbers.approval_delays.items()):
        middle = duration(timedelta(seconds=median(d.total_seconds() for d in delays)))
        longest = duration(max(delays))
        count = len(delays)
        spread = t("median {median}, longest {longest} ({count} approvals)", median=middle, longest=longest, count=count)
        out.append(f"- {t('Time {role} took to approve', role=t(role))}: {spread}")

    out += ["", f"## {t('Roles')}", "", f"| {t('Role')} | {t('Holder')} | {t('From')} | {t('Until')} |", "|---|---|---|---|"]
    for a in sorted(
        incident.assignments, key=lambda a: (settings.roles.index(a.role) if a.role in settings.roles else 99, a.started_at)
    ):
        out.append(
            f"| {t(a.role)} | {mention(a.holder)} | {when(a.started_at, tz)} "
            f"| {when(a.ended_at, tz) if a.ended_at else t('now')} |"
        )

    out += ["", f"## {t('Status updates')}", ""]
    out += [f"- {when(u.at, tz)} · {mention(u.author)}: {u.text}" for u in incident.updates] or [f"- {t('none yet')}"]

    out += ["", f"## {t('Public replies')}", ""]
    if not incident.drafts:
        out.append(f"- {t('none yet')}")
    for draft in incident.drafts:
        out += [f"### {t('Draft #{number}', number=draft.number)} · {t(draft.state.value)}", ""]
        for version in draft.versions:
            out += [
                f"**v{version.version}** · {mention(version.author)} · {when(version.created_at, tz)}",
                "",
                _quote(version.text),
                "",
            ]
            for approval in (a for a in draft.approvals if a.version == version.version):
                approved = t("approved for {role} by {person}", role=t(approval.role), person=mention(approval.approver))
                out.append(f"- {approved} · {when(approval.at, tz)}")
            for review in (r for r in draft.reviews if r.version == version.version):
                verb = (
                    t("rejected by {person}", person=mention(review.reviewer))
                    if review.final
                    else t("changes requested by {person}", person=mention(review.reviewer))
                )
                out.append(f"- {verb} · {when(review.at, tz)}: {review.reason}")
            out.append("")
        if draft.published_at:
            out += [
                f"- {t('Published')}: {when(draft.published_at, tz)} · {mention(draft.published_by)} · {draft.published_where or '-'}",  # noqa: E501
                "",
            ]

    out += [f"## {t('Timeline')}", "", f"| {t('When')} | {t('Who')} | {t('What')} |", "|---|---|---|"]
    out += [f"| {when(e.at, tz)} | {mention(e.actor)} | {_cell(fact(e.event, t))} |" for e in incident.timeline]
    # Every person is written as a mention, then named once here: a document reads "@Carol Legal", not "<@U07>".
    known = names or {}
    return MENTION.sub(lambda m: "@" + known.get(m.group(1), m.group(1)), "\n".join(out)) + "\n"


def people_in(incident: Incident) -> set[str]:
    """Everyone the report may name, so a caller can look their names up in one go."""
    found = {incident.reporter, *(a.holder for a in incident.assignments), *(u.author for u in incident.updates)}
    for draft in incident.drafts:
        found |= {v.author for v in draft.versions} | {a.approver for a in draft.approvals}
        found |= {r.reviewer for r in draft.reviews} | ({draft.published_by} if draft.published_by else set())
    # Role facts on the timeline name holders, who are all in the assignments above.
    return found | {e.actor for e in incident.timeline}
