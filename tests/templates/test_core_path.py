"""The whole path through the core: holding statements prepared in calm times, used in a crisis, and the brief."""

from __future__ import annotations

from bot.config import Settings
from bot.drafts import DraftState
from bot.replies import Card
from tests.harness import Harness

ROSTER = {"lead": ("lea",), "comms": ("carl", "cora"), "legal": ("lina",), "support": ("sam",)}
TEXT = "We are aware of delays on {product}. We are investigating; next update at {time}."


def shown(h: Harness, conversation: str | None = None) -> list[tuple[str, Card]]:
    """Every card that reached a conversation, posted or updated, with the message it lives in, in order."""
    found = [(s.ref or "", card, s) for s in h.gateway.posts if s.reply is not None for card in s.reply.cards]
    found += [(s.ref or "", s.card, s) for s in h.gateway.updates if s.card is not None]
    order = {id(s): n for n, s in enumerate([*h.gateway.posts, *h.gateway.updates])}
    found.sort(key=lambda item: order[id(item[2])])
    return [(ref, card) for ref, card, s in found if conversation is None or s.conversation == conversation]


def latest(h: Harness, card_id: str, conversation: str | None = None) -> Card:
    return [card for _, card in shown(h, conversation) if card.id == card_id][-1]


def news(h: Harness, conversation: str) -> list[str]:
    return [s.reply.text for s in h.gateway.posts if s.conversation == conversation and s.reply and s.reply.text]


def harness(**more: object) -> Harness:
    return Harness(Settings(roster=ROSTER, **more))  # type: ignore[arg-type]


def approved_template(h: Harness, name: str = "delivery-delay", text: str = TEXT) -> None:
    h.say(f"template {name} {text}", person="sam", conversation="prep")
    h.say(f"approve-template {name}", person="carl", conversation="prep")
    h.say(f"approve-template {name}", person="lina", conversation="prep")


def test_template_is_refused_by_its_author_and_approved_by_comms_and_legal_from_the_roster() -> None:
    h = harness()
    reply = h.say(f"template delivery-delay {TEXT}", person="carl", conversation="prep")
    assert "delivery-delay" in reply.text
    assert latest(h, "template:delivery-delay", "prep").buttons[0].command == "approve-template delivery-delay"
    refused = h.say("approve-template delivery-delay", person="carl", conversation="prep")
    assert "four-eyes" in refused.text and refused.private
    assert "hold none" in h.say("approve-template delivery-delay", person="sam").text
    h.say("approve-template delivery-delay", person="cora", conversation="prep")  # a backup of comms counts
    assert "already approved" in h.say("approve-template delivery-delay", person="cora").text
    reply = h.say("approve-template delivery-delay", person="lina", conversation="prep")
    assert "ready to use" in reply.text
    listed = h.say("templates").cards[0]
    assert [(f.label, f.value) for f in listed.fields] == [("delivery-delay · en", "approved · v1")]
    card = latest(h, "template:delivery-delay", "prep")
    assert card.buttons == () and "{product}, {time}" in {f.value for f in card.fields}
    assert len({ref for ref, c in shown(h, "prep") if c.id == "template:delivery-delay"}) == 1  # updated in place


def test_a_template_used_in_a_severity_1_crisis_needs_only_the_lead_and_is_published() -> None:
    h = harness()
    approved_template(h)
    h.say("open Kettles stuck in transit --sev 1", person="sam", conversation="war-room")
    reply = h.say('use delivery-delay product=Kettle K2 time="18:00"', person="sam", conversation="war-room")
    assert "filled in from approved template delivery-delay" in reply.text
    draft = h.incident().drafts[-1]
    assert draft.text == "We are aware of delays on Kettle K2. We are investigating; next update at 18:00."
    assert draft.required_roles == ("lead",) and draft.template == "delivery-delay"
    card = latest(h, "draft:CRI-1:1")
    assert ("Source", "from approved template delivery-delay") in {(f.label, f.value) for f in card.fields}
    assert "four-eyes" in h.say("approve", person="sam", conversation="war-room").text
    h.clock.advance(seconds=50)
    h.say("approve", person="lea", conversation="war-room")
    assert h.incident().drafts[-1].state is DraftState.APPROVED
    h.clock.advance(seconds=30)
    h.say("publish 1 website", person="lea", conversation="war-room")
    assert h.incident().drafts[-1].state is DraftState.PUBLISHED
    report = h.say("export", person="lea", conversation="war-room").file
    assert report is not None
    assert "Draft #1 came from approved template delivery-delay; from opening to its publication: 1m20s." in report.content


def test_a_missing_or_unknown_value_is_named_and_changes_nothing() -> None:
    h = harness()
    approved_template(h)
    h.say("open Kettles --sev 1", person="sam", conversation="war-room")
    assert "time" in h.say("use delivery-delay product=Kettle K2", person="sam", conversation="war-room").text
    assert "time" in h.say("use delivery-delay product=K2 time=", person="sam", conversation="war-room").text
    assert "colour" in h.say("use delivery-delay product=K2 time=1 colour=red", conversation="war-room").text
    assert "no template" in h.say("use nothing-here", conversation="war-room").text.lower()
    assert h.incident().drafts == []


def test_a_revised_template_draft_needs_the_full_policy() -> None:
    h = harness()
    approved_template(h)
    h.say("open Kettles --sev 1", person="sam", conversation="war-room")
    h.say("use delivery-delay product=K2 time=18:00", person="sam", conversation="war-room")
    h.say("revise 1 We are aware of delays on the K2. Sorry.", person="sam", conversation="war-room")
    draft = h.incident().drafts[-1]
    assert draft.required_roles == ("comms", "legal") and not draft.preapproved
    h.say("approve", person="lea", conversation="war-room")
    assert h.incident().drafts[-1].state is DraftState.PENDING
    card = latest(h, "draft:CRI-1:1")
    assert ("Source", "revised from approved template delivery-delay") in {(f.label, f.value) for f in card.fields}


def test_revising_an_approved_template_needs_approval_again_and_retiring_keeps_history() -> None:
    h = harness()
    approved_template(h)
    h.say("template delivery-delay Delays on {product}.", person="sam", conversation="prep")
    card = h.say("template delivery-delay").cards[0]
    assert card.text == "Delays on {product}."
    assert ("State", "revision pending") in {(f.label, f.value) for f in card.fields}
    h.say("open Kettles --sev 1", person="sam", conversation="war-room")
    h.say("use delivery-delay product=K2 time=18:00", person="sam", conversation="war-room")
    assert "next update at 18:00" in h.incident().drafts[-1].text  # the approved version is still the one used
    assert "template approvers" in h.say("retire delivery-delay", person="sam").text
    h.say("retire delivery-delay", person="lina")
    assert "retired" in h.say("use delivery-delay product=K2 time=1", conversation="war-room").text
    assert h.say("template delivery-delay").cards[0].text == "Delays on {product}."


def test_answers_and_line_are_approved_and_the_frontline_room_holds_the_brief() -> None:
    h = harness(frontline_channels=(("console", "support"),))
    approved_template(h)
    h.say("open Kettles stuck --sev 1", person="sam", conversation="war-room")
    h.say("assign comms @carl", person="sam", conversation="war-room")
    h.say("answer Is my order late? | Yes, by up to two days. | no refund needed", person="sam", conversation="war-room")
    assert not shown(h, "support")  # nothing approved yet
    assert "four-eyes" in h.say("approve-answer 1", person="sam", conversation="war-room").text
    h.say("approve-answer 1", person="carl", conversation="war-room")
    brief = latest(h, "brief:CRI-1", "support")
    assert ("Q: Is my order late?", "Yes, by up to two days. | no refund needed") in {
        (f.label, f.value) for f in brief.fields}
    assert "changed: answer “Is my order late?”" in news(h, "support")[-1]
    h.say("line Hide insults; answer questions with the approved answers; never delete complaints.", person="sam",
          conversation="war-room")
    h.say("approve-line", person="carl", conversation="war-room")
    h.say("use delivery-delay product=K2 time=18:00", person="sam", conversation="war-room")
    h.say("approve", person="lea", conversation="war-room")
    h.say("publish website", person="lea", conversation="war-room")
    assert len({ref for ref, _ in shown(h, "support")}) == 1  # updated in place
    last = latest(h, "brief:CRI-1", "support")
    values = {f.label.split(" (")[0]: f.value for f in last.fields}
    assert values["Public statement"].startswith("We are aware of delays on K2")
    assert values["Moderation line"].startswith("Hide insults")
    # A revision keeps the approved answer shown until it is approved.
    h.say("answer #1 Is my order late? | Up to three days.", person="sam", conversation="war-room")
    private = h.say("brief", person="anyone", conversation="dm-anyone").cards[0]
    assert "Yes, by up to two days. | no refund needed" in {f.value for f in private.fields}
    h.say("resolve Delivered", person="lea", conversation="war-room")
    assert "no longer changes" in latest(h, "brief:CRI-1", "support").note
    count = len(shown(h, "support"))
    h.say("publish 1 X", person="lea", conversation="war-room")
    assert len(shown(h, "support")) == count


def test_a_severity_raise_leaves_a_prepared_draft_to_the_lead() -> None:
    h = harness()
    approved_template(h)
    h.say("open Kettles --sev 2", person="sam", conversation="war-room")
    h.say("use delivery-delay product=K2 time=18:00", person="sam", conversation="war-room")
    h.say("severity 1", person="lea", conversation="war-room")
    h.say("approve", person="lea", conversation="war-room")
    h.say("publish 1 X", person="lea", conversation="war-room")
    assert h.incident().drafts[0].state is DraftState.PUBLISHED


def test_rejections_keep_the_approved_words_in_use_and_bad_input_changes_nothing() -> None:
    h = harness()
    approved_template(h)
    h.say("template delivery-delay Worse words for {product}.", person="sam", conversation="prep")
    assert "can review" in h.say("reject-template delivery-delay no", person="sam").text
    h.say("reject-template delivery-delay Too vague", person="lina", conversation="prep")
    card = h.say("template delivery-delay").cards[0]
    assert ("State", "approved") in {(f.label, f.value) for f in card.fields}
    assert ("Review", "<@lina>: Too vague") in {(f.label, f.value) for f in card.fields}
    h.say("open Kettles --sev 1", person="sam", conversation="war-room")
    h.say("answer Late? | Yes.", person="sam", conversation="war-room")
    h.say("reject-answer 1 Say how late", person="carl", conversation="war-room")
    assert "not waiting for approval" in h.say("approve-answer 1", person="carl", conversation="war-room").text
    assert "no answer #7" in h.say("approve-answer 7", person="carl", conversation="war-room").text
    assert "no moderation line" in h.say("approve-line", person="carl", conversation="war-room").text
    assert "Usage" in h.say("answer no bar here", person="sam", conversation="war-room").text
    assert "no template" in h.say("approve-template nothing", person="carl").text.lower()
    assert "template name" in h.say("template 9lives Hello", person="sam").text
    with h.dispatcher.uow_factory() as uow:
        assert [t.name for t in uow.templates.all()] == ["delivery-delay"]


def test_a_quoted_value_keeps_what_looks_like_a_key_inside_it() -> None:
    from bot.templates import parse_values

    assert parse_values('issue="price x=3 today" time=18h') == (("issue", "price x=3 today"), ("time", "18h"))
    assert parse_values("issue=« tarif x=3 » time=18h") == (("issue", "tarif x=3"), ("time", "18h"))
    assert parse_values("issue=a x=3") == (("issue", "a"), ("x", "3"))


def test_after_a_revision_is_rejected_the_list_names_the_version_still_in_use() -> None:
    # v2 was rejected: the words a crisis would use are v1's, and the list must not call v2 approved.
    h = harness()
    approved_template(h)
    h.say("template delivery-delay Delays on {product}.", person="sam", conversation="prep")
    h.say("reject-template delivery-delay Too vague for the public", person="carl", conversation="prep")
    listed = h.say("templates").cards[0]
    assert [(f.label, f.value) for f in listed.fields] == [("delivery-delay · en", "approved · v1")]


def test_the_brief_in_the_frontline_room_follows_a_new_promise_made_in_a_status_update() -> None:
    # Support agents read the time of the next update off the brief to tell customers; it must be the one the
    # public was last promised, not the one of the statement before.
    h = harness(frontline_channels=(("console", "support"),))
    h.say("open Kettles stuck --sev 2", person="sam", conversation="war-room")
    h.say("draft Deliveries are late. Next update at 12:00.", person="sam", conversation="war-room")
    h.say("approve", person="carl", conversation="war-room")
    h.say("approve", person="lina", conversation="war-room")
    h.say("publish 1 web", person="sam", conversation="war-room")
    due = {f.label: f.value for f in latest(h, "brief:CRI-1", "support").fields}["Next update due"]
    assert due == "2026-11-23 12:00 UTC"
    posted = len(news(h, "support"))
    h.clock.advance(minutes=30)
    h.say("update Carrier found. Next update at 15:00.", person="sam", conversation="war-room")
    due = {f.label: f.value for f in latest(h, "brief:CRI-1", "support").fields}["Next update due"]
    assert due == "2026-11-23 15:00 UTC"
    assert len(news(h, "support")) == posted  # the card is redrawn in place; the statement itself did not change


def test_a_value_given_twice_is_refused_rather_than_the_last_one_silently_published() -> None:
    h = harness()
    approved_template(h)
    h.say("open Kettles --sev 1", person="sam", conversation="war-room")
    reply = h.say("use delivery-delay product=K2 time=18:00 product=K3", person="sam", conversation="war-room")
    assert "use <name>" in reply.text
    assert h.incident().drafts == []


def test_a_template_filled_in_by_the_lead_can_still_be_approved_by_someone() -> None:
    # Only the lead signs off a filled-in template, never its author: filled in by the lead, nobody could approve
    # it and the holding statement was stuck. It then needs what any draft of that severity needs.
    h = harness()
    approved_template(h)
    h.say("open Kettles --sev 1", person="lea", conversation="war-room")
    h.say("use delivery-delay product=K2 time=18:00", person="lea", conversation="war-room")
    h.say("approve", person="carl", conversation="war-room")
    h.say("approve", person="lina", conversation="war-room")
    assert h.incident().drafts[0].state is DraftState.APPROVED
    assert "published" in h.say("publish 1 web", person="lea", conversation="war-room").text


def test_a_template_retired_before_its_words_went_out_takes_back_their_approval_ahead() -> None:
    # The template approvers withdrew those words: the lead's approval alone no longer lets them out.
    retired_before_the_words_went_out(approved_first=False)


def test_a_template_retired_after_the_lead_approved_its_words_sends_them_back_to_pending() -> None:
    retired_before_the_words_went_out(approved_first=True)


def retired_before_the_words_went_out(approved_first: bool) -> None:
    h = harness()
    approved_template(h)
    h.say("open Kettles stuck in transit --sev 1", person="sam", conversation="war-room")
    h.say("use delivery-delay product=K2 time=18:00", person="sam", conversation="war-room")
    if approved_first:
        h.say("approve", person="lea", conversation="war-room")
    h.say("retire delivery-delay", person="lina", conversation="prep")
    reply = h.say("approve" if not approved_first else "publish 1 web", person="lea", conversation="war-room")
    assert "template delivery-delay was retired" in reply.text and "comms" in reply.text, reply.text
    draft = h.incident().drafts[-1]
    assert draft.state is DraftState.PENDING and not draft.preapproved and draft.publications == []
    assert not [f for f in latest(h, "draft:CRI-1:1").fields if f.label == "Source"]  # no longer "approved ahead"
    h.say("publish 1 web", person="lea", conversation="war-room")
    assert h.incident().drafts[-1].publications == []  # still short of comms and legal
    h.say("approve", person="carl", conversation="war-room")
    h.say("approve", person="lina", conversation="war-room")
    if not approved_first:
        h.say("approve", person="lea", conversation="war-room")
    h.say("publish 1 web", person="lea", conversation="war-room")
    assert [p.channel for p in h.incident().drafts[-1].publications] == ["web"]
