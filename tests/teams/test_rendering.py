"""What Teams people see: text as typed, lines as lines, the bot's code spans as code, conversations by name."""

from __future__ import annotations

import html

from tests.teams.conftest import Person, TeamsClient, thread
from tests.teams.fake_connector import card_facts, card_lines, card_title
from tests.teams.teams_view import seen_message

ROOM = thread("1700000000001")
TRICKY = "*Sorry* <at>everyone</at> [our site](https://evil.example) &amp; `50€` _now_"


async def test_typed_text_is_escaped_in_messages_and_verbatim_in_cards(teams: TeamsClient) -> None:
    await teams.say("open Wave of complaints --sev 2", conversation=ROOM)
    teams.connector.clear()
    activity = teams.message("", conversation=ROOM)
    # Teams sends what people type as HTML: their own `<` and `&` arrive escaped.
    activity["text"] += html.escape(f"note {TRICKY}\n- not a list\n# not a heading", quote=False)
    assert (await teams.post(activity))[0] == 200
    [answer] = teams.connector.texts(ROOM)
    assert answer == (
        "CRI-1 · note: \\*Sorry\\* &lt;at&gt;everyone&lt;/at&gt; \\[our site\\](https://evil.example) &amp;amp; "
        "\\`50€\\` \\_now\\_\n\n\\- not a list\n\n\\# not a heading"
    )
    assert teams.connector.of("reply")[0].activity.get("entities") is None  # nobody mentioned

    await teams.say("timeline", conversation=ROOM)
    lines = card_lines(teams.connector.of("reply")[-1].cards[0])
    assert f"note: {TRICKY}" in " ".join(lines)
    assert "- not a list" in lines and "# not a heading" in lines  # one block per line, exactly as typed


async def test_empty_values_show_a_dash_not_a_bullet(teams: TeamsClient) -> None:
    await teams.say("open Wave of complaints --sev 2", conversation=ROOM)
    card = teams.connector.of("send", ROOM)[0].cards[0]
    assert card_title(card) == "CRI-1 · Wave of complaints"
    assert card_facts(card)["lead"] == "—"


async def test_help_lines_are_lines_and_code_spans_render_as_code(teams: TeamsClient) -> None:
    await teams.say("help", conversation=ROOM)
    card = teams.connector.of("reply")[-1].cards[0]
    usage = [b for b in card["body"] if b["type"] == "RichTextBlock" and b["inlines"][0].get("fontType") == "Monospace"]
    assert "open <title> [--sev 1-4]" in [b["inlines"][0]["text"] for b in usage]
    assert "`" not in "".join(card_lines(card))


async def test_the_timeline_names_the_conversation_never_its_id(teams: TeamsClient) -> None:
    activity = teams.message("open Wave of complaints --sev 2", conversation=ROOM)
    activity["channelData"] = {**activity.get("channelData", {}), "team": {"id": "19:t", "name": "Contoso"},
                               "channel": {"id": "19:c", "name": "Crisis room"}}
    assert (await teams.post(activity))[0] == 200
    await teams.say("timeline", conversation=ROOM)
    lines = card_lines(teams.connector.of("reply")[-1].cards[0])
    assert any(line.endswith("now discussed in Teams › Contoso › Crisis room") for line in lines)
    assert "19:" not in " ".join(lines)


async def test_a_private_chat_without_names_is_named_in_words(teams: TeamsClient) -> None:
    await teams.say("open Leak", conversation="a:1megan-personal-chat")
    await teams.say("timeline", conversation="a:1megan-personal-chat")
    lines = card_lines(teams.connector.of("reply")[-1].cards[0])
    assert any(line.endswith("now discussed in Teams › a private chat") for line in lines)


async def test_every_card_the_bot_writes_alone_shows_its_code_spans_as_code(teams: TeamsClient) -> None:
    # The watch card with no topic is the bot's own words (`Card.markup`), like help: its hint is code, not backticks.
    await teams.say("watch", conversation=ROOM)
    [card] = teams.connector.of("reply")[-1].cards
    [hint] = [b for b in card["body"][1:] if b["type"] == "RichTextBlock"]
    assert [(run["text"], run.get("fontType")) for run in hint["inlines"]] == [
        ("No topic is watched: ", None), ("watch <name> <kw1, kw2>", "Monospace"), (".", None)]


async def test_the_bots_own_hints_show_as_code_and_typed_backticks_as_typed(teams: TeamsClient) -> None:
    await teams.say("open `rm` and *bold*", conversation=ROOM)
    codes: list[str] = []
    assert seen_message(teams.connector.texts(ROOM)[-1], codes)[0] == (
        "CRI-1 opened: `rm` and *bold* (severity 3 · moderate).\n"
        "Nobody holds lead, comms, legal, support, product yet: assign <role> @person.")
    # A hint holding `<` is shown as text: inside a code span Teams shows "&lt;" (`adapters.teams.messages`).
    assert codes == []
    # Refusals quote what was typed: its backticks are text, the hint is code.
    for typed, shown, code in [("unwatch a`b`c", "No topic a`b`c is watched. Try watch.", "watch"),
                               ("frob`x`", "Unknown command frob`x`.", "frob`x`"),
                               ("CRI-99 status", "There is no incident CRI-99. Try list.", "list")]:
        await teams.say(typed, conversation=ROOM)
        codes = []
        assert seen_message(teams.connector.texts(ROOM)[-1], codes) == (shown, [])
        assert codes == [code]


async def test_the_bots_own_hints_show_as_code_in_french(teams: TeamsClient) -> None:
    activity = teams.message("ouvrir Vague `x` --gravité 2", conversation=ROOM)
    activity["locale"] = "fr-FR"
    assert (await teams.post(activity))[0] == 200
    codes: list[str] = []
    text, _ = seen_message(teams.connector.texts(ROOM)[-1], codes)
    assert text.startswith("CRI-1 ouvert") and "Vague `x`" in text and "assigner <rôle> @personne" in text
    assert codes == []


async def test_a_display_name_shows_as_written_in_a_mention_never_as_a_link(teams: TeamsClient) -> None:
    # A guest chooses their own display name; Teams sends what people type as HTML, names in mentions included.
    eve = Person("Eve [our site](https://evil.example) **x** <b>y</b>", "29:1eve", "0c1b6d3e-0000-4000-8000-00000000eee5")
    teams.connector.members[eve.teams_id] = {"id": eve.teams_id, "name": eve.name, "aadObjectId": eve.aad}
    await teams.say("open Wave of complaints", conversation=ROOM)
    activity = teams.message("assign legal @Eve", conversation=ROOM)
    label = f"<at>{html.escape(eve.name, quote=False)}</at>"
    activity["text"] = activity["text"].replace("@Eve", label)
    activity["entities"].append({"type": "mention", "text": label, "mentioned": {"id": eve.teams_id, "name": eve.name}})
    assert (await teams.post(activity))[0] == 200
    assert teams.incident().holder("legal") == eve.aad
    reply = teams.connector.of("reply")[-1].activity
    assert seen_message(reply["text"]) == (f"CRI-1 · legal: {eve.name}", [eve.name])
    assert [entity["text"] for entity in reply["entities"]] == [reply["text"].removeprefix("CRI-1 · legal: ")]
