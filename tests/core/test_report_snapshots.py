"""Whole reports compared with golden files in tests/core/snapshots/, each crisis driven through the core on a fake
clock. After an intended change of the report, run with CRISISBOT_UPDATE_SNAPSHOTS=1 and review the diff."""

from __future__ import annotations

import os
from pathlib import Path

from bot.config import Settings
from bot.i18n import Translator
from bot.report import render
from tests.scheduler.crisis import Crisis

SNAPSHOTS = Path(__file__).parent / "snapshots"
ROSTER = {"lead": ("lea",), "comms": ("bob", "bert"), "legal": ("carol", "cleo")}


def matches_snapshot(name: str, text: str) -> None:
    path = SNAPSHOTS / f"{name}.md"
    if os.environ.get("CRISISBOT_UPDATE_SNAPSHOTS") == "1":
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no snapshot {path.name}: run with CRISISBOT_UPDATE_SNAPSHOTS=1 and review it"
    assert text == path.read_text(encoding="utf-8"), f"report differs from {path.name}"


def report(crisis: Crisis, language: str = "en") -> str:
    return render(crisis.incident(), crisis.settings, Translator(language), crisis.clock.now())


def test_false_alarm_report() -> None:
    crisis = Crisis(Settings(roster=ROSTER))
    crisis.say("open Rumour of a customer data leak --sev 2", person="rita")
    crisis.wake(minutes=10)
    crisis.say("draft We are checking reports about customer data; more soon.", person="lea")
    crisis.wake(minutes=5)
    crisis.say("approve", person="bob")
    crisis.wake(minutes=15)
    crisis.say("update The file on the forum is our public test data set", person="lea")
    crisis.wake(minutes=10)
    crisis.say("resolve --false-alarm The leaked file was synthetic test data", person="lea")
    crisis.wake(hours=20)
    crisis.say("lesson Check a leak's sample against the test data set first", person="carol")
    crisis.say("action Watermark the public test data set @bob", person="lea")
    matches_snapshot("false_alarm", report(crisis))


def test_severity_1_escalation_report() -> None:
    # Times in the team's zone: Paris, an hour ahead of UTC in November.
    crisis = Crisis(Settings(roster=ROSTER, timezone="Europe/Paris", escalation_contacts=("ceo",)))
    crisis.say("open Checkout down on the mobile app --sev 3", person="rita")
    crisis.wake(minutes=20)
    crisis.say("severity 1", person="lea")
    crisis.say("draft Payments on our app are failing; we are on it.", person="lea")
    crisis.wake(minutes=15)  # approval deadline at severity 1: comms and legal reminded
    crisis.wake(minutes=15)  # twice the deadline: backups asked
    crisis.say("assign comms @bert", person="lea")  # bob is unreachable: his backup takes comms
    crisis.say("approve", person="bert")
    crisis.wake(minutes=30)  # a second check-in missed: escalated
    crisis.say("approve", person="carol")
    crisis.say("publish 1 X", person="bert")
    crisis.say("update Fix deployed, payments recovering", person="lea")
    crisis.wake(minutes=25)
    crisis.say("severity 2", person="lea")
    crisis.say("monitor", person="lea")
    crisis.wake(hours=2)
    crisis.say("resolve Payments back to normal", person="lea")
    crisis.say("lesson Nobody answered the first check-in: the lead was in the war room", person="lea")
    crisis.say("action Give the check-in to a second person at severity 1 @bob", person="lea")
    matches_snapshot("sev1_escalation", report(crisis))


def test_several_publications_report() -> None:
    crisis = Crisis(Settings(roster=ROSTER))
    crisis.say("open Price change backlash --sev 2", person="rita")
    crisis.wake(minutes=5)
    crisis.say("draft We hear you: the new prices are under review. Next update at 10:45.", person="bob")
    crisis.wake(minutes=10)
    crisis.say("approve", person="carol")
    crisis.wake(minutes=3)
    crisis.say("assign comms @bert", person="lea")  # bob wrote the statements: someone else approves them for comms
    crisis.say("approve", person="bert")
    crisis.say("publish 1 X", person="bert")
    crisis.wake(minutes=1)
    crisis.say("draft Press release: prices roll back on Monday | details inside.", person="bob")
    crisis.say("approve 2", person="bert")
    crisis.say("changes 2 Say which products", person="carol")
    crisis.say("revise 2 Press release: prices of every plan roll back on Monday.", person="bob")
    crisis.wake(minutes=12)
    crisis.say("approve 2", person="carol")
    crisis.say("approve 2", person="bert")
    crisis.say("publish 2 press release", person="lea")
    crisis.wake(minutes=2)
    crisis.say("draft Email to customers: your plan's price is back to what it was.", person="bob")
    crisis.say("approve 3", person="bert")
    crisis.say("approve 3", person="carol")
    crisis.say("publish 3 e-mail to customers", person="bert")
    crisis.say("update All three statements are out; next update at 11:00", person="lea")
    crisis.wake(minutes=50)
    crisis.say("resolve Prices rolled back", person="lea")
    matches_snapshot("publications", report(crisis))
    matches_snapshot("publications.fr", report(crisis, "fr"))
