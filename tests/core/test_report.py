from datetime import timedelta

from bot.commands import Origin
from bot.i18n import Translator
from bot.report import figures, people_in, render
from tests.harness import Harness


def handled_crisis() -> Harness:
    h = Harness()
    h.say("open Bad buzz after the price change --sev 2")
    h.say("assign lead @alice")
    h.say("assign legal @carol")
    h.say("assign comms @bob")
    h.clock.advance(minutes=5)
    h.say("draft We hear you | and we are reviewing the prices.")
    h.clock.advance(minutes=7)
    h.say("approve", person="bob")
    h.clock.advance(minutes=13)
    h.say("approve", person="carol")
    h.say("publish 1 X", person="bob")
    h.clock.advance(minutes=20)
    h.say("update Prices rolled back")
    h.clock.advance(minutes=90)
    h.say("resolve Prices restored, apology published")
    return h


def test_figures_tell_how_the_crisis_was_handled() -> None:
    h = handled_crisis()
    numbers = figures(h.incident(), h.clock.now())
    assert numbers.to_first_approved_statement == timedelta(minutes=25)
    assert numbers.longest_silence == timedelta(minutes=90)
    assert numbers.approval_delays == {"comms": [timedelta(minutes=7)], "legal": [timedelta(minutes=20)]}
    assert (numbers.reminders, numbers.escalations) == (0, 0)


def test_report_has_every_section_and_every_version() -> None:
    h = handled_crisis()
    text = render(h.incident(), h.settings, Translator("en"), h.clock.now())
    assert text.startswith("# CRI-1 · Bad buzz after the price change")
    assert "Time from opening to the first approved public statement: 25m" in text
    assert "Longest silence between status updates: 1h30" in text
    assert "> We hear you | and we are reviewing the prices." in text
    assert "approved for legal by @carol" in text
    assert "| legal | @carol |" in text
    assert "We hear you \\| and" not in text.split("## Timeline")[0]  # quoted text is left as written
    assert "<@" not in text


def test_report_in_french() -> None:
    h = handled_crisis()
    text = render(h.incident(), h.settings, Translator("fr"), h.clock.now())
    assert "Comment la crise a été gérée" in text and "approuvé pour juridique par @carol" in text


def test_report_names_people_the_doors_named() -> None:
    h = Harness()
    h.person = "U07ALICE"
    h.say("open Leak --sev 2")
    h.say("assign legal <@U07CAROL>")
    origin_names = (("U07ALICE", "Alice Lead"), ("U07CAROL", "Carol Legal"))
    h.dispatcher.execute("note Names now known", Origin("U07ALICE", "slack", "general", names=origin_names))
    incident = h.incident()
    with h.dispatcher.uow_factory() as uow:
        names = uow.people.names(people_in(incident))
    assert names == {"U07ALICE": "Alice Lead", "U07CAROL": "Carol Legal"}
    text = render(incident, h.settings, Translator("en"), h.clock.now(), names)
    assert "- Reported by: @Alice Lead" in text and "| legal | @Carol Legal |" in text
    assert "U07CAROL" not in text
    unnamed = render(incident, h.settings, Translator("en"), h.clock.now())
    assert "| legal | @U07CAROL |" in unnamed
