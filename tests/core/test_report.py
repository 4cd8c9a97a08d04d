from datetime import timedelta

from bot import events as ev
from bot.commands import Origin
from bot.drafts import DraftState
from bot.grammar import parse
from bot.i18n import Translator
from bot.model import Status
from bot.report import figures, people_in, render
from tests.fakes import T0
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
    steps = numbers.milestones
    assert (steps.first_signal, steps.opened) == (T0, T0)
    assert steps.first_published == T0 + timedelta(minutes=25)
    assert steps.resolved == T0 + timedelta(minutes=135)
    assert numbers.longest_silence == timedelta(minutes=90)
    assert numbers.approval_delays == {"comms": [timedelta(minutes=7)], "legal": [timedelta(minutes=20)]}
    assert (numbers.checkin_reminders, numbers.checkin_escalations) == (0, 0)
    assert (numbers.approval_reminders, numbers.approval_escalations) == (0, 0)
    assert (numbers.peak_severity, numbers.false_alarm) == (2, False)


def test_report_has_every_section_and_every_version() -> None:
    h = handled_crisis()
    text = render(h.incident(), h.settings, Translator("en"), h.clock.now())
    assert text.startswith("# CRI-1 · Bad buzz after the price change")
    assert "| First approved statement | 2026-11-23 10:25 UTC | 25m |" in text
    assert "| Resolved | 2026-11-23 12:15 UTC | 2h15 |" in text
    assert "Longest silence between status updates: 1h30" in text
    assert "| 2026-11-23 10:25 UTC | #1 v1 | X | @bob |" in text
    assert "> We hear you | and we are reviewing the prices." in text
    assert "approved for legal by @carol" in text
    assert "We hear you \\| and" not in text.split("## Timeline")[0]  # quoted text is left as written
    assert text.rstrip().endswith("- none recorded")  # the lessons and actions close the report
    assert "<@" not in text


def test_roles_end_when_the_incident_is_resolved_not_when_the_report_is_written() -> None:
    h = handled_crisis()
    h.clock.advance(days=3)
    text = render(h.incident(), h.settings, Translator("en"), h.clock.now())
    assert "| legal | @carol | 2026-11-23 10:00 UTC | 2026-11-23 12:15 UTC |" in text
    assert "| now |" not in text


def test_silence_stops_counting_while_resolved_and_resumes_on_reopening() -> None:
    h = Harness()
    h.say("open Outage")
    h.clock.advance(minutes=10)
    h.say("resolve")
    h.clock.advance(hours=5)
    h.say("reopen")
    h.clock.advance(minutes=20)
    h.say("update Back again")
    h.clock.advance(minutes=15)
    assert figures(h.incident(), h.clock.now()).longest_silence == timedelta(minutes=20)


def test_peak_severity_and_every_change_are_reported() -> None:
    h = Harness()
    h.say("open Leak --sev 3")
    h.clock.advance(minutes=10)
    h.say("severity 1")
    h.clock.advance(minutes=30)
    h.say("severity 2")
    numbers = figures(h.incident(), h.clock.now())
    assert (numbers.opening_severity, numbers.peak_severity) == (3, 1)
    assert numbers.peak_at == T0 + timedelta(minutes=10)
    assert [(c.old, c.new) for c in numbers.severity_changes] == [(3, 1), (1, 2)]
    text = render(h.incident(), h.settings, Translator("en"), h.clock.now())
    assert "- Peak severity: 1 · critical, from 2026-11-23 10:10 UTC" in text
    assert "  - 2026-11-23 10:40 UTC · @alice · severity 1 → 2" in text


def test_report_in_french() -> None:
    h = handled_crisis()
    text = render(h.incident(), h.settings, Translator("fr"), h.clock.now())
    assert "Comment la crise a été gérée" in text and "approuvé pour juridique par @carol" in text
    assert "## Leçons et actions" in text


def test_report_names_people_the_doors_named() -> None:
    h = Harness()
    h.person = "U07ALICE"
    h.say("open Leak --sev 2")
    h.say("assign legal <@U07CAROL>")
    origin_names = (("U07ALICE", "Alice Lead"), ("U07CAROL", "Carol Legal"))
    h.dispatcher.dispatch(parse("note Names now known"), Origin("U07ALICE", "slack", "general", names=origin_names))
    incident = h.incident()
    with h.dispatcher.uow_factory() as uow:
        names = uow.people.names(people_in(incident))
    assert names == {"U07ALICE": "Alice Lead", "U07CAROL": "Carol Legal"}
    text = render(incident, h.settings, Translator("en"), h.clock.now(), names)
    assert "- Reported by: @Alice Lead" in text and "| legal | @Carol Legal |" in text
    assert "U07CAROL" not in text
    unnamed = render(incident, h.settings, Translator("en"), h.clock.now())
    assert "| legal | @U07CAROL |" in unnamed


# -- false alarms ------------------------------------------------------------------------------


def test_false_alarm_is_recorded_closes_unpublished_drafts_and_keeps_published_ones() -> None:
    h = Harness()
    h.say("open Rumour of a recall")
    h.say("assign comms @bob")
    h.say("draft First words")
    h.say("approve 1", person="bob")
    h.say("publish 1 website", person="bob")
    h.say("draft Second words")
    h.say("draft Third words")
    h.say("approve 3", person="bob")
    reply = h.say("resolve --false-alarm Nothing happened")
    incident = h.incident()
    assert (incident.status, incident.false_alarm, incident.summary) == (Status.RESOLVED, True, "Nothing happened")
    assert [d.state for d in incident.drafts] == [DraftState.PUBLISHED, DraftState.CLOSED, DraftState.CLOSED]
    facts = [e.event for e in incident.timeline[-3:]]
    assert facts == [
        ev.StatusChanged("active", "resolved", "Nothing happened", True), ev.DraftClosed(2, 1), ev.DraftClosed(3, 1),
    ]
    assert "(false alarm)" in reply.text and "draft #2 closed unpublished: false alarm" in reply.text
    assert "Only an approved draft" in h.say("CRI-1 publish 3 X", person="bob").text


def test_a_closed_draft_cannot_be_revised_or_published_after_reopening() -> None:
    h = Harness()
    h.say("open Rumour")
    h.say("assign comms @bob")
    h.say("draft Words")
    h.say("approve 1", person="bob")
    h.say("resolve --fausse-alerte")
    h.say("reopen")
    assert h.incident().false_alarm is False
    assert "start a new draft" in h.say("revise 1 Other words").text
    assert "Only an approved draft" in h.say("publish 1 X", person="bob").text


def test_a_false_alarm_is_counted_apart_in_the_report_and_the_list() -> None:
    h = Harness()
    h.say("open Rumour")
    h.say("resolve --false-alarm")
    h.say("open Real outage", conversation="other")
    h.say("resolve Fixed", conversation="other")
    h.say("open Ongoing", conversation="third")
    text = render(h.incident(), h.settings, Translator("en"), h.clock.now())
    assert "- Status: resolved (false alarm)" in text
    assert "- Outcome: false alarm (counted apart from real crises)" in text
    assert "Outcome" not in render(h.incident("CRI-2"), h.settings, Translator("en"), h.clock.now())
    [card] = h.say("list").cards
    assert card.text == "Resolved: 1 · false alarms: 1"
    assert [f.label for f in card.fields] == ["CRI-3 · Ongoing"]


# -- lessons and actions -----------------------------------------------------------------------


def test_lessons_and_actions_close_the_report_even_when_recorded_after_the_crisis() -> None:
    h = handled_crisis()
    h.clock.advance(days=1)
    h.say("lesson Legal took 20 minutes: bring them in at the opening", person="carol")
    h.say("CRI-1 action Write a price-change FAQ @bob", person="alice", conversation="elsewhere")
    h.say("leçon Prévenir le service client plus tôt", person="bob")
    h.say("action Add legal to the sev-2 roster")
    text = render(h.incident(), h.settings, Translator("en"), h.clock.now())
    final = text.split("## Lessons and actions")[1]
    assert "- Legal took 20 minutes: bring them in at the opening · @carol · 2026-11-24 12:15 UTC" in final
    assert "- Prévenir le service client plus tôt · @bob" in final
    assert "- [ ] Write a price-change FAQ · Owner: @bob · @alice · 2026-11-24 12:15 UTC" in final
    assert "- [ ] Add legal to the sev-2 roster · @alice" in final
    assert "bob" in people_in(h.incident())


def test_only_people_who_lived_the_crisis_record_lessons() -> None:
    h = handled_crisis()
    h.say("release comms", person="bob")
    before = len(h.incident().timeline)
    assert "holds or held a role" in h.say("lesson I was not there", person="mallory").text
    assert len(h.incident().timeline) == before
    h.say("lesson I held comms until the end", person="bob")  # held a role: may still write
    assert isinstance(h.incident().timeline[-1].event, ev.LessonRecorded)


def test_empty_or_overlong_lessons_are_refused() -> None:
    h = handled_crisis()
    assert "Usage: `lesson <text>`" in h.say("lesson").text
    assert "limited to 2000 characters" in h.say("lesson " + "x" * 2001).text
    assert not any(isinstance(e.event, ev.LessonRecorded) for e in h.incident().timeline)


# -- export from chat ---------------------------------------------------------------------------


def test_export_answers_the_report_as_a_file() -> None:
    h = handled_crisis()
    reply = h.say("CRI-1 export", person="bob", conversation="elsewhere")
    assert reply.file is not None and reply.file.name == "CRI-1-report.md"
    assert reply.file.content == render(h.incident(), h.settings, Translator("en"), h.clock.now())
    assert reply.text == "CRI-1 report" and not reply.private


def test_export_times_are_the_teams_not_the_askers() -> None:
    h = handled_crisis()
    origin = Origin("bob", "console", "general", timezone="Asia/Tokyo")
    outcome = h.dispatcher.dispatch(parse("exporter"), origin)
    assert outcome.reply.file is not None and "10:25 UTC" in outcome.reply.file.content


def test_export_of_an_unknown_incident_says_so() -> None:
    h = Harness()
    reply = h.say("CRI-9 export")
    assert reply.file is None and "no incident CRI-9" in reply.text
