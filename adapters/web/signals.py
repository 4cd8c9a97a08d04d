"""The signal volume of each incident over the last hour, when the signal watch stores signals.

The signals table belongs to another part of crisisbot and may not exist yet: it is looked at, never assumed. Without
it (or without a column tying signals to incidents and a time column), the dashboard simply shows no trend.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, MetaData, Table, and_, func, inspect, select

from bot.i18n import Translator

log = logging.getLogger("crisisbot.dashboard")

HOUR = timedelta(hours=1)
# A change of less than a fifth either way reads as stable.
STABLE = 0.2
_INCIDENT_COLUMNS = ("incident_number", "incident")
_TIME_COLUMNS = ("received_at", "published_at", "at", "created_at")


def _columns(table: Table) -> tuple[Any, Any] | None:
    incident = next((table.c[n] for n in _INCIDENT_COLUMNS if n in table.c), None)
    at = next((table.c[n] for n in _TIME_COLUMNS if n in table.c), None)
    return (incident, at) if incident is not None and at is not None else None


def trend_words(last: int, before: int, t: Translator) -> str:
    if last > before * (1 + STABLE):
        direction = t("rising")
    elif last < before * (1 - STABLE):
        direction = t("falling")
    else:
        direction = t("stable")
    return t("{count} signals in the last hour, {trend}", count=last, trend=direction)


def trend_reader(uow_factory: Callable[[], object]) -> Callable[[datetime, Translator], dict[int, str]]:
    engine: Engine | None = getattr(uow_factory, "engine", None)

    def read(now: datetime, t: Translator) -> dict[int, str]:
        if engine is None:
            return {}
        try:
            with engine.connect() as connection:
                if "signals" not in inspect(connection).get_table_names():
                    return {}
                table = Table("signals", MetaData(), autoload_with=connection)
                columns = _columns(table)
                if columns is None:
                    return {}
                incident, at = columns
                naive = connection.dialect.name == "sqlite"  # SQLite keeps UTC without an offset (see storage.tables)

                def bound(moment: datetime) -> datetime:
                    return moment.astimezone(UTC).replace(tzinfo=None) if naive else moment

                counts: dict[int, list[int]] = {}
                for start, slot in ((now - HOUR, 0), (now - 2 * HOUR, 1)):
                    window = and_(at >= bound(start), at < bound(start + HOUR),
                                  incident.is_not(None))
                    query = select(incident, func.count()).where(window).group_by(incident)
                    for number, count in connection.execute(query):
                        counts.setdefault(int(number), [0, 0])[slot] = int(count)
        except Exception:  # another part's table, in whatever state: no trend rather than no dashboard
            log.warning("the dashboard could not read the signals", exc_info=True)
            return {}
        return {number: trend_words(last, before, t) for number, (last, before) in counts.items()}

    return read
