"""Datetimes written to SQLite on the driver's cursor: one text per instant, whatever offset it was given in, and a
naive datetime refused even when the same wall-clock time was written before as UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from storage.direct import _sqlite_utc_text

PARIS = timezone(timedelta(hours=1))


def test_an_instant_is_written_as_utc_whatever_its_offset() -> None:
    at = datetime(2026, 11, 23, 10, 0, 0, 5, tzinfo=UTC)
    assert _sqlite_utc_text(at) == "2026-11-23 10:00:00.000005"
    assert _sqlite_utc_text(at.astimezone(PARIS)) == "2026-11-23 10:00:00.000005"
    later = datetime(2026, 11, 23, 11, 0, tzinfo=PARIS) + timedelta(hours=1)
    assert _sqlite_utc_text(later) == "2026-11-23 11:00:00.000000"
    assert _sqlite_utc_text(None) is None


def test_a_naive_datetime_is_refused_even_after_its_utc_twin() -> None:
    _sqlite_utc_text(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
    with pytest.raises(ValueError, match="naive"):
        _sqlite_utc_text(datetime(2026, 11, 23, 12, 0))
