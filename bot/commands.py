"""What people ask the core to do: one frozen dataclass per command, named as a verb.

`incident` is the key given explicitly (`CRI-12 update ...`); None means "the incident of this conversation".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Origin:
    """Who speaks, from where. `request_id` makes a retried delivery harmless; `names` are the display names the door
    knows for the speaker and the people the command mentions, kept so reports name people rather than ids (and, keyed
    by the conversation id, the conversation's own name where the door knows it)."""

    person: str
    platform: str
    conversation: str
    language: str | None = None
    request_id: str | None = None
    names: tuple[tuple[str, str], ...] = ()
    # The speaker's IANA time zone where the platform tells it: times in answers to them use it.
    timezone: str | None = None
    # Work e-mail addresses the door knows, by platform account (the speaker's, the people mentioned): one person
    # across platforms is recognised by them (`bot.identities`).
    emails: tuple[tuple[str, str], ...] = ()
    # The card whose menu (a severity, a person for a role) sent the command, where the door knows it: the clicker's
    # screen shows the choice already, so a refusal draws the card again as it is (`bot.redraw`). Buttons keep no
    # choice on screen and leave it None.
    card: str | None = None


@dataclass(frozen=True)
class OpenIncident:
    title: str
    severity: int = 3
    description: str = ""
    source_url: str = ""


@dataclass(frozen=True)
class AskToOpen:
    """`open` with no title yet: a door with forms asks for the rest, the others answer with how to write it."""

    severity: int = 3


@dataclass(frozen=True)
class AssignRole:
    role: str
    person: str
    incident: str | None = None


@dataclass(frozen=True)
class ReleaseRole:
    role: str
    incident: str | None = None


@dataclass(frozen=True)
class ShowRoles:
    incident: str | None = None


@dataclass(frozen=True)
class CreateDraft:
    text: str
    incident: str | None = None


@dataclass(frozen=True)
class ReviseDraft:
    number: int
    text: str
    incident: str | None = None


@dataclass(frozen=True)
class ApproveDraft:
    number: int | None = None
    incident: str | None = None
    # The version the approver read: a card's button carries it, so a click on a card drawn before a revision is
    # refused rather than approving words its clicker never saw. Typed without one, the current version is approved
    # (the answer names it).
    version: int | None = None


@dataclass(frozen=True)
class RejectDraft:
    reason: str
    number: int | None = None
    incident: str | None = None


@dataclass(frozen=True)
class RequestChanges:
    reason: str
    number: int | None = None
    incident: str | None = None


@dataclass(frozen=True)
class PublishDraft:
    number: int | None = None
    where: str = ""
    incident: str | None = None


@dataclass(frozen=True)
class ObjectToDraft:
    reason: str
    number: int | None = None
    incident: str | None = None


@dataclass(frozen=True)
class WithdrawObjection:
    number: int | None = None
    incident: str | None = None


@dataclass(frozen=True)
class OverrideObjection:
    reason: str
    number: int | None = None
    incident: str | None = None


@dataclass(frozen=True)
class DiscardDraft:
    number: int | None = None
    incident: str | None = None


@dataclass(frozen=True)
class PostUpdate:
    text: str
    incident: str | None = None


@dataclass(frozen=True)
class ChangeSeverity:
    severity: int
    incident: str | None = None


@dataclass(frozen=True)
class Monitor:
    incident: str | None = None


@dataclass(frozen=True)
class Resolve:
    summary: str = ""
    incident: str | None = None
    # Resolved because there was no crisis after all: counted apart and pending drafts closed.
    false_alarm: bool = False


@dataclass(frozen=True)
class Reopen:
    incident: str | None = None


@dataclass(frozen=True)
class AddNote:
    text: str
    incident: str | None = None


@dataclass(frozen=True)
class SnoozeCheckIn:
    minutes: int
    incident: str | None = None


@dataclass(frozen=True)
class ShowStatus:
    incident: str | None = None


@dataclass(frozen=True)
class ShowTimeline:
    incident: str | None = None


@dataclass(frozen=True)
class ListIncidents:
    pass


@dataclass(frozen=True)
class RecordLesson:
    text: str
    incident: str | None = None


@dataclass(frozen=True)
class RecordAction:
    text: str
    owner: str = ""
    incident: str | None = None


@dataclass(frozen=True)
class ExportReport:
    incident: str | None = None


@dataclass(frozen=True)
class ShowDashboard:
    """A personal link to the live dashboard, answered to the asker alone."""


@dataclass(frozen=True)
class Help:
    """Also what malformed input becomes; `problem` says what was wrong (a msgid) and `detail` fills it."""

    problem: str = ""
    detail: str = ""
    # The verb whose usage line answers malformed input: that one line is shown, not the whole help.
    usage: str = ""


@dataclass(frozen=True)
class ShowTopics:
    pass


@dataclass(frozen=True)
class WatchTopic:
    name: str
    keywords: tuple[str, ...]
    excluded: tuple[str, ...] = ()


@dataclass(frozen=True)
class UnwatchTopic:
    name: str


@dataclass(frozen=True)
class ReportSignal:
    """A signal someone saw and reports from chat: the text, a link, or both."""

    text: str
    url: str = ""


@dataclass(frozen=True)
class ShowSignals:
    incident: str | None = None


@dataclass(frozen=True)
class OpenFromAlert:
    alert: int


@dataclass(frozen=True)
class WatchAlert:
    alert: int


@dataclass(frozen=True)
class DismissAlert:
    alert: int


@dataclass(frozen=True)
class JoinIncident:
    """Links the conversation it is typed in to the incident (`join CRI-12`), so the crisis is followed there too."""

    incident: str | None = None


@dataclass(frozen=True)
class LeaveIncident:
    incident: str | None = None


# -- holding statements, approved answers, the moderation line and the frontline brief (`bot.handlers_frontline`) --


@dataclass(frozen=True)
class ProposeTemplate:
    name: str
    text: str
    language: str = ""


@dataclass(frozen=True)
class ShowTemplate:
    name: str


@dataclass(frozen=True)
class ListTemplates:
    pass


@dataclass(frozen=True)
class ApproveTemplate:
    name: str


@dataclass(frozen=True)
class RejectTemplate:
    name: str
    reason: str


@dataclass(frozen=True)
class RetireTemplate:
    name: str


@dataclass(frozen=True)
class UseTemplate:
    name: str
    values: tuple[tuple[str, str], ...] = ()
    incident: str | None = None


@dataclass(frozen=True)
class ProposeAnswer:
    question: str
    answer: str
    number: int | None = None
    incident: str | None = None


@dataclass(frozen=True)
class ApproveAnswer:
    number: int
    incident: str | None = None


@dataclass(frozen=True)
class RejectAnswer:
    number: int
    reason: str
    incident: str | None = None


@dataclass(frozen=True)
class ProposeLine:
    text: str
    incident: str | None = None


@dataclass(frozen=True)
class ApproveLine:
    incident: str | None = None


@dataclass(frozen=True)
class RejectLine:
    reason: str
    incident: str | None = None


@dataclass(frozen=True)
class ImportTemplates:
    """Templates kept in version control (`crisisbot templates import`): (name, language, text) each, all or none."""

    templates: tuple[tuple[str, str, str], ...]


@dataclass(frozen=True)
class ShowBrief:
    incident: str | None = None


Command = (
    OpenIncident
    | AskToOpen
    | AssignRole
    | ReleaseRole
    | ShowRoles
    | CreateDraft
    | ReviseDraft
    | ApproveDraft
    | RejectDraft
    | RequestChanges
    | PublishDraft
    | ObjectToDraft
    | WithdrawObjection
    | OverrideObjection
    | DiscardDraft
    | PostUpdate
    | ChangeSeverity
    | Monitor
    | Resolve
    | Reopen
    | AddNote
    | SnoozeCheckIn
    | ShowStatus
    | ShowTimeline
    | ListIncidents
    | Help
    | RecordLesson
    | RecordAction
    | ExportReport
    | ShowDashboard
    | ShowTopics
    | WatchTopic
    | UnwatchTopic
    | ReportSignal
    | ShowSignals
    | OpenFromAlert
    | WatchAlert
    | DismissAlert
    | JoinIncident
    | LeaveIncident
    | ProposeTemplate
    | ShowTemplate
    | ListTemplates
    | ApproveTemplate
    | RejectTemplate
    | RetireTemplate
    | UseTemplate
    | ProposeAnswer
    | ApproveAnswer
    | RejectAnswer
    | ProposeLine
    | ApproveLine
    | RejectLine
    | ShowBrief
    | ImportTemplates
)


COMMAND_TYPES: dict[str, type[Command]] = {cls.__name__: cls for cls in Command.__args__}


def to_record(command: Command) -> dict[str, object]:
    """A command as plain JSON-ready data, so a door can write it down before acknowledging it."""
    return {"type": type(command).__name__, **{k: v for k, v in vars(command).items()}}


def from_record(record: dict[str, object]) -> Command:
    fields: dict[str, Any] = dict(record)  # checked by the dataclass itself: a wrong field raises TypeError
    cls = COMMAND_TYPES[str(fields.pop("type"))]
    return cls(**fields)

