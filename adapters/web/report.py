"""The post-incident report as one self-contained HTML file (inline CSS and SVG, nothing fetched) that prints to PDF.

Order: the handling figures, the drawn timeline, the approved statements verbatim, then the full log. The figures and
sentences are the core's (`bot.report_figures`, `bot.describe`), as in the Markdown report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from adapters.runtime import Runtime
from adapters.web import board, templating, timeline
from bot import report_figures as rf
from bot.config import Settings
from bot.describe import fact, mention, named, places_in, when
from bot.errors import UnknownIncident
from bot.i18n import Translator, translator
from bot.model import Incident
from bot.ports import UnitOfWork
from bot.report import people_in
from bot.views import severity_label


@dataclass(frozen=True)
class Approved:
    title: str
    approved: str
    published: str
    text: str


def export(runtime: Runtime, key: str, language: str | None) -> tuple[str, str]:
    """The HTML report of `key` for `crisisbot export --format html`: (incident key, document).

    A shared document, like the Markdown one: its times are the team's (CRISISBOT_TIMEZONE)."""
    with runtime.uow_factory() as uow:
        found = load(uow, key)
    if found is None:
        raise UnknownIncident(key=key.upper())
    incident, names = found
    t = translator(language or runtime.settings.language)
    return incident.key, render(incident, names, runtime.settings, t, runtime.dispatcher.clock.now())


def file_name(incident: Incident) -> str:
    return f"{incident.key}-report.html"


def load(uow: UnitOfWork, key: str) -> tuple[Incident, dict[str, str]] | None:
    """The incident loaded whole and the display names of everyone and every place it mentions."""
    incident = uow.incidents.get_whole(key.upper())
    if incident is None:
        return None
    return incident, uow.people.names(people_in(incident) | places_in([e.event for e in incident.timeline]))


def render(incident: Incident, names: dict[str, str], settings: Settings, t: Translator, now: datetime) -> str:
    tz = settings.timezone
    status = t(incident.status.value)
    if incident.false_alarm:
        status = t("{status} (false alarm)", status=status)
    summary = [
        (t("Severity"), severity_label(incident.severity, t)),
        (t("Status"), status),
        (t("Reported by"), board.readable(mention(incident.reporter), names)),
        (t("Opened"), when(incident.created_at, tz)),
        (t("Resolved"), when(incident.resolved_at, tz)),
    ]
    if incident.summary:
        summary.append((t("Summary"), board.readable(incident.summary, names)))
    log = [
        (when(e.at, tz), board.readable(mention(e.actor), names), board.readable(fact(named(e.event, names), t), names))
        for e in incident.timeline
    ]
    return templating.render(
        "report.html",
        lang=t.language,
        incident=incident,
        # People a Slack user mentioned in their words read as names, as everywhere else in the document.
        title=f"{incident.key} · {board.readable(incident.title, names)}",
        description=board.readable(incident.description, names),
        heading=t("{key} report", key=incident.key),
        summary=summary,
        figures=board.figure_lines(rf.figures(incident, now), t, tz),
        svg=templating.svg(timeline.draw(incident, settings, t, now, names)),
        statements=approved_statements(incident, t, tz, names),
        log=log,
        w={
            "figures": t("How the crisis was handled"),
            "timeline": t("Timeline"),
            "statements": t("Approved statements"),
            "no_statement": t("No statement approved yet."),
            "log": t("Full log"),
            "when": t("When"),
            "who": t("Who"),
            "what": t("What"),
            "made": t("Report made {when}", when=when(now, tz)),
        },
    )


def approved_statements(incident: Incident, t: Translator, tz: str, names: dict[str, str]) -> list[Approved]:
    """Every version approved in full by the roles its draft required, in the order they were approved."""
    found = []
    for draft in incident.drafts:
        for version in draft.versions:
            if not draft.approved_in_full(version.version):
                continue
            given = [a for a in draft.approvals if a.version == version.version]
            approved_at = max(a.at for a in given)
            who = ", ".join(f"{t(a.role)} {board.readable(mention(a.approver), names)}" for a in given)
            published = "; ".join(f"{p.channel} · {when(p.at, tz)}" for p in draft.publications
                                  if p.version == version.version)
            found.append((approved_at, Approved(
                t("Draft #{number}", number=draft.number) + f" v{version.version}",
                f"{when(approved_at, tz)} · {who}",
                published or t("not published"),
                board.readable(version.text, names),
            )))
    return [a for _, a in sorted(found, key=lambda pair: pair[0])]
