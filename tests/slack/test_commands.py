"""Every command of the grammar, typed as `/crisis ...` over HTTP."""

from __future__ import annotations

from bot.drafts import DraftState
from bot.model import Status
from tests.slack.conftest import Bot
from tests.slack.fake_slack import BOT_USER
from tests.slack.slack_requests import slash_command

LEAD, LEGAL, COMMS, SUPPORT = "W111", "ULEGAL1", "UCOMMS1", "USUPP1"


async def crisis(bot: Bot, text: str, user: str = LEAD, channel: str = "C111", trigger: str | None = None) -> None:
    trigger = trigger or f"t.{len(bot.slack.calls)}.{text[:10]}"
    response = await bot.send(slash_command(text, user=user, channel=channel, trigger_id=trigger))
    assert response.status == 200


def ephemeral_texts(bot: Bot) -> list[str]:
    return [call.params["text"] for call in bot.slack.called("chat.postEphemeral")]


async def test_open_creates_channel_invites_pins_and_announces(bot: Bot) -> None:
    await crisis(bot, "open Wave of complaints about late deliveries --sev 2")
    incident = bot.incident()
    assert incident is not None and incident.severity == 2 and incident.reporter == LEAD
    create = bot.slack.called("conversations.create")[0]
    assert create.params["name"] == "crisis-cri-1-wave-of-complaints-about-late-deliveries"
    invite = bot.slack.called("conversations.invite")[0]
    assert LEAD in invite.params["users"] and BOT_USER not in invite.params["users"]
    room = invite.params["channel"]
    assert {c.id for c in incident.conversations} == {"C111", room}
    pinned = bot.slack.called("pins.add")
    card_posts = [c for c in bot.slack.called("chat.postMessage") if c.params["channel"] == room]
    assert pinned and pinned[0].params["timestamp"] is not None and card_posts
    here = [c for c in bot.slack.called("chat.postMessage") if c.params["channel"] == "C111"]
    announcement = [c for c in here if "CRI-1" in c.params["text"]]
    assert any(f"<#{room}>" in c.params["text"] for c in announcement)


async def test_every_command_of_the_grammar(bot: Bot) -> None:
    await crisis(bot, "open Wave of complaints --sev 2")
    key = "CRI-1"
    for text, user in [
        (f"{key} assign legal <@{LEGAL}|carol>", LEAD),
        (f"{key} assign lead <@{LEAD}>", LEAD),
        (f"{key} assign comms <@{COMMS}>", LEAD),
        (f"{key} assign support <@{SUPPORT}>", LEAD),
        (f"{key} release support", LEAD),
        (f"{key} roles", LEAD),
        (f"{key} draft We are aware of delays and are on it.", LEAD),
        (f"{key} revise 1 We are aware of delays; refunds are coming.", LEAD),
        (f"{key} changes 1 Mention the refund deadline", LEGAL),
        (f"{key} revise 1 We are aware of delays; refunds by Friday.", LEAD),
        (f"{key} approve 1", LEGAL),
        (f"{key} approve 1", COMMS),
        (f"{key} publish 1 twitter", COMMS),
        (f"{key} draft Second statement", LEAD),
        (f"{key} reject 2 Not needed", COMMS),
        (f"{key} draft Third statement", LEAD),
        (f"{key} object 3 Admits liability", LEGAL),
        (f"{key} withdraw 3", LEGAL),
        (f"{key} object 3 Too early", COMMS),
        (f"{key} override 3 We must speak now", LEAD),
        (f"{key} discard 3", LEAD),
        (f"{key} update Carrier confirmed the backlog", LEAD),
        (f"{key} note Press called at 10:40", LEAD),
        (f"{key} severity 1", LEAD),
        (f"{key} snooze 15", LEAD),
        (f"{key} monitor", LEAD),
        (f"{key} status", LEAD),
        (f"{key} timeline", LEAD),
        ("list", LEAD),
        ("help", LEAD),
        (f"{key} resolve Backlog cleared", LEAD),
        (f"{key} reopen", LEAD),
    ]:
        before = len(bot.slack.calls)
        await crisis(bot, text, user=user)
        assert len(bot.slack.calls) > before, f"no answer to {text!r}"
    incident = bot.incident(key)
    assert incident is not None
    assert incident.holder("legal") == LEGAL and incident.holder("comms") == COMMS and incident.holder("support") is None
    assert incident.drafts[0].state is DraftState.PUBLISHED and incident.drafts[0].version == 3
    assert incident.drafts[1].state is DraftState.REJECTED
    assert incident.drafts[2].state is DraftState.DISCARDED
    assert [o.closed_by for o in incident.drafts[2].objections] == [LEGAL, LEAD]
    assert incident.severity == 1 and incident.status is Status.ACTIVE
    assert incident.last_update is not None and "backlog" in incident.last_update.text
    texts = "\n".join(ephemeral_texts(bot))
    assert "Something went wrong" not in texts
    # Cards were refreshed in place, never reposted, in both conversations.
    assert bot.slack.called("chat.update")


async def test_typing_in_the_incident_channel_needs_no_key(bot: Bot) -> None:
    await crisis(bot, "open Outage --sev 3")
    room = bot.slack.called("conversations.create") and bot.slack.called("conversations.invite")[0].params["channel"]
    await crisis(bot, "update Still investigating", channel=room)
    incident = bot.incident()
    assert incident is not None and incident.last_update is not None and incident.last_update.text == "Still investigating"


async def test_unknown_command_gets_help_privately(bot: Bot) -> None:
    await crisis(bot, "dance")
    assert bot.slack.called("chat.postEphemeral")
    assert not bot.slack.called("chat.postMessage")


async def test_replies_follow_the_language_slack_tells_for_each_person(bot: Bot) -> None:
    await crisis(bot, "open Avis négatifs en cascade --sev 2", user="UFRANCK")
    await crisis(bot, "CRI-1 approve 1", user="UFRANCK")
    await crisis(bot, "CRI-1 approve 1", user=LEAD)
    said = ephemeral_texts(bot) + [str(c.params.get("text", "")) for c in bot.slack.called("response_url")]
    assert any("ouvert" in text for text in said) or any(
        "ouvert" in str(c.params.get("text", "")) for c in bot.slack.called("chat.postMessage")
    )
    assert any("L’incident CRI-1 n’a pas de brouillon n°\u00a01." in text for text in said)
    assert any("Incident CRI-1 has no draft #1." in text for text in said)


async def test_the_people_slack_names_are_remembered_for_reports(bot: Bot) -> None:
    await crisis(bot, "open Names --sev 3")
    await crisis(bot, f"CRI-1 assign legal <@{LEGAL}>")
    with bot.runtime.dispatcher.uow_factory() as uow:
        names = uow.people.names({LEAD, LEGAL})
    assert names == {LEAD: f"name-{LEAD.lower()}", LEGAL: f"name-{LEGAL.lower()}"}  # from users.info


async def test_times_answered_to_someone_follow_their_slack_time_zone(bot: Bot) -> None:
    await crisis(bot, "open Fuseau --sev 2", user="UFRANCK")
    await crisis(bot, "CRI-1 status", user="UFRANCK")
    await crisis(bot, "CRI-1 status", user=LEAD)
    said = " ".join(str(c.params) for c in bot.slack.calls if c.method in ("chat.postEphemeral", "response_url"))
    assert " CET" in said or " CEST" in said  # Slack says UFRANCK lives in Europe/Paris
    assert " UTC" in said  # LEAD has no time zone in Slack: the configured one
