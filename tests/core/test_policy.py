"""The incident model runs on any Policy: the few values it reads, not the whole configuration."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from bot.errors import InvalidCommand
from bot.model import Incident
from bot.policy import Policy
from tests.fakes import T0


@dataclass(frozen=True)
class SmallPolicy:
    roles: tuple[str, ...] = ("lead", "scribe")
    roster: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: {"scribe": ("sam",)})
    timezone: str = "Europe/Paris"
    key_prefix: str = "OPS"
    missed_checkins_before_escalation: int = 3

    def role(self, word: str) -> str | None:
        return word.lower() if word.lower() in self.roles else None

    def checkin_interval(self, severity: int, monitoring: bool = False) -> timedelta:
        return timedelta(minutes=10 * severity)

    def required_roles(self, severity: int) -> tuple[str, ...]:
        return ("lead",)


def test_an_incident_opens_with_the_values_of_the_policy_it_is_given() -> None:
    policy: Policy = SmallPolicy()
    incident = Incident.open(7, "Outage", 3, "rita", T0, policy)
    assert incident.key == "OPS-7"
    assert incident.holder("scribe") == "sam"
    assert incident.next_update_due == T0 + timedelta(minutes=30)


def test_roles_are_those_of_the_policy() -> None:
    incident = Incident.open(1, "Outage", 2, "rita", T0, SmallPolicy())
    with pytest.raises(InvalidCommand):
        incident.assign("comms", "bob", "rita", T0, SmallPolicy())
    incident.assign("lead", "bob", "rita", T0, SmallPolicy())
    assert incident.holder("lead") == "bob"


def test_a_reminder_escalates_after_the_policy_s_number_of_missed_check_ins() -> None:
    incident = Incident.open(1, "Outage", 1, "rita", T0, SmallPolicy())
    facts = [incident.record_checkin_reminder(T0 + timedelta(minutes=10 * n), SmallPolicy()) for n in (1, 2, 3)]
    assert [f.escalated for f in facts] == [False, False, True]  # the configuration's default would say 2
