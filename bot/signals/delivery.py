"""Sends alert cards to the watch channel: a new message for a new alert, the same message updated afterwards."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from typing import Protocol

from bot.ports import ChatGateway
from bot.replies import Reply
from bot.signals.notices import AlertNotice

log = logging.getLogger(__name__)


class CardPlaces(Protocol):
    """Where cards were posted (the dispatcher's `card_refs` / `remember_cards`)."""

    def card_refs(self, wanted: Sequence[tuple[str, str, str]]) -> dict[tuple[str, str, str], str]: ...

    def remember_cards(self, posted: Mapping[tuple[str, str, str], str]) -> None: ...


async def deliver(places: CardPlaces, gateways: Mapping[str, ChatGateway], notices: Sequence[AlertNotice]) -> None:
    """Never raises: an alert that cannot reach its channel is logged (it stays recorded and in `watch`)."""
    if not notices:
        return
    wanted = [(n.platform, n.conversation, n.card.id) for n in notices]
    known = await asyncio.to_thread(places.card_refs, wanted)
    posted: dict[tuple[str, str, str], str] = {}
    for notice, where in zip(notices, wanted, strict=True):
        gateway = gateways.get(notice.platform)
        if gateway is None:
            log.warning("signal alert for %s:%s not sent: that door is off", notice.platform, notice.conversation)
            continue
        try:
            ref = known.get(where) or posted.get(where)
            if ref is not None and not notice.repost:
                await gateway.update(notice.conversation, ref, notice.card)
            else:
                new_ref = await gateway.post(notice.conversation, Reply(cards=(notice.card,)))
                if new_ref:
                    posted[where] = new_ref
        except Exception:
            log.exception("signal alert %s could not reach %s:%s", notice.card.id, notice.platform, notice.conversation)
    if posted:
        await asyncio.to_thread(places.remember_cards, posted)
