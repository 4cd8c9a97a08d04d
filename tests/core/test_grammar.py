import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import commands as c
from bot.grammar import USAGE, parse


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("open Wave of complaints --sev 2", c.OpenIncident("Wave of complaints", 2)),
        ("open --sev 1 Bad buzz on X", c.OpenIncident("Bad buzz on X", 1)),
        ("ouvrir Avis négatifs", c.OpenIncident("Avis négatifs", 3)),
        ("CRI-12 assign juridique @carol", c.AssignRole("juridique", "carol", incident="CRI-12")),
        ("assign legal <@U123|carol>", c.AssignRole("legal", "U123")),
        ("roles", c.ShowRoles()),
        ("draft We are sorry.", c.CreateDraft("We are sorry.")),
        ("revise 2 New text", c.ReviseDraft(2, "New text")),
        ("approve", c.ApproveDraft()),
        ("cri-4 approve #3", c.ApproveDraft(3, incident="CRI-4")),
        ("CRI-4 approve 3 v2", c.ApproveDraft(3, incident="CRI-4", version=2)),
        ("approuver 1 V7", c.ApproveDraft(1, version=7)),
        ("reject 2 too vague", c.RejectDraft("too vague", 2)),
        ("changes fix the tone", c.RequestChanges("fix the tone")),
        ("publish 1 Twitter and Facebook", c.PublishDraft(1, "Twitter and Facebook")),
        ("publish website", c.PublishDraft(None, "website")),
        ("update Carrier confirmed the delay", c.PostUpdate("Carrier confirmed the delay")),
        ("severity 1", c.ChangeSeverity(1)),
        ("monitor", c.Monitor()),
        ("resolve Refunds sent", c.Resolve("Refunds sent")),
        ("reopen", c.Reopen()),
        ("note Press called", c.AddNote("Press called")),
        ("snooze 30", c.SnoozeCheckIn(30)),
        ("status", c.ShowStatus()),
        ("CRI-7", c.ShowStatus(incident="CRI-7")),
        ("timeline", c.ShowTimeline()),
        ("list", c.ListIncidents()),
        ("/crisis help", c.Help()),
        ("aide", c.Help()),
        ("resolve --false-alarm Only a rumour", c.Resolve("Only a rumour", false_alarm=True)),
        ("résoudre C'était une rumeur --fausse-alerte", c.Resolve("C'était une rumeur", false_alarm=True)),
        ("resolve a --false-alarmist wrote it", c.Resolve("a --false-alarmist wrote it")),
        ("lesson Call legal first", c.RecordLesson("Call legal first")),
        ("leçon Appeler le juridique", c.RecordLesson("Appeler le juridique")),
        ("lecon Appeler le juridique", c.RecordLesson("Appeler le juridique")),
        ("action Write the FAQ @bob", c.RecordAction("Write the FAQ", "bob")),
        ("CRI-3 action Write the FAQ <@U7|bob>", c.RecordAction("Write the FAQ", "U7", incident="CRI-3")),
        ("action Email support@example.com first", c.RecordAction("Email support@example.com first")),
        ("CRI-12 export", c.ExportReport(incident="CRI-12")),
        ("exporter", c.ExportReport()),
        ("object 2 Admits liability", c.ObjectToDraft("Admits liability", 2)),
        ("objection Trop tôt", c.ObjectToDraft("Trop tôt")),
        ("withdraw 2", c.WithdrawObjection(2)),
        ("retirer", c.WithdrawObjection()),
        ("override 2 Counsel agreed by phone", c.OverrideObjection("Counsel agreed by phone", 2)),
        ("passer-outre 2 Validé par téléphone", c.OverrideObjection("Validé par téléphone", 2)),
        ("CRI-3 discard 4", c.DiscardDraft(4, incident="CRI-3")),
        ("abandonner", c.DiscardDraft()),
        ("publier 2 communiqué de presse", c.PublishDraft(2, "communiqué de presse")),
    ],
)
def test_parses_the_grammar(text: str, expected: c.Command) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "open --sev 7 Title", "open --sev 9", "assign legal", "revise x text", "approve me", "severity 5", "update",
        "snooze 10", "lesson", "action", "action  ", "export now", "approve v2", "approve 1 vx", "approve 1 v2 now",
        # Nothing that shows: a zero-width space, a word joiner, a soft hyphen, pasted alone.
        "draft \u200b", "note \u2060 \u200b", "update \u00ad",
    ],
)
def test_malformed_commands_get_usage_help(text: str) -> None:
    command = parse(text)
    assert isinstance(command, c.Help)
    assert command.detail in USAGE.values()


@pytest.mark.parametrize(
    ("text", "severity"),
    [
        ("open", 3), ("/crisis open", 3), ("ouvrir", 3), ("open --sev 2", 2), ("open --sev=2", 2),
        ("ouvrir --gravite 2", 2), ("OUVRIR --gravité 1", 1), ("open --severity 4", 4), ("open \u200b --sev 2", 2),
    ],
)
def test_open_without_a_title_asks_for_one(text: str, severity: int) -> None:
    assert parse(text) == c.AskToOpen(severity=severity)


def test_unknown_verb_is_named_in_help() -> None:
    assert parse("dance now") == c.Help("Unknown command `{detail}`.", "dance")


@given(st.text())
def test_any_text_parses_to_a_command(text: str) -> None:
    assert isinstance(parse(text), c.Command.__args__)  # type: ignore[attr-defined]


@given(st.sampled_from(sorted(USAGE)), st.text())
def test_any_arguments_to_a_known_verb_parse(verb: str, rest: str) -> None:
    assert isinstance(parse(f"{verb} {rest}"), c.Command.__args__)  # type: ignore[attr-defined]


@pytest.mark.parametrize("text", ["approve ¹", "severity ٣", "revise ² text", "open x --sev ²", "CRI-١ status"])
def test_digits_of_other_scripts_are_not_numbers(text: str) -> None:
    assert isinstance(parse(text), c.Help | c.ShowStatus | c.OpenIncident)
    assert not isinstance(parse(text), c.ApproveDraft | c.ChangeSeverity | c.ReviseDraft)


@pytest.mark.parametrize("text", ["publish", "publish 2", "publier #3", "object", "object 2", "override 1", "withdraw me"])
def test_a_publication_needs_a_channel_and_an_objection_a_reason(text: str) -> None:
    command = parse(text)
    assert isinstance(command, c.Help) and command.detail in USAGE.values()


def test_publishing_without_a_channel_asks_where() -> None:
    command = parse("publish 2")
    assert isinstance(command, c.Help) and command.problem.startswith("Where was it published?")


def test_an_answer_splits_at_the_first_bar_outside_a_slack_link() -> None:
    command = parse("answer Where is it? <https://shop.example/track|tracking page> | Late <@U1>, sorry")
    assert command == c.ProposeAnswer(question="Where is it? <https://shop.example/track|tracking page>",
                                      answer="Late <@U1>, sorry")
    assert parse("answer Q | A | B") == c.ProposeAnswer(question="Q", answer="A | B")
