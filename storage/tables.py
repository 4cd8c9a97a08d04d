"""The incident aggregate as normalized SQL tables.

Children are keyed by the incident number plus their position (`seq`), so saving appends rows without
asking the database for generated ids. Every datetime column is `UTCDateTime`: timezone-aware UTC in and out.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKeyConstraint, Index, Table, Text, inspect
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

# Named constraints, so later migrations can alter them by name on PostgreSQL.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC and always returns aware UTC datetimes.

    SQLite keeps no offset at all, so values are converted to UTC before binding (which also keeps its text
    comparisons, used by the due query, in chronological order) and given back their UTC tzinfo on read.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} would be ambiguous in storage; use UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _incident_child() -> tuple[Any, ...]:
    return (ForeignKeyConstraint(["incident_number"], ["incidents.number"], ondelete="CASCADE"),)


def _draft_child() -> tuple[Any, ...]:
    return (
        ForeignKeyConstraint(
            ["incident_number", "draft_number"], ["drafts.incident_number", "drafts.number"], ondelete="CASCADE"
        ),
    )


class IncidentRow(SQLModel, table=True):
    __tablename__ = "incidents"
    # The due check-in query reads only this index.
    __table_args__ = (Index("ix_incidents_status_due", "status", "next_update_due"),)

    number: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    key: str = Field(unique=True)
    title: str
    description: str = Field(default="", sa_type=Text)
    source_url: str = ""
    severity: int
    status: str
    reporter: str
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    next_update_due: datetime | None = Field(default=None, sa_type=UTCDateTime)
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    summary: str = Field(default="", sa_type=Text)
    missed_checkins: int = 0
    false_alarm: bool = False
    promised_update_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    version: int


class ConversationRow(SQLModel, table=True):
    __tablename__ = "incident_conversations"
    __table_args__ = (*_incident_child(), Index("ix_incident_conversations_place", "platform", "conversation_id"))

    incident_number: int = Field(primary_key=True)
    seq: int = Field(primary_key=True)
    platform: str
    conversation_id: str
    # What people call it, as the door named it when it was linked ("Teams › Legal › Crisis"), for the card.
    name: str = ""
    # Left with `leave`: the row stays (history is appended, never removed), the crisis is no longer followed there.
    unlinked: bool = False


class RoleAssignmentRow(SQLModel, table=True):
    __tablename__ = "role_assignments"
    __table_args__ = _incident_child()

    incident_number: int = Field(primary_key=True)
    seq: int = Field(primary_key=True)
    role: str
    holder: str
    assigned_by: str
    started_at: datetime = Field(sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class DraftRow(SQLModel, table=True):
    __tablename__ = "drafts"
    __table_args__ = (*_incident_child(), Index("ix_drafts_state", "state"))

    incident_number: int = Field(primary_key=True)
    number: int = Field(primary_key=True)
    required_roles: list[str] = Field(sa_type=JSON)
    state: str
    approved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    peak_severity: int
    reminded_version: int = 0
    escalated_version: int = 0
    asked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    template: str = ""


class DraftVersionRow(SQLModel, table=True):
    __tablename__ = "draft_versions"
    __table_args__ = _draft_child()

    incident_number: int = Field(primary_key=True)
    draft_number: int = Field(primary_key=True)
    version: int = Field(primary_key=True)
    text: str = Field(sa_type=Text)
    author: str
    created_at: datetime = Field(sa_type=UTCDateTime)


class ApprovalRow(SQLModel, table=True):
    __tablename__ = "draft_approvals"
    __table_args__ = _draft_child()

    incident_number: int = Field(primary_key=True)
    draft_number: int = Field(primary_key=True)
    seq: int = Field(primary_key=True)
    version: int
    role: str
    approver: str
    at: datetime = Field(sa_type=UTCDateTime)


class ReviewRow(SQLModel, table=True):
    __tablename__ = "draft_reviews"
    __table_args__ = _draft_child()

    incident_number: int = Field(primary_key=True)
    draft_number: int = Field(primary_key=True)
    seq: int = Field(primary_key=True)
    version: int
    final: bool
    reviewer: str
    reason: str = Field(sa_type=Text)
    at: datetime = Field(sa_type=UTCDateTime)


class PublicationRow(SQLModel, table=True):
    """Append-only: each channel an approved version went out on."""

    __tablename__ = "draft_publications"
    __table_args__ = _draft_child()

    incident_number: int = Field(primary_key=True)
    draft_number: int = Field(primary_key=True)
    seq: int = Field(primary_key=True)
    version: int
    channel: str = Field(sa_type=Text)
    person: str
    at: datetime = Field(sa_type=UTCDateTime)
    severity: int


class ObjectionRow(SQLModel, table=True):
    """An objection stays one row; withdrawing or overriding it fills in how it was closed."""

    __tablename__ = "draft_objections"
    __table_args__ = _draft_child()

    incident_number: int = Field(primary_key=True)
    draft_number: int = Field(primary_key=True)
    seq: int = Field(primary_key=True)
    version: int
    objector: str
    reason: str = Field(sa_type=Text)
    at: datetime = Field(sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_by: str | None = None
    override_reason: str = Field(default="", sa_type=Text)


class StatusUpdateRow(SQLModel, table=True):
    __tablename__ = "status_updates"
    __table_args__ = _incident_child()

    incident_number: int = Field(primary_key=True)
    seq: int = Field(primary_key=True)
    text: str = Field(sa_type=Text)
    author: str
    at: datetime = Field(sa_type=UTCDateTime)


class TimelineRow(SQLModel, table=True):
    """Append-only; `kind` and `data` are `bot.events.event_kind` / `event_data` of the fact."""

    __tablename__ = "timeline_entries"
    __table_args__ = _incident_child()

    incident_number: int = Field(primary_key=True)
    seq: int = Field(primary_key=True)
    at: datetime = Field(sa_type=UTCDateTime)
    actor: str
    kind: str
    data: dict[str, Any] = Field(sa_type=JSON)


class RequestRow(SQLModel, table=True):
    __tablename__ = "request_log"

    request_id: str = Field(primary_key=True)
    reply: str = Field(sa_type=Text)
    created_at: datetime = Field(sa_type=UTCDateTime)


class CardRefRow(SQLModel, table=True):
    __tablename__ = "card_refs"

    platform: str = Field(primary_key=True)
    conversation: str = Field(primary_key=True)
    card_id: str = Field(primary_key=True)
    message_ref: str


class SignalRow(SQLModel, table=True):
    """One public item (`bot.signals.model.Signal`), stored once per id."""

    __tablename__ = "signals"
    __table_args__ = (Index("ix_signals_incident", "incident", "received_at"),)

    id: str = Field(primary_key=True)
    source: str
    text: str = Field(sa_type=Text)
    url: str = Field(default="", sa_type=Text)
    author: str = ""
    reach: int = 0
    language: str = ""
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    received_at: datetime = Field(sa_type=UTCDateTime)
    # The crisis it was attached to, if any.
    incident: str | None = None


class SignalTopicRow(SQLModel, table=True):
    """Which topics a signal matched; the received time is copied so a window's count reads this index alone."""

    __tablename__ = "signal_topics"
    __table_args__ = (
        ForeignKeyConstraint(["signal_id"], ["signals.id"], ondelete="CASCADE"),
        Index("ix_signal_topics_topic_received", "topic", "received_at"),
    )

    signal_id: str = Field(primary_key=True)
    topic: str = Field(primary_key=True)
    received_at: datetime = Field(sa_type=UTCDateTime)
    reach: int = 0


class WatchTopicRow(SQLModel, table=True):
    """A topic set from chat; `removed` hides a configured topic of the same name."""

    __tablename__ = "watch_topics"

    name: str = Field(primary_key=True)
    keywords: list[str] = Field(sa_type=JSON)
    excluded: list[str] = Field(sa_type=JSON)
    removed: bool = False
    updated_by: str
    updated_at: datetime = Field(sa_type=UTCDateTime)


class SignalAlertRow(SQLModel, table=True):
    __tablename__ = "signal_alerts"
    __table_args__ = (Index("ix_signal_alerts_topic", "topic", "number"),)

    number: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    topic: str
    status: str
    raised_at: datetime = Field(sa_type=UTCDateTime)
    first_signal_at: datetime = Field(sa_type=UTCDateTime)
    count: int
    peak_reach: int
    severity: int
    updated_at: datetime = Field(sa_type=UTCDateTime)
    snoozed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    snoozed_count: int = 0
    decided_by: str = ""
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    incident: str | None = None
    round: int = 1


metadata = SQLModel.metadata


def table_of(model: type[SQLModel]) -> Table:
    """The Core table behind a SQLModel class, for statements built once and run without the ORM."""
    table = inspect(model).local_table  # the same object as `model.__table__`, which SQLModel does not declare
    assert isinstance(table, Table)
    return table


incidents = table_of(IncidentRow)
conversations = table_of(ConversationRow)
assignments = table_of(RoleAssignmentRow)
drafts = table_of(DraftRow)
draft_versions = table_of(DraftVersionRow)
approvals = table_of(ApprovalRow)
reviews = table_of(ReviewRow)
publications = table_of(PublicationRow)
objections = table_of(ObjectionRow)
updates = table_of(StatusUpdateRow)
timeline = table_of(TimelineRow)
requests = table_of(RequestRow)
card_refs = table_of(CardRefRow)
signals = table_of(SignalRow)
signal_topics = table_of(SignalTopicRow)
watch_topics = table_of(WatchTopicRow)
signal_alerts = table_of(SignalAlertRow)
