"""A draft card offers "Mark published" only when the policy of the severity in force is met."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import views
from bot.i18n import translator
from bot.objections import open_objections
from tests.core.test_approvals import ROLES, act
from tests.harness import Harness


def drafted(sev: int = 3) -> Harness:
    """Rita reports, every role has its holder, Sam (support) writes the draft.

    Built here, not imported from test_approvals: tests/storage/test_core_on_storage.py reruns these scenarios on
    real storage by replacing this module's `Harness`, which a borrowed `drafted` would not see.
    """
    h = Harness()
    h.person = "rita"
    h.say(f"open Complaints about the new app --sev {sev}")
    for role, person in ROLES.items():
        h.say(f"assign {role} @{person}")
    h.say("draft We hear you and are on it.", person="sam")
    return h


def buttons(h: Harness) -> list[str]:
    incident = h.incident()
    return [b.label for b in views.draft_card(incident, incident.drafts[0], translator("en")).buttons]


def fields(h: Harness) -> dict[str, str]:
    incident = h.incident()
    return {f.label: f.value for f in views.draft_card(incident, incident.drafts[0], translator("en")).fields}


def test_a_published_draft_short_of_a_raised_policy_offers_no_publication() -> None:
    h = drafted(sev=3)
    h.say("approve", person="bob")
    h.say("publish 1 X", person="bob")
    assert "Mark published" in buttons(h)
    reply = h.say("severity 2")
    # The channel hears it and the card shown there is refreshed without the button.
    assert "CRI-1 · draft #1 now also needs legal: severity raised to 2" in reply.text
    card = h.gateway.updates[-1].card
    assert card is not None and card.id == "draft:CRI-1:1"
    assert "Mark published" not in [b.label for b in card.buttons]
    assert "Mark published" not in buttons(h)
    assert fields(h)["Publication"].startswith("severity 2 requires approvals this version lacks")
    h.say("severity 3")
    assert "Mark published" in buttons(h) and "Publication" not in fields(h)
    h.say("publish 1 website", person="bob")
    assert [p.channel for p in h.incident().drafts[0].publications] == ["X", "website"]


def test_a_published_draft_that_meets_the_raised_policy_keeps_its_button() -> None:
    h = drafted(sev=2)
    h.say("approve", person="bob")
    h.say("approve", person="carol")
    h.say("severity 3")
    h.say("publish 1 X", person="bob")
    reply = h.say("severity 1")  # asks comms and legal, as severity 2 did
    assert "now also needs" not in reply.text and "Mark published" in buttons(h)
    h.say("publish 1 website", person="bob")
    assert [p.severity for p in h.incident().drafts[0].publications] == [2, 1]


def test_a_resolved_incident_offers_no_publication_below_its_policy() -> None:
    h = drafted(sev=3)
    h.say("approve", person="bob")
    h.say("publish 1 X", person="bob")
    h.say("severity 2")
    h.say("resolve Fixed")
    assert buttons(h) == []


ACTIONS = st.lists(
    st.sampled_from(
        ["severity 1", "severity 2", "severity 3", "severity 4", "approve 1@bob", "approve 1@carol",
         "publish 1 X@bob", "publish 1 web@bob", "revise 1 Better@sam", "object 1 No@carol", "withdraw 1@carol",
         "override 1 Go@alice", "resolve Done", "reopen"]
    ),
    max_size=12,
)


@settings(max_examples=30, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(ACTIONS)
def test_the_card_offers_publication_only_when_the_policy_in_force_is_met(actions: list[str]) -> None:
    h = drafted(sev=3)
    for action in actions:
        act(h, action)
        incident = h.incident()
        draft = incident.drafts[0]
        if "Mark published" in buttons(h):
            approved = {a.role for a in draft.current_approvals()}
            assert set(h.settings.required_roles(incident.severity)) <= approved
            assert set(draft.required_roles) <= approved and not open_objections(draft.objections)
            before = len(draft.publications)
            h.say(f"publish 1 Channel {before}", person="bob")  # a channel not used yet
            assert len(h.incident().drafts[0].publications) == before + 1


def test_a_resolved_incident_offers_no_publication_while_an_objection_is_open() -> None:
    h = drafted(sev=3)
    h.say("approve", person="bob")
    h.say("object 1 Not before the press call", person="carol")
    h.say("resolve Done")
    assert buttons(h) == []


def test_a_raise_restarts_the_approval_deadline_of_a_draft_sent_back_to_pending() -> None:
    h = drafted(sev=3)
    incident = h.incident()
    h.clock.advance(hours=3)
    h.say("approve", person="bob")
    h.clock.advance(minutes=5)
    h.say("severity 2")
    draft = h.incident().drafts[0]
    assert draft.waiting_since == h.clock.now() and draft.asked_at == h.clock.now()
    assert (draft.reminded_version, draft.escalated_version) == (0, 0)
    h.clock.advance(minutes=1)
    h.say("revise 1 We hear you.", person="sam")
    draft = h.incident().drafts[0]
    assert draft.asked_at is None and draft.waiting_since == h.clock.now() != incident.created_at
