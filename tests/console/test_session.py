"""The console door: numbered controls, console commands and labels in the session's language."""

import re

from tests.console.terminal import Terminal


def numbers(lines: list[str]) -> list[int]:
    return [int(n) for line in lines for n in re.findall(r"\[(\d+)\]", line)]


def test_button_numbers_continue_across_cards_so_a_click_names_one_control() -> None:
    term = Terminal()
    opened = numbers(term.type("open Wave of complaints --sev 3"))
    first = numbers(term.type("draft First text."))
    second = numbers(term.type("draft Second text."))
    assert opened == list(range(1, 10))
    assert first == [10, 11, 12, 13, 14] and second == [15, 16, 17, 18, 19]
    status = numbers(term.type("status"))
    assert status == [*opened, *first, *second]  # shown again, each keeps its number
    term.type("/as bob")
    term.type("/click 15")  # the Approve button of the second draft, not of the first
    with term.uow() as uow:
        incident = uow.incidents.get_whole("CRI-1")
    assert incident is not None
    assert [d.state.value for d in incident.drafts] == ["pending", "approved"]


def test_a_click_that_needs_an_answer_asks_for_it() -> None:
    term = Terminal()
    term.type("open Wave of complaints")
    assert term.type("/click 1") == ["What changed? (answer with: /click 1 <text>)"]
    assert term.type("/click 99") == ["no such button; use the number shown in brackets, e.g. /click 3"]


def test_console_commands_and_labels_speak_french() -> None:
    term = Terminal(language="fr")
    assert term.type("/comme carol") == ["vous parlez désormais en tant que @carol"]
    assert term.type("/dans salle-presse") == ["vous êtes désormais dans #salle-presse"]
    assert term.type("/langue fr") == ["langue\u00a0: fr"]
    assert "CRI-1 ouvert\u00a0: Vague de plaintes (gravité 3 · modérée)." in term.type("ouvrir Vague de plaintes")
    assert term.type("statut")[0].startswith("(vous seul) ┌ CRI-1")
    assert term.type("/clic 9") == ["choisissez\u00a0: /clic 9 <1, 2, 3, 4>"]
    assert term.type("/aide")[0].startswith("commandes de la console\u00a0:\n")
    assert term.type("/lang en") == ["language: en"]
    assert term.type("/help")[0].startswith("console commands:\n")


def test_a_field_of_several_lines_stays_inside_the_card() -> None:
    term = Terminal()
    for line in ("open Buzz --sev 3", "assign comms @bob", "draft We are on it."):
        term.type(line)
    term.type("/as bob")
    term.type("approve")
    term.type("publish 1 X")
    shown = term.type("publish 1 website")
    published = [n for n, line in enumerate(shown) if "Published" in line]
    assert published, shown
    following = shown[published[0] + 1]
    assert following.lstrip().startswith("│") and "website · @bob" in following
