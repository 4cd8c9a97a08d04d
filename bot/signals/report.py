"""The report's first section for a crisis the watch detected: how long each step took, and the volume curve."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta

from bot import events as ev
from bot.describe import duration, said, when
from bot.i18n import Translator
from bot.model import Incident
from bot.signals.views import sparkline

# At most this many characters of sparkline: the bucket grows (15 min, 30 min, 1 h, …) to fit the crisis.
MAX_POINTS = 48


def detected(incident: Incident) -> ev.DetectedFromSignals | None:
    return next((e.event for e in incident.timeline if isinstance(e.event, ev.DetectedFromSignals)), None)


def volume_curve(times: Sequence[datetime], start: datetime, end: datetime) -> tuple[list[int], timedelta]:
    """Signals per bucket from `start` to `end`, with the bucket size used."""
    bucket = timedelta(minutes=15)
    while (end - start) / bucket > MAX_POINTS:
        bucket *= 2
    points = max(1, int((end - start) // bucket) + 1)
    counts = Counter(int((at - start) // bucket) for at in times if start <= at <= end)
    return [counts.get(i, 0) for i in range(points)], bucket


def detection(incident: Incident, times: Sequence[datetime], t: Translator, tz: str, now: datetime) -> list[str]:
    found = detected(incident)
    if found is None and not times:
        return []
    out = ["", f"## {t('Detection')}", ""]
    first_approved = next((e.at for e in incident.timeline if isinstance(e.event, ev.DraftApproved)), None)
    if found is not None:
        first = datetime.fromisoformat(found.first_signal_at)
        alerted = datetime.fromisoformat(found.alerted_at)
        out += [
            "- " + said(t, t("First signal"), when(first, tz)),
            "- " + said(t, t("First signal → alert"), duration(alerted - first, t)),
            "- " + said(t, t("Alert → crisis opened"), duration(incident.created_at - alerted, t)),
            "- " + said(t, t("First signal → first approved public statement"),
                        duration(first_approved - first, t) if first_approved else t("none yet")),
        ]
    if times:
        start = min(times[0], incident.created_at)
        end = incident.resolved_at or now
        counts, bucket = volume_curve(times, start, max(end, times[-1]))
        out += [
            "- " + said(t, t("Signals linked to the crisis"), len(times)),
            "- " + said(t, t("Volume per {minutes} min", minutes=int(bucket.total_seconds() // 60)),
                        f"`{sparkline(counts)}` ({when(start, tz)} → {when(max(end, times[-1]), tz)}, "
                        + t("peak {count}", count=max(counts)) + ")"),
        ]
    return out
