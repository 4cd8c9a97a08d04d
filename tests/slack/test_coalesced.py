"""A burst of commands on one incident, through the Slack door over real HTTP: a few card updates, the last state shown."""

from __future__ import annotations

import asyncio

import pytest

from tests.slack.conftest import Bot
from tests.slack.slack_requests import slash_command
from tests.slack.test_cards import card_message
from tests.slack.test_commands import LEAD, crisis

BURST = 200


def incident_updates(bot: Bot, channel: str, ts: str) -> int:
    return len([c for c in bot.slack.called("chat.update") if c.params["channel"] == channel and c.params["ts"] == ts])


def latest_update(bot: Bot, channel: str) -> str:
    """The "Latest update" the incident card shows now, as Slack renders it (rich text: label, then ": value")."""
    _, blocks = card_message(bot, channel, "incident:CRI-1")
    pieces = [e for b in blocks if b["type"] == "rich_text" for s in b["elements"] for e in s["elements"]]
    label = next(n for n, piece in enumerate(pieces) if piece.get("text") == "Latest update")
    return str(pieces[label + 1]["text"]).removeprefix(": ").strip()


async def test_a_burst_of_notes_costs_a_handful_of_card_updates_and_ends_on_the_final_state(bot: Bot) -> None:
    await crisis(bot, "open Wave of complaints --sev 2")
    room = bot.slack.called("conversations.invite")[0].params["channel"]
    ts, _ = card_message(bot, room, "incident:CRI-1")
    before = incident_updates(bot, room, ts)
    loop = asyncio.get_running_loop()
    started = loop.time()

    async def one(n: int) -> None:
        # Notes, and every tenth an update, so the card has something new to show.
        text = f"CRI-1 update step {n}" if n % 10 == 9 else f"CRI-1 note n{n}"
        response = await bot.post(slash_command(text, user=LEAD, channel=room, trigger_id=f"burst.{n}"))
        assert response.status == 200

    for first in range(0, BURST, 20):  # twenty clients at a time
        await asyncio.gather(*(one(n) for n in range(first, first + 20)))
    await bot.door.work.drain()
    elapsed = loop.time() - started
    during = incident_updates(bot, room, ts) - before
    await bot.runtime.service.drain()

    incident = bot.incident()
    assert incident is not None and incident.last_update is not None
    # Every command ran: recorded, or refused after losing its retries to the others at the same moment.
    done = [e for e in incident.timeline if type(e.event).__name__ in ("NoteAdded", "StatusUpdatePosted")]
    answers = [c.params.get("text", "") for c in bot.slack.calls if c.method in ("chat.postEphemeral", "respond")]
    refused = [text for text in answers if text.startswith("Someone changed this incident at the same moment")]
    assert len(done) + len(refused) == BURST and len(done) >= BURST // 2
    # At most one update per window of one second, and a handful in all rather than one per change.
    assert during <= elapsed + 1
    assert incident_updates(bot, room, ts) - before <= 10
    assert latest_update(bot, room).startswith(f"{incident.last_update.text} (")


@pytest.mark.parametrize("extra_env", [{"CRISISBOT_CARD_REFRESH": "60s"}])
async def test_the_server_sends_the_waiting_card_states_as_it_shuts_down(bot: Bot) -> None:
    await crisis(bot, "open Wave of complaints --sev 2")
    room = bot.slack.called("conversations.invite")[0].params["channel"]
    for n in range(5):
        response = await bot.post(slash_command(f"CRI-1 update step {n}", channel=room, trigger_id=f"late.{n}"))
        assert response.status == 200
    await bot.door.work.drain()
    assert latest_update(bot, room) == "none yet"  # within the window of the card's first post
    await bot.app.shutdown()
    incident = bot.incident()
    assert incident is not None and incident.last_update is not None
    assert latest_update(bot, room).startswith(f"{incident.last_update.text} (")
