"""Four-eyes sign-off of a text prepared for others to use: a holding statement, an answer, the moderation line.

The same rule as a draft's (`bot.drafts`): every required role approves the current version, and never its own author.
Unlike a draft, a revision does not take the text out of use: the last approved version stays what people rely on
until the new one is approved, so the frontline is never left with nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.drafts import Approval, DraftState, DraftVersion, Review
from bot.errors import InvalidCommand, InvalidState, NotAuthorized
from bot.i18n import N_
from bot.plain_text import blank


def clean(text: str, limit: int, usage: str) -> str:
    text = text.strip()
    if blank(text):
        raise InvalidCommand("That needs text: `{usage}`.", usage=usage)
    if len(text) > limit:
        raise InvalidCommand("That text is limited to {limit} characters.", limit=limit)
    return text


# What a refusal says, per kind of text, so each reads whole in every language (a name is shown as typed).
REFUSALS = {
    "not waiting": {
        "template": N_("Template {name} is not waiting for approval (it is {state})."),
        "answer": N_("Answer #{name} is not waiting for approval (it is {state})."),
        "line": N_("The moderation line is not waiting for approval (it is {state})."),
    },
    "author": {
        "template": N_("You wrote version {version} of template {name}; someone else must approve it (four-eyes)."),
        "answer": N_("You wrote version {version} of answer #{name}; someone else must approve it (four-eyes)."),
        "line": N_("You wrote version {version} of the moderation line; someone else must approve it (four-eyes)."),
    },
    "already": {
        "template": N_("You already approved version {version} of template {name}."),
        "answer": N_("You already approved version {version} of answer #{name}."),
        "line": N_("You already approved version {version} of the moderation line."),
    },
    "no role": {
        "template": N_("Template {name} needs approval from: {roles}. You hold none of these roles."),
        "answer": N_("Answer #{name} needs approval from: {roles}. You hold none of these roles."),
        "line": N_("The moderation line needs approval from: {roles}. You hold none of these roles."),
    },
    "not reviewable": {
        "template": N_("Template {name} is not waiting for review (it is {state})."),
        "answer": N_("Answer #{name} is not waiting for review (it is {state})."),
        "line": N_("The moderation line is not waiting for review (it is {state})."),
    },
    "not reviewer": {
        "template": N_("Only the holders of {roles} can review template {name}."),
        "answer": N_("Only the holders of {roles} can review answer #{name}."),
        "line": N_("Only the holders of {roles} can review the moderation line."),
    },
}


@dataclass
class SignOff:
    """`kind` says what the text is in refusals (template, answer, line), `name` which one (as typed, or a number)."""

    kind: str
    name: str
    versions: list[DraftVersion]
    required_roles: tuple[str, ...]
    state: DraftState = DraftState.PENDING
    approvals: list[Approval] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)
    # The latest version every required role approved: what people use, even while a newer one waits.
    approved_version: int | None = None
    approved_at: datetime | None = None

    @classmethod
    def start(cls, kind: str, name: str, text: str, author: str, at: datetime, roles: tuple[str, ...]) -> SignOff:
        return cls(kind, name, [DraftVersion(1, text, author, at)], roles)

    def _refusal(self, situation: str) -> str:
        return REFUSALS[situation][self.kind]

    @property
    def current(self) -> DraftVersion:
        return self.versions[-1]

    @property
    def version(self) -> int:
        return self.current.version

    @property
    def approved(self) -> DraftVersion | None:
        if self.approved_version is None:
            return None
        return next(v for v in self.versions if v.version == self.approved_version)

    @property
    def is_waiting(self) -> bool:
        return self.state is DraftState.PENDING

    def approvals_of(self, version: int) -> list[Approval]:
        return [a for a in self.approvals if a.version == version]

    def missing_roles(self) -> tuple[str, ...]:
        done = {a.role for a in self.approvals_of(self.version)}
        return tuple(r for r in self.required_roles if r not in done)

    def revise(self, text: str, author: str, at: datetime, roles: tuple[str, ...]) -> None:
        """A new version, asked of the roles the policy names now; the approved one stays in use meanwhile."""
        self.versions.append(DraftVersion(self.version + 1, text, author, at))
        self.required_roles = roles
        self.state = DraftState.PENDING

    def approve(self, approver: str, held_roles: tuple[str, ...], at: datetime) -> tuple[str, ...]:
        if self.state is not DraftState.PENDING:
            raise InvalidState(self._refusal("not waiting"), name=self.name, state=self.state.value)
        if approver == self.current.author:
            raise NotAuthorized(self._refusal("author"), version=self.version, name=self.name)
        missing = self.missing_roles()
        roles = tuple(r for r in missing if r in held_roles)
        if not roles:
            if any(r in held_roles for r in self.required_roles):
                raise InvalidState(self._refusal("already"), version=self.version, name=self.name)
            raise NotAuthorized(self._refusal("no role"), name=self.name, roles=", ".join(missing))
        self.approvals.extend(Approval(self.version, role, approver, at) for role in roles)
        if not self.missing_roles():
            self.state = DraftState.APPROVED
            self.approved_version = self.version
            self.approved_at = at
        return roles

    def reject(self, reason: str, reviewer: str, held_roles: tuple[str, ...], at: datetime) -> None:
        if self.state is not DraftState.PENDING:
            raise InvalidState(self._refusal("not reviewable"), name=self.name, state=self.state.value)
        if not set(held_roles) & set(self.required_roles):
            raise NotAuthorized(self._refusal("not reviewer"), roles=", ".join(self.required_roles), name=self.name)
        if blank(reason):
            raise InvalidCommand("Say why it is rejected.")
        self.reviews.append(Review(self.version, True, reviewer, reason.strip(), at))
        self.state = DraftState.REJECTED


def signoff_document(signoff: SignOff) -> dict[str, object]:
    """Plain JSON-ready data, for storage (datetimes as ISO 8601 with their offset)."""
    return {
        "kind": signoff.kind,
        "name": signoff.name,
        "versions": [[v.version, v.text, v.author, v.created_at.isoformat()] for v in signoff.versions],
        "required_roles": list(signoff.required_roles),
        "state": signoff.state.value,
        "approvals": [[a.version, a.role, a.approver, a.at.isoformat()] for a in signoff.approvals],
        "reviews": [[r.version, r.final, r.reviewer, r.reason, r.at.isoformat()] for r in signoff.reviews],
        "approved_version": signoff.approved_version,
        "approved_at": signoff.approved_at.isoformat() if signoff.approved_at else None,
    }


def signoff_from(doc: dict[str, object]) -> SignOff:
    def at(value: object) -> datetime:
        return datetime.fromisoformat(str(value))

    def rows(name: str) -> list[list[object]]:
        found = doc.get(name) or []
        assert isinstance(found, list)
        return found

    approved_at = doc.get("approved_at")
    approved_version = doc.get("approved_version")
    return SignOff(
        kind=str(doc["kind"]),
        name=str(doc["name"]),
        versions=[DraftVersion(int(str(v[0])), str(v[1]), str(v[2]), at(v[3])) for v in rows("versions")],
        required_roles=tuple(str(r) for r in rows("required_roles")),
        state=DraftState(str(doc["state"])),
        approvals=[Approval(int(str(a[0])), str(a[1]), str(a[2]), at(a[3])) for a in rows("approvals")],
        reviews=[Review(int(str(r[0])), bool(r[1]), str(r[2]), str(r[3]), at(r[4])) for r in rows("reviews")],
        approved_version=int(str(approved_version)) if approved_version is not None else None,
        approved_at=at(approved_at) if approved_at else None,
    )
