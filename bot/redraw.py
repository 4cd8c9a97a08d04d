"""The clicked card drawn again as it is, after the core refused the click.

A menu on a card (a severity, a person picked for a role) shows its new choice on the clicker's screen at once,
before the core answers. When the core refuses, nothing changed, so no refresh follows, and the clicker kept seeing a
choice that never happened. The card is sent again, unchanged, through the refresher (one update in flight per card,
the newest state wins): every control goes back to what the crisis is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot import views
from bot.commands import Origin
from bot.identities import card_for, known, people_of
from bot.model import Conversation
from bot.reactions import CardDelivery
from bot.signals.crisis import with_volume

if TYPE_CHECKING:
    from bot.service import Dispatcher


def clicked_card(dispatcher: Dispatcher, origin: Origin) -> CardDelivery | None:
    """`origin.card` as its incident is now, for the conversation it was clicked in; None when that card was never
    posted there (a card in a private answer: nothing to put back) or names no incident, or draft, that exists."""
    if origin.card is None:
        return None
    named = views.card_named(origin.card)
    if named is None:
        return None
    key, number = named
    settings, t = dispatcher.settings, dispatcher.translator(origin)
    with dispatcher.uow_factory() as uow:
        if uow.cards.get(origin.platform, origin.conversation, origin.card) is None:
            return None
        incident = uow.incidents.get(key)
        if incident is None:
            return None
        if number is None:
            if settings.watch.topics or settings.watch.channel:  # as a command's card shows it (`Context.incident`)
                incident = with_volume(incident, uow.signals, dispatcher.clock.now())
            card = views.incident_card(incident, settings, t)
        else:
            draft = incident.find_draft(number)
            if draft is None:
                return None
            card = views.draft_card(incident, draft, t, settings.timezone)
        people = known(uow, people_of(incident), {origin.platform})
    here = Conversation(origin.platform, origin.conversation)
    return CardDelivery.drawn(here, card_for(card, origin.platform, people), incident.version)
