"""Facts the core records on an incident's timeline. Each is a frozen dataclass named in the past tense."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any


@dataclass(frozen=True)
class IncidentOpened:
    title: str
    severity: int


@dataclass(frozen=True)
class ConversationLinked:
    platform: str
    conversation: str
    name: str = ""


@dataclass(frozen=True)
class ConversationUnlinked:
    platform: str
    conversation: str
    name: str = ""


@dataclass(frozen=True)
class RoleAssigned:
    role: str
    holder: str
    previous: str | None = None


@dataclass(frozen=True)
class RoleReleased:
    role: str
    holder: str


@dataclass(frozen=True)
class SeverityChanged:
    old: int
    new: int


@dataclass(frozen=True)
class StatusChanged:
    old: str
    new: str
    summary: str = ""
    false_alarm: bool = False


@dataclass(frozen=True)
class DraftCreated:
    number: int
    version: int


@dataclass(frozen=True)
class DraftRevised:
    number: int
    version: int


@dataclass(frozen=True)
class ApprovalGiven:
    number: int
    version: int
    roles: tuple[str, ...]


@dataclass(frozen=True)
class DraftApproved:
    number: int
    version: int


@dataclass(frozen=True)
class DraftRejected:
    number: int
    version: int
    reason: str


@dataclass(frozen=True)
class ChangesRequested:
    number: int
    version: int
    reason: str


@dataclass(frozen=True)
class DraftPublished:
    number: int
    version: int
    where: str = ""


@dataclass(frozen=True)
class TemplateWithdrawn:
    """The template a draft was filled from was retired before its words went out: they are no longer approved ahead,
    so the draft now needs `roles` as well, like any draft of the severity."""

    number: int
    version: int
    template: str
    roles: tuple[str, ...]


@dataclass(frozen=True)
class ApprovalRequirementRaised:
    """A severity change made the policy ask `roles` of a draft that had not been approved by them."""

    number: int
    version: int
    roles: tuple[str, ...]
    severity: int
    raised: bool = True


@dataclass(frozen=True)
class ObjectionRaised:
    number: int
    version: int
    reason: str


@dataclass(frozen=True)
class ObjectionWithdrawn:
    number: int
    version: int


@dataclass(frozen=True)
class ObjectionOverridden:
    number: int
    version: int
    objectors: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class DraftDiscarded:
    number: int
    version: int


@dataclass(frozen=True)
class StatusUpdatePosted:
    text: str


@dataclass(frozen=True)
class NoteAdded:
    text: str


@dataclass(frozen=True)
class CheckInReminderSent:
    missed: int
    escalated: bool = False


@dataclass(frozen=True)
class CheckInSnoozed:
    minutes: int


@dataclass(frozen=True)
class PromiseMade:
    """A status update or a published draft told the public when the next update comes."""

    due: str  # ISO 8601 with the speaker's UTC offset: facts are stored as JSON
    excerpt: str


@dataclass(frozen=True)
class ApprovalReminderSent:
    number: int
    version: int
    roles: tuple[str, ...]
    people: tuple[str, ...]
    escalated: bool = False


@dataclass(frozen=True)
class DraftClosed:
    """A draft left unpublished when its incident was resolved as a false alarm."""

    number: int
    version: int


@dataclass(frozen=True)
class LessonRecorded:
    text: str


@dataclass(frozen=True)
class ActionRecorded:
    text: str
    owner: str = ""


@dataclass(frozen=True)
class DetectedFromSignals:
    """Opened from a weak-signal alert: when the first signal came and when the alert was raised (ISO times)."""

    topic: str
    alert: int
    first_signal_at: str
    alerted_at: str
    signals: int


@dataclass(frozen=True)
class SignalsAttached:
    """New signals joined a crisis: its card's volume changes. Not written on the timeline (one a batch)."""

    count: int


# -- holding statements and the frontline (`bot.handlers_frontline`) --


@dataclass(frozen=True)
class TemplateUsed:
    """Draft `number` was written from the approved version `template_version` of a holding statement."""

    number: int
    template: str
    template_version: int


@dataclass(frozen=True)
class AnswerProposed:
    number: int
    version: int
    question: str


@dataclass(frozen=True)
class AnswerApprovalGiven:
    number: int
    version: int
    roles: tuple[str, ...]


@dataclass(frozen=True)
class AnswerApproved:
    number: int
    version: int
    question: str


@dataclass(frozen=True)
class AnswerRejected:
    number: int
    version: int
    reason: str


@dataclass(frozen=True)
class LineProposed:
    version: int


@dataclass(frozen=True)
class LineApprovalGiven:
    version: int
    roles: tuple[str, ...]


@dataclass(frozen=True)
class LineApproved:
    version: int


@dataclass(frozen=True)
class LineRejected:
    version: int
    reason: str


Event = (
    IncidentOpened
    | ConversationLinked
    | RoleAssigned
    | RoleReleased
    | SeverityChanged
    | StatusChanged
    | DraftCreated
    | DraftRevised
    | ApprovalGiven
    | DraftApproved
    | DraftRejected
    | ChangesRequested
    | DraftPublished
    | ApprovalRequirementRaised
    | TemplateWithdrawn
    | ObjectionRaised
    | ObjectionWithdrawn
    | ObjectionOverridden
    | DraftDiscarded
    | StatusUpdatePosted
    | NoteAdded
    | CheckInReminderSent
    | CheckInSnoozed
    | ApprovalReminderSent
    | DraftClosed
    | LessonRecorded
    | ActionRecorded
    | PromiseMade
    | DetectedFromSignals
    | SignalsAttached
    | ConversationUnlinked
    | TemplateUsed
    | AnswerProposed
    | AnswerApprovalGiven
    | AnswerApproved
    | AnswerRejected
    | LineProposed
    | LineApprovalGiven
    | LineApproved
    | LineRejected
)

EVENT_TYPES: dict[str, type[Event]] = {cls.__name__: cls for cls in Event.__args__}


def event_kind(event: Event) -> str:
    return type(event).__name__


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def event_data(event: Event) -> dict[str, Any]:
    # Field names read once per event type: `fields()` builds its list anew at every call, once per timeline row.
    names = _FIELD_NAMES.get(type(event))
    if names is None:
        names = _FIELD_NAMES[type(event)] = tuple(f.name for f in fields(event))
    return {name: getattr(event, name) for name in names}


def event_from(kind: str, data: dict[str, Any]) -> Event:
    cls = EVENT_TYPES[kind]
    # JSON turns tuples into lists; dataclasses here only ever hold tuples of str.
    values: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
    return cls(**values)
