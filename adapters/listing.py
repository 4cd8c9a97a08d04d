"""`crisisbot list --all` and `--status`: every incident the operator asks for, one line each, resolved ones included.

The chat's `list` shows open incidents and counts the resolved ones; an operator exporting a report after the fact
needs the keys of those too. Read-only, in the configured language, newest first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot.describe import when
from bot.i18n import Translator
from bot.model import Incident
from bot.ports import UnitOfWork
from bot.views import severity_label


def chosen(incidents: Sequence[Incident], status: str | None) -> list[Incident]:
    """The incidents with that status (every one for None), newest first."""
    kept = [i for i in incidents if status is None or i.status.value == status]
    return sorted(kept, key=lambda i: i.created_at, reverse=True)

def line(incident: Incident, t: Translator, tz: str) -> str:
    parts = [incident.key, incident.title, severity_label(incident.severity, t), t(incident.status.value)]
    if incident.false_alarm:
        parts.append(t("false alarm"))
    parts.append(t("opened {when}", when=when(incident.created_at, tz)))
    if incident.resolved_at is not None:
        parts.append(t("resolved {when}", when=when(incident.resolved_at, tz)))
    return " · ".join(parts)

def listing(uow_factory: Callable[[], UnitOfWork], status: str | None, t: Translator, tz: str) -> list[str]:
    with uow_factory() as uow:
        incidents = chosen(uow.incidents.list(include_resolved=True), status)
    if not incidents:
        return [t("No incident.") if status is None else t("No {status} incident.", status=t(status))]
    return [line(incident, t, tz) for incident in incidents]
