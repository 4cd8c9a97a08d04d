"""Objections to a draft, and the draft's withdrawal by its author.

Anyone holding a role in the incident may object to a draft; an open objection blocks its approval and its
publication until the objector withdraws it or the lead overrides it, with a reason. The rules live here as a
mixin of `Incident`, so the aggregate still records one timeline fact per change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from bot import events as ev
from bot.describe import mention
from bot.errors import InvalidCommand, InvalidState, NotAuthorized, UnknownDraft
from bot.i18n import N_
from bot.plain_text import blank, within_limit

if TYPE_CHECKING:
    from bot.drafts import Draft


@dataclass
class Objection:
    version: int
    objector: str
    reason: str
    at: datetime
    closed_at: datetime | None = None
    closed_by: str | None = None
    # Set when the lead overrode it; empty when the objector withdrew it.
    override_reason: str = ""

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


def open_objections(objections: Sequence[Objection]) -> list[Objection]:
    return [o for o in objections if o.is_open]


class _Aggregate(Protocol):
    """What the objection rules need of the incident."""

    @property
    def key(self) -> str: ...

    @property
    def drafts(self) -> list[Draft]: ...

    def holder(self, role: str) -> str | None: ...

    def roles_of(self, person: str) -> tuple[str, ...]: ...

    def draft(self, number: int | None) -> Draft: ...

    def _record(self, at: datetime, actor: str, event: ev.Event) -> ev.Event: ...

    def _require_open(self) -> None: ...


def _latest(incident: _Aggregate, number: int | None, wanted: str, fits: list[Draft]) -> Draft:
    if number is not None:
        return incident.draft(number)
    if not fits:
        raise UnknownDraft(wanted, key=incident.key)
    return fits[-1]


class ObjectionRules:
    def object_to_draft(self: _Aggregate, number: int | None, reason: str, actor: str, at: datetime) -> ev.Event:
        self._require_open()
        if blank(reason):
            raise InvalidCommand("Say why: `object [draft-no] <reason>`.")
        reason = within_limit(reason)
        if not self.roles_of(actor):
            raise NotAuthorized("Only someone holding a role in {key} can object to a draft.", key=self.key)
        live = [d for d in self.drafts if not d.is_closed]
        draft = _latest(self, number, N_("Incident {key} has no draft to object to; give its number."), live)
        if draft.is_closed:
            raise InvalidState("Draft #{number} is {state}; there is nothing to object to.", number=draft.number,
                               state=draft.state.value)
        if any(o.objector == actor for o in open_objections(draft.objections)):
            raise InvalidState("You already object to draft #{number}; `withdraw {number}` first to change your reason.",
                               number=draft.number)
        draft.objections.append(Objection(draft.version, actor, reason.strip(), at))
        return self._record(at, actor, ev.ObjectionRaised(draft.number, draft.version, reason.strip()))

    def withdraw_objection(self: _Aggregate, number: int | None, actor: str, at: datetime) -> ev.Event:
        mine = [d for d in self.drafts if any(o.objector == actor for o in open_objections(d.objections))]
        draft = _latest(self, number, N_("You have no open objection in {key}."), mine)
        found = [o for o in open_objections(draft.objections) if o.objector == actor]
        if not found:
            raise InvalidState("You have no open objection to draft #{number}.", number=draft.number)
        for objection in found:
            objection.closed_at, objection.closed_by = at, actor
        return self._record(at, actor, ev.ObjectionWithdrawn(draft.number, draft.version))

    def override_objection(self: _Aggregate, number: int | None, reason: str, actor: str, at: datetime) -> ev.Event:
        lead = self.holder("lead")
        if actor != lead:
            if lead is None:
                raise NotAuthorized("Only the lead can override an objection, and nobody leads {key}: assign a lead.",
                                    key=self.key)
            raise NotAuthorized("Only the lead ({lead}) can override an objection.", lead=mention(lead))
        if blank(reason):
            raise InvalidCommand("Say why: `override [draft-no] <reason>`.")
        reason = within_limit(reason)
        objected = [d for d in self.drafts if open_objections(d.objections)]
        draft = _latest(self, number, N_("No draft of {key} has an open objection."), objected)
        found = open_objections(draft.objections)
        if not found:
            raise InvalidState("Draft #{number} has no open objection.", number=draft.number)
        for objection in found:
            objection.closed_at, objection.closed_by, objection.override_reason = at, actor, reason.strip()
        objectors = tuple(dict.fromkeys(o.objector for o in found))
        return self._record(at, actor, ev.ObjectionOverridden(draft.number, draft.version, objectors, reason.strip()))

    def discard_draft(self: _Aggregate, number: int | None, actor: str, at: datetime) -> ev.Event:
        self._require_open()
        draft = self.draft(number)
        draft.discard(actor)
        return self._record(at, actor, ev.DraftDiscarded(draft.number, draft.version))
