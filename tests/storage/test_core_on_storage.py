"""The core's behaviour tests, run again on the real unit of work instead of the in-memory fake.

Each scenario module builds its `Harness()` itself; here that name is pointed at a harness wired to the
database of the test, so the very same steps and assertions run against SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest

from bot.config import Settings
from storage import SqlUnitOfWorkFactory
from tests import harness
from tests.core import test_approvals, test_publish_policy, test_report, test_rules, test_workflow
from tests.templates import test_core_path

SCENARIOS: list[tuple[ModuleType, str]] = [
    (test_workflow, "test_open_creates_incident_with_key_and_due_update"),
    (test_workflow, "test_author_cannot_approve_own_draft"),
    (test_workflow, "test_non_holder_cannot_approve"),
    (test_workflow, "test_two_holders_approve_and_draft_freezes"),
    (test_workflow, "test_revise_clears_approvals"),
    (test_workflow, "test_resolved_incident_draft_cannot_be_approved"),
    (test_workflow, "test_retried_request_has_no_second_effect"),
    (test_workflow, "test_nul_characters_are_dropped_from_what_people_type_and_the_command_runs"),
    (test_workflow, "test_nul_in_a_display_name_does_not_fail_a_refused_command"),
    (test_rules, "test_roster_assigns_default_holders_when_an_incident_opens"),
    (test_rules, "test_reassigning_a_role_keeps_its_history"),
    (test_rules, "test_severity_change_replans_checkin_and_required_approvers"),
    (test_rules, "test_monitoring_slows_the_cadence_and_resolve_stops_it"),
    (test_rules, "test_request_changes_then_revise_then_approve"),
    (test_rules, "test_every_change_is_on_the_timeline_with_actor_and_time"),
    (test_rules, "test_key_given_first_targets_another_incident_from_anywhere"),
    (test_rules, "test_broadcast_updates_cards_in_place_in_every_conversation"),
    (test_report, "test_report_has_every_section_and_every_version"),
    (test_report, "test_false_alarm_is_recorded_closes_unpublished_drafts_and_keeps_published_ones"),
    (test_report, "test_a_closed_draft_cannot_be_revised_or_published_after_reopening"),
    (test_report, "test_a_false_alarm_is_counted_apart_in_the_report_and_the_list"),
    (test_report, "test_lessons_and_actions_close_the_report_even_when_recorded_after_the_crisis"),
    (test_report, "test_export_answers_the_report_as_a_file"),
    (test_approvals, "test_raising_severity_sends_an_approved_draft_back_for_the_roles_it_lacks"),
    (test_approvals, "test_open_and_changes_requested_drafts_also_gain_the_roles"),
    (test_approvals, "test_lowering_severity_never_drops_a_requirement_asked_or_met"),
    (test_approvals, "test_a_published_draft_stays_published_and_goes_out_again_only_under_the_policy_in_force"),
    (test_approvals, "test_a_draft_is_held_to_the_most_critical_severity_reached_while_it_waited"),
    (test_approvals, "test_an_open_objection_blocks_approval_and_publication"),
    (test_approvals, "test_the_lead_overrides_with_a_reason_and_the_objector_is_told"),
    (test_approvals, "test_a_discarded_draft_is_closed"),
    (test_approvals, "test_the_same_approved_text_is_published_on_several_channels"),
    (test_publish_policy, "test_a_published_draft_short_of_a_raised_policy_offers_no_publication"),
    (test_publish_policy, "test_a_raise_restarts_the_approval_deadline_of_a_draft_sent_back_to_pending"),
    (test_core_path, "test_a_template_retired_before_its_words_went_out_takes_back_their_approval_ahead"),
    (test_core_path, "test_a_template_retired_after_the_lead_approved_its_words_sends_them_back_to_pending"),
]


@pytest.mark.parametrize(("module", "name"), SCENARIOS, ids=[f"{m.__name__.rsplit('.', 1)[-1]}::{n}" for m, n in SCENARIOS])
def test_core_scenario_on_real_storage(
    module: ModuleType, name: str, uow_factory: SqlUnitOfWorkFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[harness.Harness] = []

    def on_storage(settings: Settings | None = None, **kwargs: Any) -> harness.Harness:
        built.append(harness.Harness(settings, uow_factory=uow_factory, **kwargs))
        return built[-1]

    monkeypatch.setattr(module, "Harness", on_storage)
    scenario: Callable[[], None] = getattr(module, name)
    scenario()
    # A scenario whose harness comes from another module would pass here on the in-memory fake, proving nothing.
    assert built, f"{name} never built its Harness in {module.__name__}: it did not run on storage"
