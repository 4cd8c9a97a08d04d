"""Two batches arriving together: the alert the first raises is posted once, the second only updates it."""

from __future__ import annotations

import asyncio

from bot.replies import Reply
from bot.signals.intake import SignalIntake
from bot.signals.model import Signal
from tests.fakes import FakeGateway
from tests.signals.test_watch import alerts, complaints, harness


class SlowGateway(FakeGateway):
    """Slack or Teams taking a moment to answer a post, as they do."""

    async def post(self, conversation: str, reply: Reply) -> str | None:
        await asyncio.sleep(0.05)
        return await super().post(conversation, reply)


def test_an_update_while_the_alert_is_being_posted_does_not_post_it_twice() -> None:
    h = harness(threshold=3)
    gateway = SlowGateway("console")
    intake = SignalIntake(h.dispatcher, {"console": gateway})
    first = [Signal.of(text, h.clock.now(), source="x") for text in complaints(3)]
    # More severe (a wide reach): redrawn at once, without waiting for the refresh interval.
    second = [Signal.of("livraison perdue", h.clock.now(), source="x", reach=10_000_000)]

    async def both() -> None:
        await asyncio.gather(intake.ingest(first), intake.ingest(second))

    asyncio.run(both())
    h.gateway = gateway
    assert alerts(h) == ["alert:1:1"]
    assert gateway.updates and gateway.updates[-1].card is not None
    assert gateway.updates[-1].card.id == "alert:1:1"
