"""Incidents as this process last committed them, so the next command on one needs its row only, not its children.

An entry is used only if the incident's stored version is still the one it was committed at: every change to an
incident or its children bumps that version (`SqlIncidents.flush`), so an equal version means equal rows, whoever
wrote last. Entries are private copies, handed to one unit of work at a time (taken out, put back at commit), so
no two threads ever share an aggregate, and the object a command returns stays the caller's. The timeline is not
kept, only its length, as when loading without history.
"""

from __future__ import annotations

import copy
import dataclasses
import threading
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from enum import Enum
from typing import Any

from bot.drafts import Approval, Draft, DraftVersion, Publication, Review
from bot.model import Conversation, Incident, RoleAssignment, StatusUpdate
from bot.objections import Objection
from storage.changes import Snapshot

KEPT = 256  # incidents; the oldest entry goes first


class IncidentCache:
    def __init__(self, kept: int = KEPT) -> None:
        self.kept = kept
        self.entries: dict[int, tuple[Incident, Snapshot]] = {}
        self.lock = threading.Lock()

    def take(self, number: int, version: int, events_recorded: int) -> tuple[Incident, Snapshot] | None:
        """The incident at this stored version, now owned by the caller; None if not kept at that version."""
        with self.lock:
            entry = self.entries.pop(number, None)
        if entry is None or entry[0].version != version or entry[1].timeline != events_recorded:
            return None
        return entry

    def put(self, incident: Incident, stored: Snapshot) -> None:
        """Keeps a private copy of `incident`, as committed (`stored` is its snapshot)."""
        kept = copy_incident(incident)
        with self.lock:
            self.entries.pop(incident.number, None)
            self.entries[incident.number] = (kept, stored)
            while len(self.entries) > self.kept:
                del self.entries[next(iter(self.entries))]

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


# -- copying -------------------------------------------------------------------------------------

Copier = Callable[[Any], Any]
ATOMS: tuple[type, ...] = (str, int, float, bool, bytes, type(None), datetime, date, time, timedelta, Enum)


# The exact types shared as they are; each enum class joins when first met (`_copier`), no value's type is Enum.
_atoms: set[type] = set(ATOMS) - {Enum}


def clone(value: Any) -> Any:
    """A deep copy that shares what cannot change (strings, numbers, datetimes, enum members, frozen dataclasses and
    tuples holding only such things): five to ten times faster than pickling, which rebuilds every datetime and
    enum member. Any other kind of object is copied with `copy.deepcopy`, so a field added to the model later is
    copied correctly, if more slowly, until it is taught here."""
    return _copier(type(value))(value)


_copiers: dict[type, Copier] = {}


def _copier(kind: type) -> Copier:
    found = _copiers.get(kind)
    if found is None:
        found = _copiers[kind] = _make_copier(kind)
        if found is _shared:
            _atoms.add(kind)
    return found


def _shared(value: Any) -> Any:
    return value


def _make_copier(kind: type) -> Copier:
    if issubclass(kind, ATOMS):
        return _shared
    if kind is list:
        return lambda value: [item if type(item) in _atoms else clone(item) for item in value]
    if kind is tuple or kind is frozenset:
        return _immutable_container
    if kind is dict:
        return lambda value: {key: clone(item) for key, item in value.items()}
    if dataclasses.is_dataclass(kind) and not hasattr(kind, "__slots__"):
        if kind.__dataclass_params__.frozen:  # type: ignore[attr-defined]
            return _frozen_dataclass
        return _dataclass
    return copy.deepcopy


def _immutable_container(value: Any) -> Any:
    items = [clone(item) for item in value]
    return value if all(a is b for a, b in zip(items, value, strict=True)) else type(value)(items)


def _frozen_dataclass(value: Any) -> Any:
    values = vars(value)
    if all(type(item) in _atoms for item in values.values()):  # the usual case, checked without a call per field
        return value
    fields = {name: clone(item) for name, item in values.items()}
    if all(item is getattr(value, name) for name, item in fields.items()):
        return value
    copied = object.__new__(type(value))
    vars(copied).update(fields)
    return copied


def _dataclass(value: Any, instead: dict[str, Any] | None = None) -> Any:
    """A copy of a mutable dataclass instance, with the fields in `instead` given those values rather than copied."""
    copied = object.__new__(type(value))
    fields = dict(vars(value))
    if instead:
        fields.update(instead)
    atoms = _atoms
    for name, item in fields.items():
        if type(item) not in atoms and (instead is None or name not in instead):
            fields[name] = clone(item)
    vars(copied).update(fields)
    return copied


# -- the incident, by hand -------------------------------------------------------------------------

# What the copier below knows of the aggregate: its mutable classes and their fields, and the frozen classes whose
# fields are all strings, numbers, datetimes or enum members (their instances are shared, as `clone` would).
_MUTABLE: dict[type, frozenset[str]] = {
    Incident: frozenset({
        "number", "title", "severity", "reporter", "created_at", "description", "source_url", "status", "updated_at",
        "next_update_due", "resolved_at", "summary", "false_alarm", "key_prefix", "conversations", "assignments",
        "drafts", "updates", "timeline", "earlier_events", "promised_update_at", "missed_checkins", "version",
        "signal_volume",
    }),
    RoleAssignment: frozenset({"role", "holder", "started_at", "assigned_by", "ended_at"}),
    Draft: frozenset({
        "number", "versions", "required_roles", "state", "approvals", "reviews", "approved_at", "publications",
        "objections", "peak_severity", "reminded_version", "escalated_version", "asked_at", "template",
    }),
    Objection: frozenset({"version", "objector", "reason", "at", "closed_at", "closed_by", "override_reason"}),
}
_FROZEN: dict[type, frozenset[str]] = {
    Conversation: frozenset({"platform", "id", "name", "left"}),
    StatusUpdate: frozenset({"text", "author", "at"}),
    DraftVersion: frozenset({"version", "text", "author", "created_at"}),
    Approval: frozenset({"version", "role", "approver", "at"}),
    Review: frozenset({"version", "final", "reviewer", "reason", "at"}),
    Publication: frozenset({"version", "channel", "person", "at", "severity"}),
}


def _knows_the_model() -> bool:
    """Whether the model still has exactly the fields the copier was written for (a field added later, or a frozen
    class made mutable, sends every copy the generic way until the copier is taught)."""
    for kind, names in [*_MUTABLE.items(), *_FROZEN.items()]:
        if {f.name for f in dataclasses.fields(kind)} != names or hasattr(kind, "__slots__"):
            return False
    return all(k.__dataclass_params__.frozen for k in _FROZEN) and not any(  # type: ignore[attr-defined]
        k.__dataclass_params__.frozen for k in _MUTABLE  # type: ignore[attr-defined]
    )


class _Unknown(Exception):
    """An object the copier was not written for: the incident is copied the generic way."""


def _shallow(value: Any, kind: type) -> Any:
    """A copy of a mutable dataclass instance of `kind` whose fields are all atoms."""
    if type(value) is not kind:
        raise _Unknown
    copied = object.__new__(kind)
    vars(copied).update(vars(value))
    return copied


def _copy_draft(draft: Draft) -> Draft:
    copied = _shallow(draft, Draft)
    fields = vars(copied)
    # Frozen children are shared, as `clone` shares them: a subclass of a frozen dataclass is frozen too.
    fields["versions"] = list(draft.versions)
    fields["approvals"] = list(draft.approvals)
    fields["reviews"] = list(draft.reviews)
    fields["publications"] = list(draft.publications)
    fields["objections"] = [_shallow(o, Objection) for o in draft.objections]
    if type(draft.required_roles) is not tuple or any(type(r) is not str for r in draft.required_roles):
        raise _Unknown
    return copied  # type: ignore[no-any-return]


def _copy_incident_by_hand(incident: Incident) -> Incident:
    copied = _shallow(incident, Incident)
    fields = vars(copied)
    fields["conversations"] = list(incident.conversations)
    fields["assignments"] = [_shallow(a, RoleAssignment) for a in incident.assignments]
    fields["drafts"] = [_copy_draft(d) for d in incident.drafts]
    fields["updates"] = list(incident.updates)
    fields["timeline"] = []
    fields["earlier_events"] = incident.events_recorded
    if incident.signal_volume is not None:
        fields["signal_volume"] = clone(incident.signal_volume)
    return copied  # type: ignore[no-any-return]


def _copy_incident_generically(incident: Incident) -> Incident:
    copied: Incident = _dataclass(incident, {"timeline": [], "earlier_events": incident.events_recorded})
    return copied


KNOWS_THE_MODEL = _knows_the_model()


def copy_incident(incident: Incident) -> Incident:
    """What the cache keeps of an incident: a copy that shares nothing mutable with it, its timeline left out (only
    its length kept, in `earlier_events`). Written out for the aggregate, which copies it several times faster than
    `clone` walking every field; an object of a mutable class the copier does not know (a subclass) sends the copy
    the generic way."""
    if KNOWS_THE_MODEL:
        try:
            return _copy_incident_by_hand(incident)
        except _Unknown:
            pass
    return _copy_incident_generically(incident)
