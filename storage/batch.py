"""Many rows in one statement on PostgreSQL: the rows travel as one JSON document that the server turns back into rows.

psycopg's `executemany` pipelines one statement per row, and the server still parses, plans and runs each of them. A
scheduler wake-up writes a hundred outbox messages at once, so on PostgreSQL they go as one
`INSERT … SELECT … FROM json_populate_recordset(…)`, whose SQL text does not depend on the number of rows (psycopg
prepares it once). One JSON parameter rather than one array per column: psycopg escapes arrays of JSON text character
by character, which costs more than the round trips it saves. SQLite, in process, needs none of this.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Insert, Table, TextClause, text

from storage.direct import Batch, Step


@cache
def json_insert(table: Table, columns: tuple[str, ...]) -> TextClause:
    # Names come from the table's own columns, never from data, so building the SQL text is safe.
    names = ", ".join(f'"{name}"' for name in columns)
    rows = f'json_populate_recordset(NULL::"{table.name}", :rows)'
    return text(f'INSERT INTO "{table.name}" ({names}) SELECT {names} FROM {rows}')


@cache
def json_checked_update(table: Table, columns: tuple[str, ...], key: str, check: str) -> TextClause:
    """Updates the rows named by `key` whose `check` column still holds the value given, and increments it."""
    sets = ", ".join(f'"{name}" = r."{name}"' for name in columns if name not in (key, check))
    rows = f'json_populate_recordset(NULL::"{table.name}", :rows) AS r'
    # The keys again as an array, so the rows are found through the key's index: joined to the function alone, the
    # planner scans the whole table (its row estimate for the function is fixed), which grows with every incident kept.
    keys = f'SELECT "{key}" FROM json_populate_recordset(NULL::"{table.name}", :rows)'
    where = (
        f'"{table.name}"."{key}" = r."{key}" AND "{table.name}"."{check}" = r."{check}"'
        f' AND "{table.name}"."{key}" = ANY(ARRAY({keys}))'
    )
    return text(f'UPDATE "{table.name}" SET {sets}, "{check}" = "{table.name}"."{check}" + 1 FROM {rows} WHERE {where}')


@cache
def plain_insert(table: Table) -> Insert:
    return table.insert()


def add_rows(batch: Batch, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Adds to `batch` the insert of `rows` (dicts with the same keys): one statement on PostgreSQL, one
    `executemany` elsewhere."""
    if not rows:
        return
    if batch.connection.dialect.name != "postgresql":
        batch.add(plain_insert(table), rows, tuple(rows[0]))
        return
    document = json.dumps(list(rows), default=_iso, ensure_ascii=False)
    batch.add(json_insert(table, tuple(rows[0])), {"rows": document})


def add_checked_update(batch: Batch, table: Table, rows: Sequence[dict[str, Any]], key: str, check: str) -> Step:
    """Adds to `batch` the update of many rows in one statement (PostgreSQL only), each row only while its `check`
    column still holds the value in its dict; that column is incremented. The step's row count says how many
    matched."""
    document = json.dumps(list(rows), default=_iso, ensure_ascii=False)
    return batch.add(json_checked_update(table, tuple(rows[0]), key, check), {"rows": document})


def _iso(value: Any) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is None:  # every datetime stored is aware UTC (storage.tables.UTCDateTime)
            raise ValueError(f"naive datetime {value!r} cannot be stored")
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
