"""Approvals that follow the crisis: severity changes, objections, discards and publication per channel."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import events as ev
from bot.drafts import DraftState
from bot.publications import publication_rules
from tests.harness import Harness

ROLES = {"lead": "alice", "comms": "bob", "legal": "carol", "support": "sam", "product": "paula"}


def crisis(sev: int = 3) -> Harness:
    """Rita reports; every role has its own holder; Dan (support's backup, say) writes the drafts."""
    h = Harness()
    h.person = "rita"
    h.say(f"open Complaints about the new app --sev {sev}")
    for role, person in ROLES.items():
        h.say(f"assign {role} @{person}")
    return h


def drafted(sev: int = 3, text: str = "We hear you and are on it.") -> Harness:
    h = crisis(sev)
    h.say(f"draft {text}", person="sam")
    return h


def act(h: Harness, action: str) -> None:
    """One step of a generated sequence: "command@person" (Rita when no one is named), a minute after the last."""
    text, _, person = action.partition("@")
    h.clock.advance(minutes=1)
    h.say(text, person=person or "rita")


def facts(h: Harness, kind: type) -> list[ev.Event]:
    return [e.event for e in h.incident().timeline if isinstance(e.event, kind)]


# -- approvals follow severity ---------------------------------------------------------------------


def test_raising_severity_sends_an_approved_draft_back_for_the_roles_it_lacks() -> None:
    h = drafted(sev=3)
    h.say("approve", person="bob")
    assert h.incident().drafts[0].state is DraftState.APPROVED
    h.clock.advance(minutes=5)
    reply = h.say("severity 2")
    draft = h.incident().drafts[0]
    assert draft.state is DraftState.PENDING and draft.approved_at is None
    assert draft.required_roles == ("comms", "legal") and draft.missing_roles() == ("legal",)
    assert [(a.role, a.approver) for a in draft.current_approvals()] == [("comms", "bob")]  # kept
    assert "CRI-1 · draft #1 now also needs legal: severity raised to 2" in reply.text
    assert facts(h, ev.ApprovalRequirementRaised) == [ev.ApprovalRequirementRaised(1, 1, ("legal",), 2, True)]
    card = h.gateway.updates[-1].card
    assert card is not None and card.id == "draft:CRI-1:1"
    assert {f.label: f.value for f in card.fields}["State"] == "pending"
    assert h.say("publish 1 X", person="bob").private and not h.incident().drafts[0].publications
    h.say("approve", person="carol")
    h.say("publish 1 X", person="bob")
    assert h.incident().drafts[0].published_under_severity == 2


def test_open_and_changes_requested_drafts_also_gain_the_roles() -> None:
    h = drafted(sev=3)
    h.say("draft Second one", person="sam")
    h.say("changes 2 Softer please", person="bob")
    h.say("severity 1")
    drafts = h.incident().drafts
    assert [d.required_roles for d in drafts] == [("comms", "legal"), ("comms", "legal")]
    assert [d.state for d in drafts] == [DraftState.PENDING, DraftState.CHANGES_REQUESTED]
    assert len(facts(h, ev.ApprovalRequirementRaised)) == 2


def test_lowering_severity_never_drops_a_requirement_asked_or_met() -> None:
    h = drafted(sev=2)
    h.say("approve", person="carol")
    h.say("severity 4")
    draft = h.incident().drafts[0]
    assert draft.required_roles == ("comms", "legal") and draft.state is DraftState.PENDING
    assert facts(h, ev.ApprovalRequirementRaised) == []
    h.say("approve", person="bob")
    h.say("publish 1 website", person="bob")
    assert h.incident().drafts[0].publications[0].severity == 2  # held to the rules of the peak while it waited


def test_a_published_draft_stays_published_and_goes_out_again_only_under_the_policy_in_force() -> None:
    h = drafted(sev=3)
    h.say("approve", person="bob")
    h.say("publish 1 X", person="bob")
    h.say("severity 2")
    draft = h.incident().drafts[0]
    assert draft.state is DraftState.PUBLISHED and draft.required_roles == ("comms",)
    reply = h.say("publish 1 website", person="bob")
    assert reply.private and "legal" in reply.text and "severity 2" in reply.text
    assert [p.channel for p in h.incident().drafts[0].publications] == ["X"]
    assert h.incident().drafts[0].published_under_severity == 3  # "published under severity 3 rules" stays true


def test_a_draft_is_held_to_the_most_critical_severity_reached_while_it_waited() -> None:
    h = drafted(sev=3)
    h.say("severity 1")
    h.say("severity 3")
    h.say("draft Written after the lowering", person="sam")
    incident = h.incident()
    assert [d.peak_severity for d in incident.drafts] == [1, 3]
    assert [d.required_roles for d in incident.drafts] == [("comms", "legal"), ("comms",)]


ACTIONS = st.lists(
    st.sampled_from(
        ["severity 2", "severity 3", "approve 1@bob", "approve 1@carol", "publish 1 X@bob", "publish 1 web@bob",
         "revise 1 Better@sam", "object 1 No@carol", "withdraw 1@carol", "override 1 Go@alice"]
    ),
    max_size=12,
)


@settings(max_examples=80, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(ACTIONS)
def test_no_sequence_of_commands_publishes_words_the_policy_in_force_did_not_approve(actions: list[str]) -> None:
    h = drafted(sev=3)
    for action in actions:
        act(h, action)
    incident = h.incident()
    severity = 3
    for entry in incident.timeline:
        if isinstance(entry.event, ev.SeverityChanged):
            severity = entry.event.new
        if isinstance(entry.event, ev.DraftPublished):
            draft = incident.drafts[0]
            approved = {a.role for a in draft.approvals if a.version == entry.event.version and a.at <= entry.at}
            assert set(h.settings.required_roles(severity)) <= approved
            assert not [o for o in draft.objections if o.at <= entry.at and (o.closed_at is None or o.closed_at > entry.at)]


# -- objections ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", sorted(ROLES))
def test_any_role_holder_may_object_and_the_author_and_lead_are_told(role: str) -> None:
    h = drafted(sev=3)
    objector = ROLES[role]
    reply = h.say("object 1 This admits liability", person=objector)
    draft = h.incident().drafts[0]
    assert [(o.objector, o.reason) for o in draft.objections] == [(objector, "This admits liability")], reply.text
    assert facts(h, ev.ObjectionRaised) == [ev.ObjectionRaised(1, 1, "This admits liability")]
    told = {person for person, _ in h.gateway.direct}
    assert told == {"sam", "alice"} - {objector}
    assert all("This admits liability" in r.text for _, r in h.gateway.direct)
    card = h.gateway.updates[-1].card
    assert card is not None and {f.label: f.value for f in card.fields}["Objection"] == (
        f"<@{objector}>: This admits liability"
    )
    assert [b.label for b in card.buttons][:2] == ["Withdraw my objection", "Override objection"]


@pytest.mark.parametrize("person", ["rita", "mallory"])
def test_the_reporter_without_a_role_and_outsiders_cannot_object(person: str) -> None:
    h = drafted(sev=3)
    reply = h.say("object 1 I do not like it", person=person)
    assert reply.private and "holding a role" in reply.text
    assert h.incident().drafts[0].objections == [] and h.gateway.direct == []


def test_an_open_objection_blocks_approval_and_publication() -> None:
    h = drafted(sev=3)
    h.say("object 1 Wait for the carrier's figures", person="paula")
    reply = h.say("approve", person="bob")
    assert reply.private and "open objection by <@paula>: Wait for the carrier's figures" in reply.text
    assert h.incident().drafts[0].current_approvals() == []
    h.say("withdraw 1", person="paula")
    h.say("approve", person="bob")
    h.say("object 1 Still too early", person="carol")
    assert h.say("publish 1 X", person="bob").private
    h.say("withdraw", person="carol")
    h.say("publish 1 X", person="bob")
    assert h.incident().drafts[0].state is DraftState.PUBLISHED
    assert len(facts(h, ev.ObjectionWithdrawn)) == 2


@pytest.mark.parametrize("person", ["alice", "bob", "sam", "paula", "rita", "mallory"])
def test_only_the_objector_withdraws_an_objection(person: str) -> None:
    h = drafted(sev=3)
    h.say("object 1 Too vague", person="carol")
    reply = h.say("withdraw 1", person=person)
    assert reply.private and "no open objection" in reply.text
    assert h.incident().drafts[0].objections[0].is_open
    h.say("withdraw 1", person="carol")
    objection = h.incident().drafts[0].objections[0]
    assert (objection.closed_by, objection.override_reason) == ("carol", "")


@pytest.mark.parametrize("person", ["bob", "carol", "sam", "paula", "rita", "mallory"])
def test_only_the_lead_overrides_an_objection(person: str) -> None:
    h = drafted(sev=3)
    h.say("object 1 Too vague", person="carol" if person != "carol" else "bob")
    reply = h.say("override 1 We must speak now", person=person)
    assert reply.private and "lead" in reply.text
    assert h.incident().drafts[0].objections[0].is_open


def test_the_lead_overrides_with_a_reason_and_the_objector_is_told() -> None:
    h = drafted(sev=3)
    h.say("object 1 Too vague", person="carol")
    h.say("object 1 Wrong date", person="paula")
    assert h.say("override 1", person="alice").private  # a reason is required
    h.gateway.direct.clear()
    h.say("override 1 We must speak within the hour", person="alice")
    draft = h.incident().drafts[0]
    assert [(o.closed_by, o.override_reason) for o in draft.objections] == [("alice", "We must speak within the hour")] * 2
    assert facts(h, ev.ObjectionOverridden) == [
        ev.ObjectionOverridden(1, 1, ("carol", "paula"), "We must speak within the hour")
    ]
    assert {person for person, _ in h.gateway.direct} == {"carol", "paula"}
    card = h.gateway.updates[-1].card
    assert card is not None
    assert [f.value for f in card.fields if f.label == "Objection overridden"] == [
        "<@carol>: Too vague · <@alice>: We must speak within the hour",
        "<@paula>: Wrong date · <@alice>: We must speak within the hour",
    ]
    h.say("approve", person="bob")
    assert h.incident().drafts[0].state is DraftState.APPROVED


def test_nobody_overrides_while_nobody_leads() -> None:
    h = drafted(sev=3)
    h.say("release lead", person="alice")
    h.say("object 1 Too vague", person="carol")
    reply = h.say("override 1 Go", person="rita")
    assert reply.private and "nobody leads CRI-1" in reply.text


def test_one_open_objection_per_person_and_none_to_a_closed_draft() -> None:
    h = drafted(sev=3)
    h.say("object 1 Too vague", person="carol")
    assert h.say("object 1 Also too long", person="carol").private
    assert len(h.incident().drafts[0].objections) == 1
    h.say("discard 1", person="sam")
    assert h.say("object 1 Hm", person="bob").private


# -- discarding ------------------------------------------------------------------------------------


@pytest.mark.parametrize("person", ["alice", "bob", "carol", "paula", "rita", "mallory"])
def test_only_an_author_discards_a_draft(person: str) -> None:
    h = drafted(sev=3)
    assert h.say("discard 1", person=person).private
    assert h.incident().drafts[0].state is DraftState.PENDING


def test_a_discarded_draft_is_closed() -> None:
    h = drafted(sev=3)
    reply = h.say("abandonner 1", person="sam")
    assert h.incident().drafts[0].state is DraftState.DISCARDED, reply.text
    assert facts(h, ev.DraftDiscarded) == [ev.DraftDiscarded(1, 1)]
    for line, person in [("approve 1", "bob"), ("publish 1 X", "bob"), ("revise 1 New", "sam"), ("severity 1", "rita")]:
        h.say(line, person=person)
    draft = h.incident().drafts[0]
    assert draft.state is DraftState.DISCARDED and draft.required_roles == ("comms",) and not draft.publications


def test_a_published_draft_cannot_be_discarded() -> None:
    h = drafted(sev=3)
    h.say("approve", person="bob")
    h.say("publish 1 X", person="bob")
    assert h.say("discard 1", person="sam").private
    assert h.incident().drafts[0].state is DraftState.PUBLISHED


# -- publication per channel -----------------------------------------------------------------------


def test_the_same_approved_text_is_published_on_several_channels() -> None:
    h = drafted(sev=3)
    h.say("approve", person="bob")
    h.say("publish 1 X", person="bob")
    h.clock.advance(minutes=3)
    h.say("publish 1 press release", person="rita")  # the reporter may record publications
    h.clock.advance(minutes=3)
    h.say("publish e-mail to customers", person="sam")  # the draft number is implicit
    assert h.say("publish 1 x", person="bob").private  # the same channel twice is refused
    assert h.say("publish 1 website", person="mallory").private
    draft = h.incident().drafts[0]
    assert [(p.channel, p.person, p.version) for p in draft.publications] == [
        ("X", "bob", 1), ("press release", "rita", 1), ("e-mail to customers", "sam", 1),
    ]
    assert draft.publications[2].at - draft.publications[0].at == h.clock.at - draft.publications[0].at
    assert draft.published_where == "X, press release, e-mail to customers"
    assert len(facts(h, ev.DraftPublished)) == 3
    card = h.gateway.updates[-1].card
    assert card is not None
    published = {f.label: f.value for f in card.fields}["Published"].splitlines()
    assert published[1] == "press release · <@rita> · 2026-11-23 10:03 UTC"
    assert [b.label for b in card.buttons] == ["Mark published", "Object"]


def test_publish_without_a_number_goes_to_the_approved_draft_still_waiting() -> None:
    # Draft #2 published, draft #1 approved later: a bare `publish` means the words waiting, not #2 on one more channel.
    h = drafted(sev=3)
    h.say("draft A second statement.", person="sam")
    h.say("approve 2", person="bob")
    h.say("publish 2 X", person="bob")
    h.say("approve 1", person="bob")
    reply = h.say("publish website", person="bob")
    drafts = h.incident().drafts
    assert "#1" in reply.text and [p.channel for p in drafts[0].publications] == ["website"]
    assert [p.channel for p in drafts[1].publications] == ["X"]
    h.say("publish newsletter", person="bob")  # none waiting: the latest approved words, on one more channel
    assert [p.channel for p in h.incident().drafts[1].publications] == ["X", "newsletter"]


def test_a_revision_after_publication_is_refused() -> None:
    h = drafted(sev=3)
    h.say("approve", person="bob")
    h.say("publish 1 X", person="bob")
    reply = h.say("revise 1 A better text", person="sam")
    assert reply.private and "start a new draft" in reply.text
    assert h.incident().drafts[0].version == 1


def test_publish_without_a_channel_asks_where_and_changes_nothing() -> None:
    h = drafted(sev=3)
    h.say("approve", person="bob")
    reply = h.say("publish 1", person="bob")
    assert reply.private and reply.text.startswith("Where was it published?")
    assert h.incident().drafts[0].state is DraftState.APPROVED


def test_a_report_can_tell_the_rules_each_publication_went_out_under() -> None:
    h = drafted(sev=3)
    h.say("approve", person="bob")
    h.say("publish 1 X", person="bob")
    h.clock.advance(minutes=10)
    h.say("severity 2")
    h.say("draft Second statement", person="sam")
    h.say("approve 2", person="bob")
    h.say("approve 2", person="carol")
    h.say("publish 2 website", person="bob")
    rules = publication_rules(h.incident())
    assert [(r.draft.number, r.publication.channel, r.under, r.reached_later) for r in rules] == [
        (1, "X", 3, 2), (2, "website", 2, None),
    ]
