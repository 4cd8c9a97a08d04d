"""A conversation that left one crisis and follows another, on real storage: its commands refresh the right cards."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from storage.uow import SqlUnitOfWorkFactory, sql_uow_factory
from tests.harness import Harness


@pytest.fixture
def uow_factory(database_url: str) -> Iterator[SqlUnitOfWorkFactory]:
    factory = sql_uow_factory(database_url)
    yield factory
    factory.dispose()


def test_a_command_after_leaving_a_later_crisis_updates_the_cards_of_the_one_followed(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    h = Harness(uow_factory=uow_factory)
    h.say("open Kettles", conversation="kettles")
    h.say("open Parcels", conversation="parcels")
    h.say("join CRI-2", conversation="teams-room")
    h.say("leave CRI-2", conversation="teams-room")
    h.say("join CRI-1", conversation="teams-room")
    h.gateway.updates.clear()
    h.say("severity 1", conversation="teams-room")
    assert h.incident("CRI-1").severity == 1
    updated = {(u.conversation, u.card.id) for u in h.gateway.updates if u.card is not None}
    assert ("kettles", "incident:CRI-1") in updated
    assert not [u for u in h.gateway.updates if u.conversation == "parcels"]
