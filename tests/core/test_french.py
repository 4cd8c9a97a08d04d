"""French, fully: no English word left in what a French-speaking team reads, and French punctuation.

The English vocabulary is read from the English messages themselves (every msgid the code can show) plus common
English words, so a message added later is checked without anyone listing its words here.
"""

from __future__ import annotations

import re
from datetime import timedelta

import polib
import pytest

from bot import events as ev
from bot import views
from bot.catalog import DYNAMIC, extract
from bot.config import DEFAULT_ROLES, Settings
from bot.describe import duration, fact
from bot.drafts import DraftState
from bot.grammar import USAGE, VERB_ALIASES, parse
from bot.i18n import Translator, catalog_path
from bot.model import Status
from bot.report import render
from tests.console.terminal import Terminal

FR = Translator("fr")
NBSP = "\u00a0"
PLACEHOLDER = re.compile(r"\{\w+\}")
WORD = re.compile(r"[^\W\d_]+(?:[’'][^\W\d_]+)*", re.U)
CODE = re.compile(r"`[^`]*`")

# Words the English messages may not contain but an untranslated sentence would.
_COMMON_ENGLISH = (
    "the a an and or of to in on for with by from at is are was were be been has have had not no yes this that these "
    "those it its you your we our they their there here what which who when where why how all any some each every "
    "please try again now already only still yet before after until since ago back new open closed done must can "
    "cannot could should would will shall may none nobody someone something nothing answer ask asked click press "
    "button card help status pending approved rejected published draft update reply role roles owner lead"
)
COMMON_ENGLISH = set(_COMMON_ENGLISH.split())
# Product names, and words spelled the same in both languages (checked: each is a French word too).
SAME_IN_BOTH = {
    "crisisbot", "slack", "teams", "facebook", "cri", "crisis", "utc", "markdown", "en", "fr",
    "active", "configuration", "conversation", "incident", "incidents", "message", "messages", "min", "minutes",
    "moment", "note", "notes", "permission", "silence", "source", "version", "reporter", "public", "publique",
    "action", "actions", "question", "section", "sections", "stop", "date", "accent", "passe", "objection",
    "objections", "export", "exports", "simple", "initial", "points", "sort", "console", "post", "mortem", "site",
    "web", "mail", "notification", "notifications", "publication", "publications", "signal", "total", "option",
    "options", "document", "documents", "format", "type", "types", "image", "images", "minute", "promotion",
    "crises", "long", "absent", "important", "justification", "service", "services", "article", "articles", "lecture",
    "alice", "bob", "carol",  # people in examples
    "stable", "direct", "page", "versions", "cadence", "html",
}
# Technical names shown as they are spelled on the platform.
TECHNICAL = ("channels:manage", "--sev", "--out", "CRISISBOT_SECRET_KEY")


def _english_vocabulary() -> set[str]:
    words = set(COMMON_ENGLISH)
    for msgid in extract():
        words |= {w.lower() for w in WORD.findall(PLACEHOLDER.sub(" ", msgid))}
    return words - SAME_IN_BOTH


ENGLISH = _english_vocabulary()


def english_words(text: str) -> list[str]:
    for name in TECHNICAL:
        text = text.replace(name, " ")
    text = re.sub(r"@[\w.-]+|#[\w.-]+|<[@#][^>]*>", " ", PLACEHOLDER.sub(" ", text))
    words = (w.lower() for w in WORD.findall(text))
    return [w for w in words if len(w) > 1 and w in ENGLISH]


def filled(msgid: str, t: Translator) -> str:
    return t(msgid, **{name: "42" for name in re.findall(r"\{(\w+)\}", msgid)})


# -- the catalog walk ----------------------------------------------------------------------------


@pytest.mark.parametrize("msgid", extract())
def test_no_english_word_is_left_in_a_french_message(msgid: str) -> None:
    assert english_words(filled(msgid, FR)) == [], f"{msgid!r} reads {filled(msgid, FR)!r} in French"


ENUM_VALUES = [
    *(s.value for s in Status), *(s.value for s in DraftState), *DEFAULT_ROLES, *views.SEVERITY_NAMES.values()
]


@pytest.mark.parametrize("value", ENUM_VALUES)
def test_every_state_role_and_severity_name_is_french(value: str) -> None:
    assert value in DYNAMIC  # extracted, so the catalogs have it
    assert english_words(FR(value)) == [], f"{value!r} reads {FR(value)!r} in French"
    assert Translator("en")(value) == value


def test_the_detector_finds_english_left_untranslated() -> None:
    assert english_words("Le brouillon n°2 is waiting for approval") == ["is", "waiting", "for", "approval"]
    assert english_words("Brouillon n°2 publié sur X et Facebook par @alice dans #salle-de-crise") == []


def _outside_code(text: str) -> str:
    return CODE.sub(" ", text)


@pytest.mark.parametrize("entry", [e for e in polib.pofile(str(catalog_path("fr"))) if e.msgstr], ids=lambda e: e.msgid[:40])
def test_french_punctuation_uses_a_non_breaking_space(entry: polib.POEntry) -> None:
    """U+00A0 before `: ; ? !` that end a phrase, inside « », and between a number and its unit; a colon inside a
    word (`channels:manage`, `https://`) is not punctuation. One apostrophe: the typographic ’."""
    text = _outside_code(entry.msgstr)
    for match in re.finditer(r"(.)([:;?!])(?=\s|$)", text):
        assert match.group(1) == NBSP, f"{entry.msgstr!r}: no U+00A0 before {match.group(2)!r}"
    assert "« " not in text and " »" not in text, entry.msgstr
    assert "'" not in text, f"{entry.msgstr!r}: write ’"
    for match in re.finditer(r"(?:\}|\d)(\s)(?:min|s|h)\b", text):
        assert match.group(1) == NBSP, f"{entry.msgstr!r}: a number and its unit stay together (U+00A0)"
    assert not re.search(r"n°(?!\u00a0| de )", text), f"{entry.msgstr!r}: write n° and the number with U+00A0"


# -- usage lines and help ------------------------------------------------------------------------


@pytest.mark.parametrize("verb", sorted(USAGE))
def test_french_usage_lines_start_with_a_french_verb_the_grammar_accepts(verb: str) -> None:
    french = FR(USAGE[verb])
    word = french.split()[0]
    assert VERB_ALIASES.get(word, word) == verb, f"{french!r} does not start with a French word for {verb}"
    assert word != verb or verb in ("note", "action"), f"{french!r} keeps the English verb"


def test_french_help_shows_french_verbs_and_the_configured_roles() -> None:
    settings = Settings(language="fr", roles=("lead", "comms", "support", "security"))
    text = views.help_card(settings, FR).text
    assert "`ouvrir <titre> [--gravité 1-4]`" in text and "`open" not in text
    assert f"Rôles{NBSP}: pilote, communication, service-client, security." in text
    assert "juridique" not in text and "produit" not in text
    for role in ("pilote", "communication", "service-client"):
        assert settings.role(role) is not None  # what the help names, a command accepts


def test_english_help_lists_the_configured_roles_not_the_default_five() -> None:
    text = views.help_card(Settings(roles=("lead", "comms", "security")), Translator("en")).text
    assert "Roles: lead, comms, security." in text and "legal" not in text


def test_a_malformed_command_answers_its_own_usage_line_only() -> None:
    h = Terminal(language="fr")
    h.type("ouvrir")
    assert h.out[-1] == f"(vous seul) Syntaxe{NBSP}: `ouvrir <titre> [--gravité 1-4]`"
    h.type("/langue en")
    h.type("open")
    assert h.out[-1] == "(only you) Usage: `open <title> [--sev 1-4]`"
    assert parse("open") == parse("ouvrir")


def test_an_unknown_command_still_gets_the_whole_help() -> None:
    h = Terminal(language="fr")
    h.type("danser maintenant")
    assert "Commande inconnue" in h.out[0] and any("Aide de crisisbot" in line for line in h.out)


# -- durations and refusals ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("delta", "english", "french"),
    [
        (timedelta(seconds=10), "10s", f"10{NBSP}s"),
        (timedelta(minutes=2), "2m", f"2{NBSP}min"),
        (timedelta(minutes=2, seconds=5), "2m05s", f"2{NBSP}min{NBSP}05{NBSP}s"),
        (timedelta(hours=1, minutes=5), "1h05", f"1{NBSP}h{NBSP}05"),
    ],
)
def test_durations_are_written_in_each_language(delta: timedelta, english: str, french: str) -> None:
    assert duration(delta) == duration(delta, Translator("en")) == english
    assert duration(delta, FR) == french


def test_refusals_name_states_and_roles_in_french() -> None:
    h = Terminal(language="fr")
    h.type("ouvrir Vague de retards --gravité 2")
    h.type("brouillon Nous enquêtons.")
    h.type("/comme mallory")
    h.type("approuver")
    assert h.out[-1] == (
        f"(vous seul) Le brouillon n°{NBSP}1 doit être approuvé par{NBSP}: communication, juridique. "
        "Vous n’occupez aucun de ces rôles."
    )
    h.type("/comme alice")
    h.type("assigner chef @bob")
    assert f"Rôles{NBSP}: pilote, communication, juridique, service-client, produit." in h.out[-1]
    assert "chef" in h.out[-1]  # what was typed stays as typed


# -- a whole crisis in French, every line read ---------------------------------------------------


FRENCH_CRISIS = [
    "/aide",
    "/comme alice",
    "ouvrir Vague de plaintes sur les livraisons --gravité 2",
    "assigner juridique @carol",
    "brouillon Nous savons que beaucoup d’entre vous attendent leur colis.",
    "/clic 1",
    "/clic 999",
    "/comme carol",
    "modifs 1 Trop vague",
    "/comme alice",
    "réviser 1 Nous savons que vos colis ont du retard ; nous revenons vers vous à 18 h.",
    "/comme carol",
    "approuver",
    "/comme bob",
    "approuver",
    "publier 1 site web",
    "brouillon Deuxième texte",
    "rejeter 2 Doublon",
    "point Le transporteur confirme 48 h de retard",
    "gravité 1",
    "note Appel avec le transporteur",
    "libérer produit",
    "reporter 30",
    "surveiller",
    "statut",
    "rôles",
    "chronologie",
    "liste",
    "aide",
    "/langue fr",
    "/dans salle-presse",
    "/comme",
    "/dans",
    "CRI-1 résoudre Livraisons revenues à la normale",
    "rouvrir",
    "CRI-1 rouvrir",
    "CRI-1 brouillon Troisième texte",
    "CRI-1 statut",
]


def test_a_whole_crisis_in_french_shows_no_english() -> None:
    h = Terminal(language="fr")
    typed: list[str] = []
    for line in FRENCH_CRISIS:
        typed += [line, *h.type(line)]
        if line.startswith("gravité"):
            typed += h.wake(minutes=31)  # a check-in reminder, then approval reminders
            typed += h.wake(minutes=31)
    h.type("CRI-1 brouillon Quatrième texte")
    typed += h.wake(hours=3)
    leftovers = {line: english_words(line) for line in typed if english_words(line)}
    assert leftovers == {}
    # Reminders were part of the walk: to approvers, and to the channel when only the author holds a role.
    assert any("[message privé à @" in line for line in typed)
    assert any("a écrit le brouillon" in line for line in typed)


def test_the_french_timeline_and_report_show_no_english() -> None:
    h = Terminal(language="fr")
    for line in FRENCH_CRISIS:
        h.type(line)
    h.wake(hours=5)
    with h.uow() as uow:
        incident = uow.incidents.get_whole("CRI-1")
    assert incident is not None
    kinds = {type(e.event) for e in incident.timeline}
    assert {ev.ChangesRequested, ev.DraftRejected, ev.DraftPublished, ev.CheckInSnoozed} <= kinds
    for entry in incident.timeline:
        assert english_words(fact(entry.event, FR)) == [], fact(entry.event, FR)
    report = render(incident, h.settings, FR, h.clock.now())
    user_text = {"Vague", "plaintes", "livraisons"}
    leftovers = [line for line in report.splitlines() if english_words(line) and not user_text & set(line.split())]
    assert leftovers == []
