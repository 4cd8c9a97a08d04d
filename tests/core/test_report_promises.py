"""The report's promises to the public, and its account of publications made before a severity raise."""

from __future__ import annotations

import pytest

from bot.i18n import Translator
from bot.promises_kept import PromiseState
from bot.report import figures, render
from tests.harness import Harness


def crisis(sev: int = 3) -> Harness:
    h = Harness()
    h.say(f"open Bad buzz after the price change --sev {sev}")
    h.say("assign lead @alice")
    h.say("assign legal @carol")
    h.say("assign comms @bob")
    return h


def report(h: Harness, language: str = "en") -> str:
    return render(h.incident(), h.settings, Translator(language), h.clock.now())


def section(text: str, title: str) -> str:
    return text.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def test_the_report_lists_promises_kept_and_missed() -> None:
    h = crisis()  # opened at 10:00 UTC
    h.clock.advance(minutes=5)
    h.say("update Prices under review. Next update at 10:30")
    h.clock.advance(minutes=20)
    h.say("update Rollback decided; next update at 11:00")  # 10:25: the 10:30 promise is kept
    h.clock.advance(minutes=90)  # 11:55: nothing reached the public by 11:00
    h.say("update Prices restored. Next update within 2 hours")
    numbers = figures(h.incident(), h.clock.now())
    assert [p.state for p in numbers.promises] == [PromiseState.KEPT, PromiseState.MISSED, PromiseState.PENDING]
    text = report(h)
    assert "- Updates promised to the public: kept: 1, missed: 1, still ahead: 1" in text
    rows = section(text, "Promises to the public").strip().splitlines()[2:]
    assert rows[0] == ("| 2026-11-23 10:05 UTC | @alice | 2026-11-23 10:30 UTC | “Next update at 10:30” | kept | "
                       "2026-11-23 10:25 UTC |")
    assert rows[1].endswith("| “next update at 11:00” | missed | 2026-11-23 11:55 UTC |")
    assert rows[2].endswith("| still ahead | - |")
    french = report(h, "fr")
    assert "- Points promis au public\u00a0: tenus\u00a0: 1, manqués\u00a0: 1, à venir\u00a0: 1" in french
    assert "| manquée |" in section(french, "Promesses faites au public")


def test_a_report_without_promises_says_none() -> None:
    h = crisis()
    h.say("update Looking into it")
    assert section(report(h), "Promises to the public").strip() == "- none"
    assert "Updates promised to the public" not in report(h)


@pytest.mark.parametrize(
    ("language", "flag"),
    [
        ("en", "published under severity 3 rules; the incident reached severity 2 later"),
        ("fr", "publié selon les règles de la gravité 3\u00a0; l’incident a atteint la gravité 2 ensuite"),
    ],
)
def test_a_publication_before_a_raise_is_flagged_in_both_languages(language: str, flag: str) -> None:
    h = crisis(sev=3)
    h.say("draft We hear you.")
    h.say("approve", person="bob")
    h.say("publish 1 X", person="bob")
    h.clock.advance(minutes=10)
    h.say("severity 2")
    h.say("draft We roll the prices back.", person="bob")
    h.say("approve 2", person="carol")
    h.say("approve 2", person="alice")  # alice holds no comms role: refused
    h.say("assign comms @dan")
    h.say("approve 2", person="dan")
    h.say("publish 2 website", person="dan")
    rows = section(report(h, language), "Publications").strip().splitlines()[2:]
    assert rows[0].endswith(f"| {flag} |")
    assert "reached" not in rows[1] and "atteint" not in rows[1]
    plain = "published under severity 2 rules" if language == "en" else "publié selon les règles de la gravité 2"
    assert rows[1].endswith(f"| {plain} |")
