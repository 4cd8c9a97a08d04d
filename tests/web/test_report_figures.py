"""The handling figures the HTML report, the dashboard and the Markdown report share, against the timeline."""

from __future__ import annotations

from adapters.web.board import figure_lines
from bot import report_figures as rf
from bot.config import Settings
from bot.i18n import translator
from bot.report import render
from tests.harness import Harness


def test_a_role_asked_by_a_severity_raise_took_the_time_from_the_raise_to_its_approval() -> None:
    settings = Settings(roster={"comms": ("bob",), "legal": ("carol",)})
    harness = Harness(settings)
    harness.say("open Outage --sev 3")  # comms alone approves at severity 3
    harness.say("draft We are on it.")
    harness.clock.advance(hours=2)
    harness.say("severity 2")  # legal is asked now, two hours after the draft was written
    harness.clock.advance(minutes=5)
    harness.say("approve", person="carol")
    harness.say("approve", person="bob")
    incident, now = harness.incident(), harness.clock.now()
    t = translator("en")
    lines = {line.label: line.value for line in figure_lines(rf.figures(incident, now), t, settings.timezone)}
    assert lines["Time legal took to approve"] == "median 5m, longest 5m, approvals: 1"
    assert lines["Time comms took to approve"] == "median 2h05, longest 2h05, approvals: 1"
    assert "- Time legal took to approve: median 5m, longest 5m, approvals: 1" in render(incident, settings, t, now)
