"""Draft public replies and the four-eyes approval rule."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from bot.describe import mention
from bot.errors import InvalidCommand, InvalidState, NotAuthorized
from bot.objections import Objection, open_objections
from bot.plain_text import blank

MAX_DRAFT_LENGTH = 2800  # fits one Block Kit section with room for the header


class DraftState(StrEnum):
    PENDING = "pending"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    PUBLISHED = "published"
    DISCARDED = "discarded"
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


@dataclass(frozen=True)
class Publication:
    """One channel the approved words went out on. `severity` is the one whose approval policy they met then."""

    version: int
    channel: str
    person: str
    at: datetime
    severity: int


def _clean(text: str) -> str:
    text = text.strip()
    if blank(text):
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
    publications: list[Publication] = field(default_factory=list)
    objections: list[Objection] = field(default_factory=list)
    # The most critical severity the incident reached while this draft could still be published: its rules apply.
    peak_severity: int = 4
    # The version for which a deadline reminder / escalation went out, so each is sent once per ask: a raise that
    # asks more roles of the current version resets them (see `require_roles`).
    reminded_version: int = 0
    escalated_version: int = 0
    # When a severity raise last asked the current version for more roles: its approval deadline counts from then.
    asked_at: datetime | None = None
    # The holding statement its first version was filled in from (`use <name>`), or "".
    template: str = ""

    @classmethod
    def create(
        cls, number: int, text: str, author: str, at: datetime, required_roles: tuple[str, ...], severity: int = 4
    ) -> Draft:
        return cls(number, [DraftVersion(1, _clean(text), author, at)], required_roles, peak_severity=severity)

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
    def preapproved(self) -> bool:
        """Words approved ahead as a template and not edited since: only CRISISBOT_PREAPPROVED_APPROVERS sign off."""
        return bool(self.template) and self.version == 1

    @property
    def is_open(self) -> bool:
        return self.state in (DraftState.PENDING, DraftState.CHANGES_REQUESTED)

    @property
    def published_at(self) -> datetime | None:
        return self.publications[0].at if self.publications else None

    @property
    def published_by(self) -> str | None:
        return self.publications[0].person if self.publications else None

    @property
    def published_where(self) -> str:
        return ", ".join(p.channel for p in self.publications)

    @property
    def published_under_severity(self) -> int | None:
        """The severity whose approval policy the draft met when it first went out (None if it never did).

        A report compares it with the severities the incident reached afterwards: publishing under severity 3 rules
        before a raise to 2 is fine; publishing below the policy in force is refused, so it never happens.
        """
        return self.publications[0].severity if self.publications else None

    @property
    def can_be_published(self) -> bool:
        return self.state in (DraftState.APPROVED, DraftState.PUBLISHED)

    def publishable_at(self, severity: int) -> bool:
        """Whether the approved words may go out now, at the incident's `severity`: an approved draft is always
        held to the peak it reached, while a published one whose approvals fall short of a later, more critical
        severity's policy stays behind it (see `require_roles`). An open objection holds it back too."""
        return self.can_be_published and self.peak_severity <= severity and not open_objections(self.objections)

    @property
    def is_closed(self) -> bool:
        return self.state in (DraftState.REJECTED, DraftState.DISCARDED, DraftState.CLOSED)

    @property
    def waiting_since(self) -> datetime:
        """Since when the approvers now asked have been asked: the version's creation, or a later raise."""
        created = self.current.created_at
        return self.asked_at if self.asked_at is not None and self.asked_at > created else created

    def current_approvals(self) -> list[Approval]:
        return [a for a in self.approvals if a.version == self.version]

    def approved_in_full(self, version: int) -> bool:
        """Whether that version was approved by every role the draft requires (whatever became of it since)."""
        roles = {a.role for a in self.approvals if a.version == version}
        return bool(roles) and set(self.required_roles) <= roles

    def missing_roles(self) -> tuple[str, ...]:
        done = {a.role for a in self.current_approvals()}
        return tuple(r for r in self.required_roles if r not in done)

    def require_roles(self, roles: tuple[str, ...], severity: int, at: datetime | None = None) -> tuple[str, ...]:
        """Adds what a new severity's policy asks; never removes a requirement. Returns the roles now lacking.

        An approved draft goes back to pending for them, keeping the approvals it has; a published draft keeps its
        requirements (its publications stand; a further one is checked against the policy in force, and returned
        roles it lacks for that).
        """
        if self.is_closed:
            return ()
        if self.state is DraftState.PUBLISHED:
            # Its publications stand and its requirements stay (approving a published text is not possible). It may
            # go out on one more channel only if its approvals already meet the new policy: then it meets that
            # severity's rules; else `peak_severity` stays behind the incident's severity, which tells a card (with no
            # settings at hand) to offer no publication, and the roles it lacks are returned for the channel to hear.
            approved = {a.role for a in self.current_approvals()}
            short = tuple(r for r in roles if r not in approved)
            if not short:
                self.peak_severity = min(self.peak_severity, severity)
            return short
        self.peak_severity = min(self.peak_severity, severity)
        added = tuple(r for r in roles if r not in self.required_roles)
        self.required_roles = (*self.required_roles, *added)
        lacking = tuple(r for r in added if r in self.missing_roles())
        if lacking and self.state is DraftState.APPROVED:
            self.state = DraftState.PENDING
            self.approved_at = None
        if lacking and self.state is DraftState.PENDING and at is not None:
            # The newly asked approvers get their own deadline, counted from the raise, with its reminder and
            # escalation, even if this version was already reminded about the roles it needed before.
            self.asked_at = at
            self.reminded_version = self.escalated_version = 0
        return lacking

    def _refuse_if_objected(self) -> None:
        found = open_objections(self.objections)
        if found:
            raise InvalidState(
                "Draft #{number} has an open objection by {person}: {reason}. It must be withdrawn or overridden by the lead first.",  # noqa: E501
                number=self.number,
                person=mention(found[0].objector),
                reason=found[0].reason,
            )

    def revise(self, text: str, author: str, at: datetime) -> None:
        if self.state in (DraftState.PUBLISHED, DraftState.REJECTED, DraftState.DISCARDED, DraftState.CLOSED):
            raise InvalidState("Draft #{number} is {state}; start a new draft.", number=self.number, state=self.state.value)
        # A new version clears approvals by construction: they are counted per version.
        self.versions.append(DraftVersion(self.version + 1, _clean(text), author, at))
        self.state = DraftState.PENDING
        self.approved_at = None
        self.asked_at = None

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
        self._refuse_if_objected()
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
        if self.is_closed or self.state is DraftState.PUBLISHED:
            return False
        self.state = DraftState.CLOSED
        return True

    def publish(self, channel: str, actor: str, at: datetime, policy: tuple[str, ...], severity: int) -> Publication:
        """Records the approved words going out on one channel; `policy` is what the severity in force requires."""
        if not self.can_be_published:
            raise InvalidState(
                "Only an approved draft can be published; #{number} is {state}.", number=self.number, state=self.state.value
            )
        self._refuse_if_objected()
        approved = {a.role for a in self.current_approvals()}
        lacking = [r for r in (*self.required_roles, *policy) if r not in approved]
        if lacking:
            raise InvalidState(
                "Draft #{number} lacks the approval of {roles}, which severity {severity} requires; start a new draft.",
                number=self.number,
                roles=", ".join(dict.fromkeys(lacking)),
                severity=severity,
            )
        if not channel:
            raise InvalidCommand("Say where it was published: `publish [draft-no] <channel>` (X, press release, website…).")
        if channel.casefold() in (p.channel.casefold() for p in self.publications):
            raise InvalidState("Draft #{number} is already recorded as published on {channel}.", number=self.number,
                               channel=channel)
        publication = Publication(self.version, channel, actor, at, min(self.peak_severity, severity))
        self.publications.append(publication)
        self.state = DraftState.PUBLISHED
        return publication

    def discard(self, actor: str) -> None:
        if actor not in {v.author for v in self.versions}:
            raise NotAuthorized("Only an author of draft #{number} can discard it.", number=self.number)
        if self.is_closed or self.state is DraftState.PUBLISHED:
            raise InvalidState("Draft #{number} is {state}; it cannot be discarded.", number=self.number,
                               state=self.state.value)
        self.state = DraftState.DISCARDED
