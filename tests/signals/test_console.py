"""The whole watch in the console: signals typed, the alert card with numbered buttons, Open crisis clicked."""

from __future__ import annotations

import re

from bot.config import Settings
from bot.signals.rules import WatchSettings, parse_topics
from tests.console.terminal import Terminal

WATCH = WatchSettings(topics=parse_topics("delivery: livraison"), channel=("console", "veille"), threshold=3)


def button(lines: list[str], label: str) -> int:
    for line in lines:
        found = re.search(rf"\[(\d+)\] {label}", line)
        if found:
            return int(found.group(1))
    raise AssertionError(f"no button {label!r} in {lines}")


def test_open_crisis_from_the_alert_in_the_console() -> None:
    term = Terminal(settings=Settings(watch=WATCH))
    term.type("/in veille")
    term.type("signal livraison perdue <@bob>")
    term.type("signaler livraison en retard")
    shown = term.type("signal https://x.com/p/1 livraison jamais arrivée")
    assert any("Signal alert #1 · delivery" in line for line in shown)
    assert any("<\u2060@bob>" in line for line in shown), "signal text never mentions anyone"
    opened = term.type(f"/click {button(shown, 'Open crisis')}")
    assert any("CRI-1 opened: Signals on delivery" in line for line in opened)
    assert any("opened as CRI-1 by @alice" in line for line in opened)
    with term.uow() as uow:
        incident = uow.incidents.get_whole("CRI-1")
        assert incident is not None and len(uow.signals.of_incident("CRI-1")) == 3


def test_false_alarm_in_french_from_the_console() -> None:
    term = Terminal(language="fr", settings=Settings(language="fr", watch=WATCH))
    term.type("/dans veille")
    for n in range(3):
        shown = term.type(f"signaler livraison ratée {n}")
    done = term.type(f"/clic {button(shown, 'Fausse alerte')}")
    assert any("fausse alerte" in line for line in done)
