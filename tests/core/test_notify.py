"""Stakeholders of CRISISBOT_NOTIFY hear of openings, raises and escalations; the reporter hears of unheld roles."""

from bot import events as ev
from bot import notify
from bot.config import Settings
from bot.i18n import translator
from bot.model import Conversation, Incident
from tests.fakes import T0
from tests.harness import Harness
from tests.scheduler.crisis import Crisis

ROSTER = {"lead": ("lea",), "comms": ("bob",), "legal": ("carol",)}
NOTIFY = {1: ("@eric", "@ceo", "#exec-room", "cfo@example.com"), 2: ("@eric",)}
TEAM = Settings(roster=ROSTER, notify=NOTIFY)


def harness(settings: Settings = TEAM) -> Harness:
    h = Harness(settings)
    h.gateway.rooms = True  # the crisis gets its own room, which the notice links to
    return h


def direct_texts(h: Harness) -> dict[str, str]:
    return {person: reply.text for person, reply in h.gateway.direct}


def test_opening_at_severity_1_tells_every_stakeholder_of_severity_1() -> None:
    h = harness()
    h.say("open Viral video of a broken parcel --sev 1", person="rita")
    direct = direct_texts(h)
    assert set(direct) == {"eric", "ceo", "cfo@example.com"}
    assert direct["eric"] == (
        "A crisis was opened.\n"
        "CRI-1 · Viral video of a broken parcel · severity 1 · critical · active · lead <@lea>\n"
        "Crisis channel: crisis-cri-1"
    )
    [to_room] = [s for s in h.gateway.posts if s.conversation == "exec-room"]
    assert to_room.reply is not None and to_room.reply.text == direct["eric"]


def test_opening_at_a_severity_nobody_follows_tells_nobody() -> None:
    h = harness()
    h.say("open Some complaints --sev 3", person="rita")
    assert h.gateway.direct == []
    assert not [s for s in h.gateway.posts if s.conversation == "exec-room"]


def test_raising_severity_tells_the_stakeholders_of_the_new_severity() -> None:
    h = harness()
    h.say("open Some complaints --sev 3", person="rita")
    h.say("severity 2", person="lea", conversation="crisis-cri-1")
    assert list(direct_texts(h)) == ["eric"]
    assert direct_texts(h)["eric"].startswith("A crisis was raised to severity 2.\nCRI-1 · Some complaints · severity 2")
    h.say("severity 1", person="lea", conversation="crisis-cri-1")
    assert [p for p, _ in h.gateway.direct] == ["eric", "eric", "ceo", "cfo@example.com"]


def test_lowering_severity_tells_nobody() -> None:
    h = harness()
    h.say("open Viral video --sev 1", person="rita")
    h.gateway.direct.clear()
    h.say("severity 2", person="lea", conversation="crisis-cri-1")
    assert h.gateway.direct == []


def test_the_first_escalation_tells_the_stakeholders_once() -> None:
    crisis = Crisis(Settings(roster=ROSTER, notify={2: ("@eric", "#exec-room")}))
    crisis.say("open Late deliveries --sev 3", person="rita")
    crisis.say("severity 2", person="lea")
    crisis.gateway.direct.clear()
    crisis.wake(hours=1)  # first missed check-in: the room is reminded, nobody else
    assert crisis.direct() == []
    crisis.wake(hours=1)  # second: escalation
    [(person, text)] = crisis.direct()
    assert person == "eric" and text.startswith("A crisis escalated: its check-ins keep being missed.\nCRI-1")
    assert [s for s in crisis.gateway.posts if s.conversation == "exec-room"]
    crisis.wake(hours=1)  # still escalated, but they know already
    assert len(crisis.direct()) == 1


def test_plan_links_the_slack_channel_and_keeps_email_addresses_as_people() -> None:
    settings = Settings(notify={1: ("@U1", "#C9", "cfo@example.com")})
    incident = Incident.open(1, "Outage", 1, "U0", T0, settings, conversation=Conversation("slack", "C42"))
    notices = notify.plan(incident, [ev.IncidentOpened("Outage", 1)], settings, "slack", translator("en"))
    # The door finds who has the address: the core does not know people by e-mail.
    assert [(n.target, n.channel) for n in notices] == [("U1", False), ("C9", True), ("cfo@example.com", False)]
    assert notices[0].reply.text.endswith("Crisis channel: <#C42>")
    assert "lead nobody" in notices[0].reply.text


def test_plan_ignores_facts_stakeholders_need_not_hear() -> None:
    incident = Incident.open(1, "Outage", 1, "rita", T0, TEAM)
    t = translator("en")
    assert notify.plan(incident, [ev.NoteAdded("hi"), ev.SeverityChanged(1, 2)], TEAM, "console", t) == []
    assert notify.plan(incident, [ev.CheckInReminderSent(1, False)], TEAM, "console", t) == []


def test_notices_are_in_french_when_the_bot_speaks_french() -> None:
    h = harness(Settings(roster=ROSTER, notify=NOTIFY, language="fr"))
    h.say("open Vidéo virale --sev 1", person="rita")
    assert direct_texts(h)["eric"].startswith("Une crise a été ouverte.\nCRI-1 · Vidéo virale · gravité 1")


# -- roles nobody holds ----------------------------------------------------------------------------


def test_the_reporter_is_told_which_roles_nobody_holds() -> None:
    h = Harness(Settings(roster={"lead": ("lea",), "comms": ("bob",)}))
    reply = h.say("open Late deliveries --sev 2", person="rita")
    assert reply.text.endswith("\nNobody holds legal, support, product yet: `assign <role> @person`.")


def test_no_word_on_roles_when_every_role_is_held() -> None:
    roles = Settings(roles=("lead", "comms"), approvers={2: ("comms",)}, roster={"lead": ("lea",), "comms": ("bob",)})
    reply = Harness(roles).say("open Late deliveries --sev 2", person="rita")
    assert "Nobody holds" not in reply.text


def test_a_draft_needing_an_unheld_role_says_so() -> None:
    h = Harness(Settings(roster={"lead": ("lea",), "comms": ("bob",)}))
    h.say("open Late deliveries --sev 2", person="rita")
    reply = h.say("draft We are on it.", person="rita")
    assert reply.text == (
        "CRI-1 · draft #1 written\nThis draft needs legal, which nobody holds: `assign <role> @person`."
    )
    h.say("assign legal @carol", person="lea")
    assert "nobody holds" not in h.say("draft Second word.", person="rita").text
