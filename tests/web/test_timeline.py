"""The drawn timeline's layout: which silences are shaded, and where the bars and marks fall."""

from __future__ import annotations

from adapters.web.timeline import LEFT, RIGHT, WIDTH, draw
from bot.config import Settings
from bot.i18n import translator
from tests.harness import Harness


def test_silences_follow_the_cadence_of_the_moment() -> None:
    harness = Harness()
    harness.say("open Outage --sev 2")  # due every hour
    harness.clock.advance(minutes=50)
    harness.say("update Looking into it")  # 50 min: no silence
    harness.clock.advance(minutes=70)
    harness.say("update Found it")  # 70 min: a silence
    harness.say("monitor")
    harness.clock.advance(hours=3)
    harness.say("update Quiet")  # 3 h while monitoring (every 4 h): no silence
    harness.say("resolve")
    harness.clock.advance(hours=10)
    harness.say("reopen")  # ten hours resolved: no silence either
    harness.clock.advance(minutes=30)
    drawing = draw(harness.incident(), Settings(), translator("en"), harness.clock.now())
    silences = [b for b in drawing.boxes if b.kind == "silence"]
    assert [s.title.rsplit("· ", 1)[1] for s in silences] == ["silence of 1h10"]
    states = [b.kind for b in drawing.boxes if b.kind in ("active", "monitoring", "resolved")]
    assert states == ["active", "monitoring", "resolved", "active"]
    xs = [b.x for b in drawing.boxes if b.kind in ("active", "monitoring", "resolved")]
    assert xs == sorted(xs) and xs[0] == LEFT
    last = [b for b in drawing.boxes if b.kind == "active"][-1]
    assert abs(last.x + last.width - (WIDTH - RIGHT)) < 1  # the axis ends now


def test_a_draft_is_a_bar_from_writing_to_approval_to_publication() -> None:
    harness = Harness(Settings(roster={"comms": ("bob",)}))
    harness.say("open Outage --sev 3")
    harness.clock.advance(minutes=10)
    harness.say("draft We are on it.")
    harness.clock.advance(minutes=20)
    harness.say("approve", person="bob")
    harness.clock.advance(minutes=30)
    harness.say("publish 1 website", person="bob")
    harness.clock.advance(minutes=60)
    drawing = draw(harness.incident(), Settings(roster={"comms": ("bob",)}), translator("en"), harness.clock.now())
    written = next(b for b in drawing.boxes if b.kind == "written")
    approved = next(b for b in drawing.boxes if b.kind == "approved")
    [published] = [m for m in drawing.marks if m.kind == "publication"]
    assert written.x < approved.x == written.x + written.width
    assert abs(approved.x + approved.width - published.x) < 1
    assert "website" in published.title
    assert [label.text for label in drawing.labels] == ["Incident", "Status updates", "Draft #1", "Roles"]
    assert sum(1 for m in drawing.marks if m.kind == "role") == 1  # bob assigned comms from the roster


def test_a_draft_never_approved_or_published_is_not_drawn_as_if_it_were() -> None:
    settings = Settings(roster={"comms": ("bob",)})
    harness = Harness(settings)
    harness.say("open Outage --sev 3")
    harness.say("draft First words.")  # discarded ten minutes later
    harness.say("draft Second words.")  # approved, never published
    harness.say("draft Third words.")  # still waiting
    harness.clock.advance(minutes=10)
    harness.say("discard 1")
    harness.say("approve 2", person="bob")
    harness.clock.advance(minutes=50)
    drawing = draw(harness.incident(), settings, translator("en"), harness.clock.now())
    bars = [b for b in drawing.boxes if b.kind in ("written", "approved")]
    titles = [b.title.split(" · ")[0] for b in bars]
    assert titles == ["discarded", "written → approved", "approved", "pending"]
    discarded, _, _, waiting = bars
    assert abs(discarded.x + discarded.width - (LEFT + (WIDTH - LEFT - RIGHT) / 6)) < 1  # ends when it was discarded
    assert abs(waiting.x + waiting.width - (WIDTH - RIGHT)) < 1  # still waiting now
    french = draw(harness.incident(), settings, translator("fr"), harness.clock.now())
    assert [b.title.split(" · ")[0] for b in french.boxes if b.kind in ("written", "approved")] == [
        "abandonné", "rédigé → approuvé", "approuvé", "en attente"]
