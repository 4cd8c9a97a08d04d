from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.commands import Origin, ShowStatus
from bot.config import Settings
from bot.drafts import DraftState
from bot.model import Status
from tests.harness import Harness


def crisis(sev: int = 2, **kwargs: object) -> Harness:
    h = Harness(**kwargs)  # type: ignore[arg-type]
    h.say(f"open Complaints about the new app --sev {sev}")
    h.say("assign lead @alice")
    h.say("assign legal @carol")
    h.say("assign comms @bob")
    return h


def test_roster_assigns_default_holders_when_an_incident_opens() -> None:
    h = Harness(Settings(roster={"legal": ("carol", "dan"), "comms": ("bob",)}))
    h.say("open Bad buzz")
    incident = h.incident()
    assert (incident.holder("legal"), incident.holder("comms"), incident.holder("lead")) == ("carol", "bob", None)


def test_french_role_aliases_are_accepted() -> None:
    h = crisis()
    h.say("assign juridique @dan")
    h.say("assign service-client @sam")
    incident = h.incident()
    assert incident.holder("legal") == "dan" and incident.holder("support") == "sam"


def test_reassigning_a_role_keeps_its_history() -> None:
    h = crisis()
    h.clock.advance(minutes=10)
    h.say("assign legal @dan")
    legal = [a for a in h.incident().assignments if a.role == "legal"]
    assert [(a.holder, a.ended_at is None) for a in legal] == [("carol", False), ("dan", True)]
    assert legal[0].ended_at == legal[1].started_at == h.clock.at


def test_only_the_lead_or_reporter_steers_once_a_lead_exists() -> None:
    h = crisis()
    reply = h.say("severity 1", person="mallory")
    assert reply.private and h.incident().severity == 2
    reply = h.say("assign legal @mallory", person="mallory")
    assert reply.private and h.incident().holder("legal") == "carol"


def test_refusals_name_people_as_mentions_that_doors_render_as_names() -> None:
    h = crisis()
    reply = h.say("severity 1", person="mallory")
    assert reply.text == "Only the lead (<@alice>) or the reporter can do that."
    reply = h.say("assign legal @carol")
    assert reply.text == "<@carol> already holds legal."
    h.say("draft We are on it.", person="bob")
    h.say("object 1 Not yet", person="carol")
    assert h.say("override 1 Go", person="bob").text == "Only the lead (<@alice>) can override an objection."
    h.language = "fr"
    assert h.say("assign legal @carol").text == "<@carol> occupe déjà le rôle juridique."


def test_unknown_role_is_refused_with_the_list() -> None:
    h = crisis()
    reply = h.say("assign janitor @x")
    assert reply.private and "janitor" in reply.text and "legal" in reply.text


def test_severity_change_replans_checkin_and_required_approvers() -> None:
    h = crisis(sev=3)
    h.say("draft Statement", person="alice")
    assert h.incident().drafts[0].required_roles == ("comms",)
    h.clock.advance(minutes=5)
    h.say("severity 1")
    incident = h.incident()
    assert incident.drafts[0].required_roles == ("comms", "legal")
    assert incident.next_update_due == incident.created_at + timedelta(minutes=30)  # sooner, from the last beat


def test_update_resets_the_next_update_deadline() -> None:
    h = crisis(sev=2)
    h.clock.advance(minutes=40)
    h.say("update Carrier confirms a 2-day delay")
    incident = h.incident()
    assert incident.next_update_due == h.clock.at + timedelta(hours=1)
    assert incident.last_update is not None and incident.last_update.text == "Carrier confirms a 2-day delay"


def test_monitoring_slows_the_cadence_and_resolve_stops_it() -> None:
    h = crisis(sev=1)
    h.say("monitor")
    assert h.incident().next_update_due == h.clock.at + timedelta(hours=4)
    h.say("resolve Refunds sent")
    incident = h.incident()
    assert incident.status is Status.RESOLVED and incident.next_update_due is None and incident.summary == "Refunds sent"
    h.say("reopen")
    assert h.incident().status is Status.ACTIVE and h.incident().next_update_due is not None


def test_request_changes_then_revise_then_approve() -> None:
    h = crisis()
    h.say("draft v1", person="alice")
    reply = h.say("changes 1 Too defensive", person="carol")
    assert h.incident().drafts[0].state is DraftState.CHANGES_REQUESTED, reply.text
    assert h.say("approve 1", person="bob").private
    h.say("revise 1 v2 humbler", person="alice")
    h.say("approve", person="bob")
    h.say("approve", person="carol")
    draft = h.incident().drafts[0]
    assert draft.state is DraftState.APPROVED and draft.text == "v2 humbler" and draft.version == 2


def test_reject_is_final_and_needs_a_reviewer() -> None:
    h = crisis()
    h.say("draft v1", person="alice")
    assert h.say("reject 1 no", person="mallory").private
    h.say("reject 1 Legally risky", person="carol")
    draft = h.incident().drafts[0]
    assert draft.state is DraftState.REJECTED and draft.reviews[-1].reason == "Legally risky"
    assert h.say("revise 1 again", person="alice").private


def test_publish_needs_an_approved_draft_and_a_role() -> None:
    h = crisis()
    h.say("draft v1", person="alice")
    assert h.say("publish 1 X", person="bob").private
    h.say("approve", person="bob")
    h.say("approve", person="carol")
    assert h.say("publish 1 X", person="mallory").private
    h.say("publish 1 X and Facebook", person="bob")
    draft = h.incident().drafts[0]
    assert (draft.state, draft.published_by, draft.published_where) == (DraftState.PUBLISHED, "bob", "X and Facebook")


def test_every_change_is_on_the_timeline_with_actor_and_time() -> None:
    h = crisis()
    h.clock.advance(minutes=1)
    h.say("note Journalist from Le Monde called", person="bob")
    last = h.incident().timeline[-1]
    assert (last.actor, last.at, type(last.event).__name__) == ("bob", h.clock.at, "NoteAdded")


def test_key_given_first_targets_another_incident_from_anywhere() -> None:
    h = crisis()
    h.say("CRI-1 update From elsewhere", conversation="press-room", person="bob")
    assert h.incident().last_update is not None and h.incident().last_update.author == "bob"
    assert h.say("update no incident here", conversation="press-room").private


def test_replies_follow_the_language() -> None:
    h = Harness()
    h.language = "fr"
    reply = h.say("CRI-5 status")
    assert reply.text == "Aucun incident CRI-5. Essayez `liste`."


def test_broadcast_updates_cards_in_place_in_every_conversation() -> None:
    h = crisis()
    h.say("draft v1", person="alice")
    posted_ids = [s.reply.cards[0].id for s in h.gateway.posts if s.reply and s.reply.cards]
    assert posted_ids == ["incident:CRI-1", "draft:CRI-1:1"]
    h.say("approve", person="bob")
    assert h.gateway.updates[-1].card is not None and h.gateway.updates[-1].card.id == "draft:CRI-1:1"
    assert len([s for s in h.gateway.posts if s.reply and s.reply.cards]) == 2  # updated, never reposted


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(st.text(max_size=40), max_size=4))
def test_any_input_gets_a_reply_never_an_exception(lines: list[str]) -> None:
    h = crisis()
    for line in lines:
        reply = h.say(line, person="carol")
        assert reply.text or reply.cards


def test_times_in_an_answer_follow_the_speakers_time_zone() -> None:
    h = crisis(sev=2)
    origin = Origin("alice", "console", "general", timezone="Europe/Paris")
    card = h.dispatcher.dispatch(ShowStatus(), origin).reply.cards[0]
    due = {f.label: f.value for f in card.fields}["Next update due"]
    assert due == "2026-11-23 12:00 CET"  # opened 10:00 UTC, due an hour later, shown in Paris
    unknown = h.dispatcher.dispatch(ShowStatus(), Origin("alice", "console", "general", timezone="Mars/Olympus"))
    assert {f.label: f.value for f in unknown.reply.cards[0].fields}["Next update due"] == "2026-11-23 11:00 UTC"
    assert h.settings.timezone == "UTC"  # the configuration itself is untouched
