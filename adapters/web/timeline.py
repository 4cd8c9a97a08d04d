"""The incident's life drawn on a time axis: a pure layout (shapes with coordinates), drawn as SVG by a template.

Rows, top to bottom: the incident (active, monitoring, resolved), status updates as ticks with the silences longer
than the due interval shaded, one bar per draft (written → approved → published), role changes as marks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot import events as ev
from bot.config import Settings
from bot.describe import duration, when
from bot.i18n import Translator
from bot.model import Incident, Status

# Facts that end a draft unpublished: its bar stops there.
_CLOSING = (ev.DraftDiscarded, ev.DraftRejected, ev.DraftClosed)
WIDTH = 1000
LEFT = 130  # room for the row labels
RIGHT = 20
ROW = 34
TOP = 30


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    width: float
    height: float
    kind: str  # a CSS class: active, monitoring, silence, written, approved, published
    title: str


@dataclass(frozen=True)
class Mark:
    x: float
    y: float
    kind: str  # update, publication, role
    title: str


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str
    anchor: str = "start"


@dataclass(frozen=True)
class Drawing:
    width: int
    height: int
    boxes: tuple[Box, ...]
    marks: tuple[Mark, ...]
    labels: tuple[Label, ...]
    ticks: tuple[Label, ...]
    grid: tuple[float, ...]
    legend: tuple[tuple[str, str], ...]
    title: str
    axis_y: float


class _Axis:
    def __init__(self, start: datetime, end: datetime) -> None:
        self.start = start
        self.span = max((end - start).total_seconds(), 60.0)

    def x(self, at: datetime) -> float:
        share = (at - self.start).total_seconds() / self.span
        return round(LEFT + min(max(share, 0.0), 1.0) * (WIDTH - LEFT - RIGHT), 1)


def _tick_step(span: float) -> timedelta:
    for minutes in (1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080):
        if span / (minutes * 60) <= 8:
            return timedelta(minutes=minutes)
    return timedelta(days=14)


def _ticks(axis: _Axis, end: datetime, tz: str, y: float) -> tuple[tuple[Label, ...], tuple[float, ...]]:
    step = _tick_step(axis.span)
    zone = ZoneInfo(tz)
    local = axis.start.astimezone(zone)
    # The first round time after the start, in the team's time zone.
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    elapsed = (local - midnight) // step
    at = midnight + step * (elapsed + 1)
    labels, grid = [], []
    fmt = "%d/%m %H:%M" if axis.span > 86400 else "%H:%M"
    while at < end.astimezone(zone):
        x = axis.x(at)
        labels.append(Label(x, y, at.strftime(fmt), "middle"))
        grid.append(x)
        at += step
    return tuple(labels), tuple(grid)


def draw(incident: Incident, settings: Settings, t: Translator, now: datetime, names: Mapping[str, str] | None = None
         ) -> Drawing:
    """`incident` loaded whole (its timeline from the opening); `names` gives people's display names."""
    known = names or {}

    def who(person: str) -> str:
        return "@" + known.get(person, person)

    tz = settings.timezone
    start = incident.created_at
    end = incident.resolved_at if incident.status is Status.RESOLVED and incident.resolved_at else now
    end = max(end, start + timedelta(minutes=1))
    axis = _Axis(start, end)
    boxes: list[Box] = []
    marks: list[Mark] = []
    labels: list[Label] = []

    def row_y(row: int) -> float:
        return TOP + row * ROW

    # Row 0: the incident's states.
    labels.append(Label(8, row_y(0) + 17, t("Incident")))
    state, since = Status.ACTIVE.value, start
    severity_at: list[tuple[datetime, int]] = []
    status_at: list[tuple[datetime, str]] = [(start, state)]
    for entry in incident.timeline:
        if isinstance(entry.event, ev.StatusChanged):
            boxes.append(_span(axis, since, entry.at, row_y(0), state, t(state), tz))
            state, since = entry.event.new, entry.at
            status_at.append((entry.at, state))
        elif isinstance(entry.event, ev.SeverityChanged):
            severity_at.append((entry.at, entry.event.new))
        elif isinstance(entry.event, ev.IncidentOpened):
            severity_at.insert(0, (entry.at, entry.event.severity))
    if state != Status.RESOLVED.value:
        boxes.append(_span(axis, since, end, row_y(0), state, t(state), tz))

    # Row 1: status updates, and the silences longer than the cadence of the moment (its severity, and the slower
    # cadence of monitoring); time spent resolved is no silence.
    labels.append(Label(8, row_y(1) + 17, t("Status updates")))
    moments = [start, *(u.at for u in incident.updates)]
    closes = [*moments[1:], end]
    for begin, finish in zip(moments, closes, strict=True):
        severity = next((s for at, s in reversed(severity_at) if at <= begin), incident.severity)
        status = next(s for at, s in reversed(status_at) if at <= begin)
        if status == Status.RESOLVED.value:
            continue
        if finish - begin > settings.checkin_interval(severity, monitoring=status == Status.MONITORING.value):
            title = t("silence of {duration}", duration=duration(finish - begin, t))
            boxes.append(Box(axis.x(begin), row_y(1) + 4, max(axis.x(finish) - axis.x(begin), 1), ROW - 8, "silence",
                             f"{when(begin, tz)} → {when(finish, tz)} · {title}"))
    for update in incident.updates:
        said = f"{when(update.at, tz)} · {who(update.author)} · {update.text[:120]}"
        marks.append(Mark(axis.x(update.at), row_y(1), "update", said))

    # One row per draft. A bar that did not end in what its legend says (a draft still waiting, discarded, rejected,
    # approved and never published) is titled with the draft's state instead, and stops when the draft was closed.
    closings = {e.event.number: e.at for e in incident.timeline if isinstance(e.event, _CLOSING)}
    row = 2
    for draft in incident.drafts:
        labels.append(Label(8, row_y(row) + 17, t("Draft #{number}", number=draft.number)))
        written = draft.versions[0].created_at
        approved = draft.approved_at
        published = min((p.at for p in draft.publications), default=None)
        closed = closings.get(draft.number) if draft.is_closed else None
        state = t(draft.state.value)
        stop = approved or published or closed or end
        waited = t("written → approved") if approved or published else state
        boxes.append(_span(axis, written, stop, row_y(row), "written", waited, tz))
        if approved is not None:
            shown = t("approved → published") if published else state
            boxes.append(_span(axis, approved, published or closed or end, row_y(row), "approved", shown, tz))
        for p in draft.publications:
            marks.append(Mark(axis.x(p.at), row_y(row), "publication", f"{when(p.at, tz)} · {p.channel[:80]}"))
        row += 1

    # Role changes.
    labels.append(Label(8, row_y(row) + 17, t("Roles")))
    for entry in incident.timeline:
        if isinstance(entry.event, ev.RoleAssigned | ev.RoleReleased):
            what = t("{role}: {holder}", role=t(entry.event.role), holder=who(entry.event.holder))
            if isinstance(entry.event, ev.RoleReleased):
                what = t("{role} released by {holder}", role=t(entry.event.role), holder=who(entry.event.holder))
            marks.append(Mark(axis.x(entry.at), row_y(row), "role", f"{when(entry.at, tz)} · {what}"))
    row += 1

    axis_y = row_y(row) + 16
    ticks, grid = _ticks(axis, end, tz, axis_y)
    legend = (
        ("active", t("active")), ("monitoring", t("monitoring")), ("silence", t("silence longer than the cadence")),
        ("written", t("written → approved")), ("approved", t("approved → published")),
        ("publication", t("publication")), ("update", t("status update")), ("role", t("role change")),
    )
    title = t("{key} from {start} to {end}", key=incident.key, start=when(start, tz), end=when(end, tz))
    return Drawing(WIDTH, int(axis_y + 56), tuple(boxes), tuple(marks), tuple(labels), ticks, grid, legend, title,
                   axis_y - 14)


def _span(axis: _Axis, begin: datetime, finish: datetime, y: float, kind: str, what: str, tz: str) -> Box:
    width = max(axis.x(finish) - axis.x(begin), 2)
    return Box(axis.x(begin), y + 8, width, ROW - 16, kind, f"{what} · {when(begin, tz)} → {when(finish, tz)}")
