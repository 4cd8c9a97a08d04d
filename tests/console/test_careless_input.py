"""The console's own commands given careless or hostile input: a clear answer, nothing changed, no crash."""

from pathlib import Path

from tests.console.terminal import Terminal

# A malformed console command answers its own line of the console help, as a malformed command its usage.
AS_USAGE = "/as <person>        speak as someone else (e.g. /as carol)"
IN_USAGE = "/in <conversation>  move to another conversation (e.g. /in press-room)"


def test_speaking_as_nobody_is_refused_and_keeps_the_speaker() -> None:
    term = Terminal()
    for typed in ("/as @", "/as <@>", "/as x\x00y", "/as carol bob"):
        assert term.type(typed) == [AS_USAGE], typed
        assert term.session.person == "alice"
    assert term.type("/as <@U07|carol>") == ["now speaking as @U07"]
    # A work e-mail address names a person, as in `assign legal Lina@Acme.com`, which the grammar lowercases.
    assert term.type("/as Lina@Acme.com") == ["now speaking as @lina@acme.com"]


def test_moving_nowhere_is_refused_and_keeps_the_conversation() -> None:
    term = Terminal()
    for typed in ("/in #", "/in a\x1bb", "/in press room"):
        assert term.type(typed) == [IN_USAGE], typed
        assert term.session.conversation == "salle-de-crise"
    assert term.type("/in #press-room") == ["now in #press-room"]


def test_a_click_on_a_number_written_in_another_script_is_no_button() -> None:
    term = Terminal()
    term.type("open Wave of complaints")
    for typed in ("/click ¹", "/click ٣", "/click ３"):
        assert term.type(typed) == ["no such button; use the number shown in brackets, e.g. /click 3"], typed


def test_lang_alone_says_the_language_and_an_unknown_one_is_refused() -> None:
    term = Terminal(language="fr")
    assert term.type("/langue") == ["langue\u00a0: fr"]
    assert term.session.t.language == "fr"
    assert term.type("/langue de") == ["/langue en|fr         langue des réponses"]
    assert term.session.t.language == "fr"
    assert term.type("/lang EN") == ["language: en"]


def test_control_characters_typed_by_someone_are_shown_not_obeyed_by_the_terminal() -> None:
    term = Terminal()
    term.type("open Wave")
    shown = term.type("note a\x00b\x1b[31mred\x1b[0m\x07z\x9b\x7f")
    # The core removes the NUL (`bot.plain_text`); the console shows the other control characters as symbols.
    assert "CRI-1 · note: ab␛[31mred␛[0m␇z\\x9b␡" in shown, shown
    assert not any(c in line for line in shown for c in "\x00\x1b\x07\x9b\x7f")


def test_a_button_that_asks_for_confirmation_in_chat_asks_for_it_here_too() -> None:
    term = Terminal()
    term.type("open Wave of complaints")  # [3] Resolve, which Slack and Teams confirm before running
    assert term.type("/click 3") == ["Resolve CRI-1?  [10] Confirm"]
    with term.uow() as uow:
        incident = uow.incidents.get("CRI-1")
    assert incident is not None and incident.status.value == "active"
    assert "CRI-1 · status active → resolved" in term.type("/click 10")


def test_the_confirmation_speaks_french() -> None:
    term = Terminal(language="fr")
    term.type("ouvrir Vague de plaintes")
    assert term.type("/clic 3") == ["Résoudre CRI-1\u00a0?  [10] Confirmer"]


def test_a_report_that_cannot_be_written_is_said_and_the_session_goes_on(tmp_path: Path) -> None:
    term = Terminal()
    term.session.folder = tmp_path
    (tmp_path / "CRI-1-report.md").mkdir()  # in the way of the file
    term.type("open Wave")
    shown = term.type("export")
    assert shown[-1] == (
        "I could not upload CRI-1-report.md here (Is a directory). `crisisbot export CRI-1 --out CRI-1-report.md` "
        "writes it on the server."
    ), shown
    assert "CRI-1 · note: still here" in term.type("note still here")
