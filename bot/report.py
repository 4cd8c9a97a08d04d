"""Post-incident report in Markdown: the whole story from the first signal to the lessons and actions.

The figures are computed in `report_figures` and their sections written in `report_sections`; this module puts
the document together and writes the rest (summary, roles, updates, drafts, timeline).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime

from bot import events as ev
from bot import report_sections as sections
from bot.config import Settings
from bot.describe import fact, mention, named, said, when
from bot.drafts import Draft
from bot.i18n import Translator
from bot.model import Incident
from bot.report_figures import Figures, figures
from bot.signals.report import detection
from bot.views import severity_label

__all__ = ["Figures", "figures", "file_name", "people_in", "render"]

MENTION = re.compile(r"<@([^>|]+)(?:\|[^>]*)?>")


def file_name(incident: Incident) -> str:
    return f"{incident.key}-report.md"


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" for line in text.splitlines() or [""])


def render(
    incident: Incident, settings: Settings, t: Translator, now: datetime, names: Mapping[str, str] | None = None,
    signal_times: Sequence[datetime] = (),
) -> str:
    """The report of an incident loaded whole (`get_whole`); `names` gives people's and conversations' display names
    (from the doors), else people appear by their ids. Times are in `settings.timezone`."""
    tz = settings.timezone
    known = names or {}
    numbers = figures(incident, now)
    out = [
        *_summary(incident, t, tz),
        # A crisis the watch detected starts with how fast it was caught (`signal_times`: its signals, oldest first).
        *detection(incident, signal_times, t, tz, now),
        *sections.timing(numbers, t, tz),
        *sections.figures(numbers, t, tz),
        *sections.publications(incident, t, tz),
        *sections.promises(numbers, t, tz),
        *sections.objections(incident, t, tz),
        *_roles(incident, settings, t, tz),
        "", f"## {t('Status updates')}", "",
        *(_updates(incident, t, tz) or [f"- {t('none yet')}"]),
        "", f"## {t('Public replies')}", "",
        *(line for draft in incident.drafts for line in _draft(draft, t, tz)),
        *([] if incident.drafts else [f"- {t('none yet')}", ""]),
        f"## {t('Timeline')}", "", f"| {t('When')} | {t('Who')} | {t('What')} |", "|---|---|---|",
        *(f"| {when(e.at, tz)} | {mention(e.actor)} | {sections.cell(fact(named(e.event, known), t))} |"
          for e in incident.timeline),
        *sections.lessons_and_actions(incident, t, tz),
    ]
    # Every person is written as a mention, then named once here: a document reads "@Carol Legal", not "<@U07>".
    # A name may land in a table's cell, where a bar would end it: escaped wherever it is (it reads the same).
    return MENTION.sub(lambda m: "@" + sections.cell(known.get(m.group(1), m.group(1))), "\n".join(out)) + "\n"


def _updates(incident: Incident, t: Translator, tz: str) -> list[str]:
    return ["- " + said(t, f"{when(u.at, tz)} · {mention(u.author)}", sections.item(u.text)) for u in incident.updates]


def _summary(incident: Incident, t: Translator, tz: str) -> list[str]:
    status = t(incident.status.value)
    if incident.false_alarm:
        status = t("{status} (false alarm)", status=status)
    out = [
        # What people typed goes through `sections.text` (here and below): it reads as typed wherever Markdown is
        # rendered, and cannot open a section of its own.
        f"# {incident.key} · {sections.cell(incident.title)}",
        "",
        "- " + said(t, t('Severity'), severity_label(incident.severity, t)),
        "- " + said(t, t('Status'), status),
        "- " + said(t, t('Reported by'), mention(incident.reporter)),
        "- " + said(t, t('Opened'), when(incident.created_at, tz)),
        "- " + said(t, t('Resolved'), when(incident.resolved_at, tz)),
    ]
    if incident.summary:
        out.append("- " + said(t, t('Summary'), sections.item(incident.summary)))
    if incident.description:
        out += ["", sections.text(incident.description)]
    if incident.source_url:
        out += ["", said(t, t("Source"), sections.code(incident.source_url))]
    return out


def _roles(incident: Incident, settings: Settings, t: Translator, tz: str) -> list[str]:
    out = ["", f"## {t('Roles')}", "", f"| {t('Role')} | {t('Holder')} | {t('From')} | {t('Until')} |", "|---|---|---|---|"]
    order = {role: n for n, role in enumerate(settings.roles)}
    for a in sorted(incident.assignments, key=lambda a: (order.get(a.role, len(order)), a.started_at)):
        # A role held to the end ends with the crisis, not at the time the report is written.
        resolved = incident.resolved_at if incident.resolved_at and incident.resolved_at >= a.started_at else None
        ended = a.ended_at or resolved
        until = when(ended, tz) if ended else t("now")
        out.append(f"| {t(a.role)} | {mention(a.holder)} | {when(a.started_at, tz)} | {until} |")
    return out


def _draft(draft: Draft, t: Translator, tz: str) -> list[str]:
    out = [f"### {t('Draft #{number}', number=draft.number)} · {t(draft.state.value)}", ""]
    for version in draft.versions:
        heading = f"**v{version.version}** · {mention(version.author)} · {when(version.created_at, tz)}"
        out += [heading, "", _quote(sections.text(version.text)), ""]
        for approval in (a for a in draft.approvals if a.version == version.version):
            approved = t("approved for {role} by {person}", role=t(approval.role), person=mention(approval.approver))
            out.append(f"- {approved} · {when(approval.at, tz)}")
        for review in (r for r in draft.reviews if r.version == version.version):
            who = mention(review.reviewer)
            verb = t("rejected by {person}", person=who) if review.final else t("changes requested by {person}", person=who)
            out.append("- " + said(t, f"{verb} · {when(review.at, tz)}", sections.item(review.reason)))
        out.append("")
    if draft.published_at:
        where = sections.item(draft.published_where) if draft.published_where else "-"
        published = f"{when(draft.published_at, tz)} · {mention(draft.published_by)} · {where}"
        out += ["- " + said(t, t("Published"), published), ""]
    return out


def people_in(incident: Incident) -> set[str]:
    """Everyone the report may name, so a caller can look their names up in one go."""
    found = {incident.reporter, *(a.holder for a in incident.assignments), *(u.author for u in incident.updates)}
    for draft in incident.drafts:
        found |= {v.author for v in draft.versions} | {a.approver for a in draft.approvals}
        found |= {r.reviewer for r in draft.reviews} | ({draft.published_by} if draft.published_by else set())
    # Role facts on the timeline name holders, who are all in the assignments above; action owners are named too.
    owners = {e.event.owner for e in incident.timeline if isinstance(e.event, ev.ActionRecorded) and e.event.owner}
    return found | {e.actor for e in incident.timeline} | owners | _mentioned(incident)


def _mentioned(incident: Incident) -> set[str]:
    """People a Slack user mentioned inside their words (a title "raised by @Carol"), named like everyone else."""
    texts = [incident.title, incident.description, incident.summary, *(u.text for u in incident.updates)]
    for draft in incident.drafts:
        texts += [v.text for v in draft.versions] + [r.reason for r in draft.reviews]
    notes = (ev.LessonRecorded, ev.ActionRecorded)
    texts += [e.event.text for e in incident.timeline if isinstance(e.event, notes)]
    return {person for text in texts if "<@" in text for person in MENTION.findall(text)}
