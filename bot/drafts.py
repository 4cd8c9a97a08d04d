"""Draft public replies and the four-eyes approval rule."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from bot.errors import InvalidCommand, InvalidState, NotAuthorized

MAX_DRAFT_LENGTH = 2800  # fits one Block Kit section with room for the header


class DraftState(StrEnum):
    PENDING = "pending"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    PUBLISHED = "published"
    # Never to be published: its incident was resolved as a false alarm.
    CLOSED = "closed"


@dataclass(frozen=True)
class DraftVersion:
    version: int
    text: str
    author: str
    created_at: datetime


@dataclass(frozen=True)
class Approval:
    version: int
    role: str
    approver: str
    at: datetime


@dataclass(frozen=True)
class Review:
    """A rejection or a request for changes, with its reason."""

    version: int
    final: bool
    reviewer: str
    reason: str
    at: datetime


def _clean(text: str) -> str:
    text = text.strip()
    if not text:
        raise InvalidCommand("A draft needs text: `draft <the public reply>`.")
    if len(text) > MAX_DRAFT_LENGTH:
        raise InvalidCommand("A draft is limited to {limit} characters.", limit=MAX_DRAFT_LENGTH)
    return text


@dataclass
class Draft:
    number: int
    versions: list[DraftVersion]
    required_roles: tuple[str, ...]
    state: DraftState = DraftState.PENDING
    approvals: list[Approval] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)
    approved_at: datetime | None = None
    published_at: datetime | None = None
    published_by: str | None = None
    published_where: str = ""
    # The version for which a deadline reminder / escalation went out, so each is sent once per version.
    reminded_version: int = 0
    escalated_version: int = 0

    @classmethod
    def create(cls, number: int, text: str, author: str, at: datetime, required_roles: tuple[str, ...]) -> Draft:
        return cls(number, [DraftVersion(1, _clean(text), author, at)], required_roles)

    @property
    def current(self) -> DraftVersion:
        return self.versions[-1]

    @property
    def version(self) -> int:
        return self.current.version

    @property
    def text(self) -> str:
        return self.current.text

    @property
    def author(self) -> str:
        return self.current.author

    @property
    def is_open(self) -> bool:
        return self.state in (DraftState.PENDING, DraftState.CHANGES_REQUESTED)

    @property
    def waiting_since(self) -> datetime:
        return self.current.created_at

    def current_approvals(self) -> list[Approval]:
        return [a for a in self.approvals if a.version == self.version]

    def missing_roles(self) -> tuple[str, ...]:
        done = {a.role for a in self.current_approvals()}
        return tuple(r for r in self.required_roles if r not in done)

    def revise(self, text: str, author: str, at: datetime) -> None:
        if self.state in (DraftState.PUBLISHED, DraftState.REJECTED, DraftState.CLOSED):
            raise InvalidState("Draft #{number} is {state}; start a new draft.", number=self.number, state=self.state.value)
        # A new version clears approvals by construction: they are counted per version.
        self.versions.append(DraftVersion(self.version + 1, _clean(text), author, at))
        self.state = DraftState.PENDING
        self.approved_at = None

    def approve(self, approver: str, held_roles: tuple[str, ...], at: datetime) -> tuple[str, ...]:
        if self.state is not DraftState.PENDING:
            raise InvalidState(
                "Draft #{number} is not waiting for approval (it is {state}).", number=self.number, state=self.state.value
            )
        if approver == self.author:
            raise NotAuthorized(
                "You wrote version {version} of draft #{number}; someone else must approve it (four-eyes).",
                version=self.version,
                number=self.number,
            )
        missing = self.missing_roles()
        roles = tuple(r for r in missing if r in held_roles)
        if not roles:
            if any(r in held_roles for r in self.required_roles):
                raise InvalidState(
                    "You already approved version {version} of draft #{number}.", version=self.version, number=self.number
                )
            raise NotAuthorized(
                "Draft #{number} needs approval from: {roles}. You hold none of these roles.",
                number=self.number,
                roles=", ".join(missing),
            )
        self.approvals.extend(Approval(self.version, role, approver, at) for role in roles)
        if not self.missing_roles():
            self.state = DraftState.APPROVED
            self.approved_at = at
        return roles

    def decline(self, reason: str, reviewer: str, at: datetime, final: bool) -> None:
        if not self.is_open:
            raise InvalidState(
                "Draft #{number} is not waiting for review (it is {state}).", number=self.number, state=self.state.value
            )
        self.reviews.append(Review(self.version, final, reviewer, reason, at))
        self.state = DraftState.REJECTED if final else DraftState.CHANGES_REQUESTED

    def close(self) -> bool:
        """Closes a draft that was never published; False when there was nothing to close."""
        if self.state in (DraftState.PUBLISHED, DraftState.REJECTED, DraftState.CLOSED):
            return False
        self.state = DraftState.CLOSED
        return True

    def publish(self, where: str, actor: str, at: datetime) -> None:
        if self.state is not DraftState.APPROVED:
            raise InvalidState(
                "Only an approved draft can be published; #{number} is {state}.", number=self.number, state=self.state.value
            )
        self.state = DraftState.PUBLISHED
        self.published_at, self.published_by, self.published_where = at, actor, where
