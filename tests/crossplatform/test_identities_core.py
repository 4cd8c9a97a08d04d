"""The core's side of one person across platforms, with the fakes: recognition, rosters, mentions per platform."""

from __future__ import annotations

import asyncio

from bot.commands import Origin
from bot.config import Settings
from bot.identities import Account, People, for_platform
from bot.replies import Card, Field, Picker, Reply
from tests.harness import Harness


def say(h: Harness, text: str, person: str, platform: str, conversation: str, email: str = "",
        names: tuple[tuple[str, str], ...] = ()) -> Reply:
    emails = ((person, email),) if email else ()
    return asyncio.run(h._say(text, Origin(person, platform, conversation, names=names, emails=emails)))


def test_a_roster_by_email_names_the_person_who_has_the_address() -> None:
    h = Harness(Settings(roster={"legal": ("Lina@Acme.com",)}))
    say(h, "help", "aad-lina", "teams", "19:legal", "lina@acme.com")  # seen in Teams first
    say(h, "open Wave of complaints --sev 2", "U1", "slack", "C1", "rita@acme.com")
    assert h.incident().holder("legal") == "aad-lina"


def test_a_roster_address_nobody_has_yet_is_the_person_when_they_come() -> None:
    h = Harness(Settings(roster={"legal": ("lina@acme.com",)}))
    say(h, "open Wave of complaints --sev 2", "U1", "slack", "C1")
    assert h.incident().holder("legal") == "lina@acme.com"
    say(h, "CRI-1 note Reviewing", "aad-lina", "teams", "19:legal", "LINA@acme.com")
    assert h.incident().timeline[-1].actor == "lina@acme.com"


def test_four_eyes_holds_across_platforms() -> None:
    h = Harness()
    say(h, "open Wave --sev 3", "U1", "slack", "C1", "rita@acme.com")
    say(h, "assign comms U1", "U1", "slack", "C1", "rita@acme.com")
    say(h, "draft We are sorry", "U1", "slack", "C1", "rita@acme.com")
    refused = say(h, "CRI-1 approve", "aad-rita", "teams", "19:x", "rita@acme.com")
    assert "four-eyes" in refused.text and h.incident().drafts[0].approvals == []


def test_a_person_without_an_account_on_a_platform_is_written_by_name_there() -> None:
    people = People({"U1": [Account("slack", "U1")], "lina@acme.com": [Account("teams", "aad-lina")]},
                    {"U1": "Rita", "lina@acme.com": "Lina <Legal>"})
    card = Card("incident:CRI-1", "CRI-1", fields=(Field("legal", "<@lina@acme.com>"), Field("lead", "<@U1>")),
                pickers=(Picker("legal", "CRI-1 assign legal", selected="lina@acme.com"),))
    reply = Reply(text="<@U1> assigned <@lina@acme.com>; <@someone> stays", cards=(card,))
    in_slack = for_platform(reply, "slack", people)
    assert in_slack.text == "<@U1> assigned @Lina ‹Legal›; <@someone> stays"  # never a mention of its own
    assert in_slack.cards[0].pickers[0].selected is None  # no Slack account to preselect
    in_teams = for_platform(reply, "teams", people)
    assert in_teams.text == "@Rita assigned <@aad-lina>; <@someone> stays"
    assert in_teams.cards[0].fields[0].value == "<@aad-lina>" and in_teams.cards[0].pickers[0].selected == "aad-lina"
