"""The holding statement and frontline scenarios again on SQLite and PostgreSQL, and their rows round trip."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import inspect, text

from bot.answers import Frontline
from bot.config import Settings
from bot.model import Conversation
from bot.templates import Template
from storage import make_engine, migrate, sql_uow_factory
from storage.library import frontline_document, frontline_from, template_document
from tests import harness
from tests.harness import Harness
from tests.templates import test_core_path

SCENARIOS = [
    "test_template_is_refused_by_its_author_and_approved_by_comms_and_legal_from_the_roster",
    "test_a_template_used_in_a_severity_1_crisis_needs_only_the_lead_and_is_published",
    "test_a_revised_template_draft_needs_the_full_policy",
    "test_revising_an_approved_template_needs_approval_again_and_retiring_keeps_history",
    "test_answers_and_line_are_approved_and_the_frontline_room_holds_the_brief",
]
AT = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize("name", SCENARIOS)
def test_scenario_on_real_storage(name: str, database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    factory = sql_uow_factory(database_url)
    built: list[harness.Harness] = []

    def on_storage(settings: Settings | None = None, **kwargs: Any) -> harness.Harness:
        built.append(harness.Harness(settings, uow_factory=factory, **kwargs))
        return built[-1]

    monkeypatch.setattr(test_core_path, "Harness", on_storage)
    try:
        scenario: Callable[[], None] = getattr(test_core_path, name)
        scenario()
    finally:
        factory.dispose()
    assert built


def test_templates_and_frontline_round_trip(database_url: str) -> None:
    factory = sql_uow_factory(database_url)
    try:
        template = Template.propose("delivery-delay", "Delays on {product}.", "fr", "sam", AT, ("comms", "legal"),
                                    Conversation("slack", "C1"))
        template.signoff.approve("carl", ("comms",), AT)
        with factory() as uow:
            uow.templates.add(template)
            uow.commit()
        with factory() as uow:
            loaded = uow.templates.get("delivery-delay")
            assert loaded is not None and template_document(loaded) == template_document(template)
            assert loaded.version == 1 and loaded.language == "fr"
            loaded.signoff.approve("lina", ("legal",), AT)
            uow.commit()
        with factory() as uow, factory() as other:
            first, second = uow.templates.get("delivery-delay"), other.templates.get("delivery-delay")
            assert first is not None and second is not None and first.signoff.approved_version == 1
            first.retire("lina", ("legal",), AT)
            second.retire("carl", ("comms",), AT)
            uow.commit()
            with pytest.raises(Exception, match="same moment"):
                other.commit()
        with factory() as uow:
            board = uow.frontline.get(1)
            assert board == Frontline(1)
    finally:
        factory.dispose()


def test_a_frontline_document_keeps_every_version() -> None:
    board = Frontline(3)
    board.propose_answer("Late?", "Yes.", "sam", AT, ("comms",))
    board.answers[0].signoff.approve("carl", ("comms",), AT)
    board.propose_answer("Late?", "Yes, two days.", "sam", AT, ("comms",))
    board.propose_line("Hide insults.", "sam", AT, ("comms",))
    board.note_change([("answer", "Late?")], AT)

    class Row:
        incident_number = 3
        version = 4
        document = frontline_document(board)

    loaded = frontline_from(Row())
    assert frontline_document(loaded) == frontline_document(board) and loaded.version == 4
    assert loaded.answers[0].signoff.approved is not None and loaded.answers[0].signoff.approved.text == "Yes."


def test_migration_0013_downgrades_in_place_and_upgrades_again(database_url: str) -> None:
    migrate.upgrade(database_url)
    factory = sql_uow_factory(database_url)
    try:
        h = Harness(Settings(roster={"lead": ("lea",)}), uow_factory=factory)
        h.say("open Kettles", person="sam")
        h.say("draft We are on it.", person="sam")
    finally:
        factory.dispose()
    migrate.downgrade(database_url, "0009")
    engine = make_engine(database_url)
    try:
        tables = set(inspect(engine).get_table_names())
        assert not {"holding_statements", "frontline"} & tables
        assert "template" not in {c["name"] for c in inspect(engine).get_columns("drafts")}
        with engine.connect() as connection:
            assert connection.execute(text("select count(*) from draft_versions")).scalar_one() == 1  # children kept
    finally:
        engine.dispose()
    migrate.upgrade(database_url)
