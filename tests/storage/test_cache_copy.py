"""The incident cache's copy, written out for the aggregate, is the generic deep copy: equal, and sharing nothing
that can change (so the object a command returned is never touched by a later command, nor the cache's by it)."""

from __future__ import annotations

from dataclasses import dataclass, fields, is_dataclass
from typing import Any

from bot.model import RoleAssignment
from storage import cache
from tests.storage.test_round_trip import full_incident


def mutable_parts(value: Any) -> list[Any]:
    """Every list and every instance of a mutable dataclass reachable from `value`."""
    found: list[Any] = []
    if isinstance(value, list):
        found.append(value)
        for item in value:
            found += mutable_parts(item)
    elif is_dataclass(value) and not isinstance(value, type):
        if not value.__dataclass_params__.frozen:  # type: ignore[attr-defined]
            found.append(value)
        for f in fields(value):
            found += mutable_parts(getattr(value, f.name))
    elif isinstance(value, tuple):
        for item in value:
            found += mutable_parts(item)
    return found


def test_the_copier_knows_every_field_of_the_model() -> None:
    # A field added to the aggregate sends every copy the generic, slower way: teach `storage.cache` the new field.
    assert cache.KNOWS_THE_MODEL


def test_the_copy_by_hand_equals_the_generic_copy_and_shares_nothing_mutable() -> None:
    incident = full_incident()
    assert incident.drafts and incident.assignments and incident.updates
    assert any(d.objections for d in incident.drafts) and any(d.reviews for d in incident.drafts)
    copied = cache._copy_incident_by_hand(incident)  # not `copy_incident`, which may fall back to the generic copy
    assert copied == cache._copy_incident_generically(incident)
    assert copied.timeline == [] and copied.earlier_events == incident.events_recorded
    originals = {id(part) for part in mutable_parts(incident)}
    assert not [part for part in mutable_parts(copied) if id(part) in originals]


def test_changing_the_original_leaves_the_copy_as_it_was() -> None:
    incident = full_incident()
    copied = cache.copy_incident(incident)
    before = cache._copy_incident_generically(copied)
    incident.assignments[0].ended_at = incident.created_at
    incident.drafts[0].objections[0].override_reason = "changed"
    incident.drafts[0].approvals.clear()
    incident.conversations.pop()
    incident.severity = 4
    assert copied == before


@dataclass
class Acting(RoleAssignment):
    """A subclass the copier was not written for."""

    notes: list[str] | None = None


def test_an_object_the_copier_does_not_know_is_copied_the_generic_way() -> None:
    incident = full_incident()
    incident.assignments.append(Acting("support", "fay", incident.created_at, "alice", notes=["covering"]))
    copied = cache.copy_incident(incident)
    assert copied == cache._copy_incident_generically(incident)
    added = copied.assignments[-1]
    assert isinstance(added, Acting) and added.notes == ["covering"]
    assert added.notes is not incident.assignments[-1].notes  # type: ignore[attr-defined]
