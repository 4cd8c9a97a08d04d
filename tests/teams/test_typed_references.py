"""What a Teams user types that only looks like a reference names no one, on Teams or on Slack where the crisis is
also followed: Teams marks real mentions up itself (`<at>`), so a typed `<@U…>` is text."""

from __future__ import annotations

from bot.events import NoteAdded
from bot.identities import PERSON
from bot.plain_text import INERT
from tests.teams.conftest import LEA, TeamsClient, thread

ROOM = thread("1700000000007")


async def test_a_typed_slack_mention_or_channel_names_no_one_while_a_real_mention_still_does(teams: TeamsClient) -> None:
    teams.connector.members[LEA.teams_id] = {"id": LEA.teams_id, "name": LEA.name, "aadObjectId": LEA.aad}
    # Teams sends typed brackets as HTML entities; the Agents Playground sends them raw.
    await teams.say("open Outage &lt;@U0LEGAL&gt; &lt;#C0123&gt; <@U0RAW|boss> --sev 2", conversation=ROOM)
    title = teams.incident().title
    assert title.replace(INERT, "") == "Outage <@U0LEGAL> <#C0123> <@U0RAW|boss>"  # reads as typed
    assert not PERSON.search(title) and "<#" not in title  # and is no reference any door would turn into a mention
    await teams.say("assign legal @Léa Legal", conversation=ROOM, mentions=(LEA,))
    assert teams.incident().holder("legal") == LEA.aad
    await teams.say("note ask @Léa Legal about &lt;@U0LEGAL&gt;", conversation=ROOM, mentions=(LEA,))
    note = teams.incident().timeline[-1].event
    assert isinstance(note, NoteAdded)
    assert [m.group(1) for m in PERSON.finditer(note.text)] == [LEA.aad]


async def test_a_greeting_before_the_bots_mention_or_the_mention_last_still_runs_the_command(teams: TeamsClient) -> None:
    await teams.say("open Outage --sev 2", conversation=ROOM)
    activity = teams.message("", conversation=ROOM)
    activity["text"] = "hey <at>crisisbot</at>, CRI-1 note first"
    assert (await teams.post(activity))[0] == 200
    activity = teams.message("", conversation=ROOM)
    activity["text"] = "CRI-1 note second <at>crisisbot</at>"
    assert (await teams.post(activity))[0] == 200
    notes = [e.event.text for e in teams.incident().timeline if isinstance(e.event, NoteAdded)]
    assert notes == ["first", "second"]
