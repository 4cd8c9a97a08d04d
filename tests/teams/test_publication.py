"""Publishing per channel from a Teams card: the Publish action carries a text input for the channel."""

from __future__ import annotations

from bot.drafts import DraftState
from tests.teams.conftest import COLIN, LEA, TeamsClient
from tests.teams.test_card_clicks import ROOM, action, click, crisis_with_draft, facts, posted_card


async def test_the_publish_action_asks_for_the_channel_and_records_each(teams: TeamsClient) -> None:
    await crisis_with_draft(teams)
    card = posted_card(teams, "CRI-1 · draft reply #1")
    await click(teams, card, "Approve", LEA)
    status, body = await click(teams, card, "Approve", COLIN)
    assert status == 200
    [publish] = [a for a in body["value"]["actions"] if a["title"] == "Mark published"]
    assert publish["type"] == "Action.ShowCard"
    [field] = publish["card"]["body"]
    assert field["type"] == "Input.Text" and field["isRequired"] and field["label"].startswith("Where is it published?")
    for channel in ("website", "e-mail to customers"):
        data = {**action(body["value"], "Mark published"), field["id"]: channel}
        status, body = await teams.post(teams.invoke(data, card.activity["id"], COLIN, ROOM))
        assert status == 200
    draft = teams.incident().draft(1)
    assert draft.state is DraftState.PUBLISHED
    assert [p.channel for p in draft.publications] == ["website", "e-mail to customers"]
    assert facts(body["value"])["Published"].startswith("website · Colin Comms")
    assert any("published on e-mail to customers" in text for text in teams.connector.texts(ROOM))
