"""What each fact causes beyond the timeline, declared in one table, and the plan it makes: no I/O here.

`REACTIONS` says, per event type, which cards change, whether the other conversations hear of it, and who may get a
direct message. `plan` turns an incident's new facts into deliveries; `bot.broadcast` sends them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Protocol, cast

from bot import events as ev
from bot import notify, views
from bot.commands import Origin
from bot.config import Settings
from bot.describe import fact, mention
from bot.drafts import DraftState
from bot.i18n import Translator, translator
from bot.identities import NOBODY, People, card_for, for_platform, text_for
from bot.model import Conversation, Incident
from bot.objection_notices import objection_notices
from bot.replies import Card, Reply


@dataclass(frozen=True)
class Reaction:
    # The incident card shows no draft, so draft-only facts leave it alone.
    incident_card: bool = False
    # The card of the draft the fact names (`event.number`).
    draft_card: bool = False
    # Every draft still waiting or approved: resolving takes their buttons off, reopening puts them back.
    waiting_drafts: bool = False
    # Told to the incident's other conversations as a news line.
    news: bool = False
    # Someone must hear of it directly even when not watching the channel (`bot.objection_notices`).
    objection_notice: bool = False
    # May concern the stakeholders of CRISISBOT_NOTIFY (`bot.notify` decides from the fact's details).
    stakeholders: bool = False
    # A conversation now follows the crisis: it gets the cards of the drafts still waiting, as the others show them.
    new_place: bool = False


INCIDENT = Reaction(incident_card=True)
INCIDENT_NEWS = Reaction(incident_card=True, news=True)
DRAFT = Reaction(draft_card=True)
DRAFT_NEWS = Reaction(draft_card=True, news=True)

REACTIONS: dict[type[ev.Event], Reaction] = {
    ev.IncidentOpened: Reaction(incident_card=True, stakeholders=True),
    ev.ConversationLinked: Reaction(incident_card=True, new_place=True),
    ev.ConversationUnlinked: INCIDENT_NEWS,
    ev.RoleAssigned: INCIDENT_NEWS,
    ev.RoleReleased: INCIDENT,
    ev.SeverityChanged: Reaction(incident_card=True, news=True, stakeholders=True),
    ev.StatusChanged: Reaction(incident_card=True, waiting_drafts=True, news=True),
    ev.StatusUpdatePosted: INCIDENT_NEWS,
    ev.NoteAdded: INCIDENT,
    ev.CheckInReminderSent: Reaction(incident_card=True, stakeholders=True),
    ev.CheckInSnoozed: INCIDENT,
    ev.PromiseMade: INCIDENT,
    ev.DetectedFromSignals: INCIDENT,
    ev.SignalsAttached: INCIDENT,
    ev.LessonRecorded: INCIDENT,
    ev.ActionRecorded: INCIDENT,
    ev.DraftCreated: DRAFT_NEWS,
    ev.DraftRevised: DRAFT_NEWS,
    ev.ApprovalGiven: DRAFT,
    ev.DraftApproved: DRAFT_NEWS,
    ev.DraftRejected: DRAFT_NEWS,
    ev.ChangesRequested: DRAFT_NEWS,
    ev.DraftPublished: DRAFT_NEWS,
    ev.ApprovalRequirementRaised: DRAFT_NEWS,
    ev.TemplateWithdrawn: DRAFT_NEWS,
    ev.ObjectionRaised: Reaction(draft_card=True, news=True, objection_notice=True),
    ev.ObjectionWithdrawn: DRAFT_NEWS,
    ev.ObjectionOverridden: Reaction(draft_card=True, news=True, objection_notice=True),
    ev.DraftDiscarded: DRAFT_NEWS,
    ev.ApprovalReminderSent: DRAFT,
    ev.DraftClosed: DRAFT,
    # Holding statements and the frontline: their own cards and the brief are planned by `bot.brief` and the handlers.
    ev.TemplateUsed: DRAFT,
    ev.AnswerProposed: Reaction(news=True),
    ev.AnswerApprovalGiven: Reaction(),
    ev.AnswerApproved: Reaction(news=True),
    ev.AnswerRejected: Reaction(news=True),
    ev.LineProposed: Reaction(news=True),
    ev.LineApprovalGiven: Reaction(),
    ev.LineApproved: Reaction(news=True),
    ev.LineRejected: Reaction(news=True),
}


class _AboutDraft(Protocol):
    number: int


Drawing = Callable[[], Card]


def once(draw: Drawing) -> Drawing:
    """`draw`, run the first time the card is wanted and remembered after that."""
    drawn: list[Card] = []

    def card() -> Card:
        if not drawn:
            drawn.append(draw())
        return drawn[0]

    return card


@dataclass(frozen=True)
class CardDelivery:
    """A card to show in a conversation: posted the first time, updated in place after that.

    Drawn only when sent: of a burst of changes the refresher sends the latest state alone, so the cards of the
    states it skips are never drawn. The incident it is drawn from is the command's own object, which nothing
    changes once its transaction committed."""

    conversation: Conversation
    card_id: str
    # The incident's version it shows: an older state never overwrites a newer one.
    version: int
    draw: Drawing = field(compare=False, repr=False)

    @property
    def card(self) -> Card:
        return self.draw()

    @classmethod
    def drawn(cls, conversation: Conversation, card: Card, version: int) -> CardDelivery:
        """A delivery of a card drawn already."""
        return cls(conversation, card.id, version, lambda: card)


@dataclass(frozen=True)
class NewsDelivery:
    conversation: Conversation
    incident: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Message:
    """Sent once, never coalesced: a direct message to a person, or a post in a stakeholders' channel."""

    platform: str
    target: str
    reply: Reply
    channel: bool = False


@dataclass(frozen=True)
class Plan:
    cards: tuple[Drawing, ...]  # the changed cards, as the speaker's platform shows them: drawn when asked
    deliveries: tuple[CardDelivery, ...]
    news: tuple[NewsDelivery, ...]
    messages: tuple[Message, ...]


def reaction(event: ev.Event) -> Reaction:
    return REACTIONS[type(event)]


def cards_changed(
    incident: Incident, events: Sequence[ev.Event], settings: Settings, t: Translator
) -> list[tuple[str, Drawing]]:
    """The ids of the cards these facts change, each with how to draw it (not drawn yet)."""
    reactions = [(e, reaction(e)) for e in events]
    numbers = {cast(_AboutDraft, e).number for e, r in reactions if r.draft_card}
    if any(r.waiting_drafts for _, r in reactions):
        numbers |= {d.number for d in incident.drafts if d.is_open or d.state is DraftState.APPROVED}
    cards: list[tuple[str, Drawing]] = []
    if any(r.incident_card for _, r in reactions):
        cards.append((views.incident_card_id(incident), partial(views.incident_card, incident, settings, t)))
    for number in sorted(numbers):
        draft = incident.find_draft(number)
        if draft is not None:
            cards.append((views.draft_card_id(incident, number),
                          partial(views.draft_card, incident, draft, t, settings.timezone)))
    return cards


def _for_new_places(
    incident: Incident, events: Sequence[ev.Event], places: Sequence[Conversation], sent: Collection[str],
    t: Translator, settings: Settings,
) -> list[tuple[Conversation, Card]]:
    """The waiting drafts' cards for each conversation that just joined (the incident card goes everywhere anyway)."""
    joined = {(e.platform, e.conversation) for e in events if reaction(e).new_place and isinstance(e, ev.ConversationLinked)}
    new = [p for p in places if (p.platform, p.id) in joined]
    if not new:
        return []
    waiting = [d for d in incident.drafts if d.is_open or d.state is DraftState.APPROVED]
    drafts = [views.draft_card(incident, d, t, settings.timezone) for d in waiting]
    return [(place, card) for place in new for card in drafts if card.id not in sent]


def plan(
    incident: Incident,
    events: Sequence[ev.Event],
    settings: Settings,
    origin: Origin,
    platforms: Collection[str],
    t: Translator,
    people: People = NOBODY,
) -> Plan:
    """What these facts cause on the platforms this process reaches, given who caused them and from where.

    `people` (`bot.identities`): each person is written as their account on the platform that shows it, and direct
    messages go to the platform where they were last active."""
    changed = [(card_id, once(draw)) for card_id, draw in cards_changed(incident, events, settings, t)]
    lines = tuple(f"{incident.key} · {mention(origin.person)} · {fact(e, t)}" for e in events if reaction(e).news)
    here = Conversation(origin.platform, origin.conversation)
    places = [c for c in incident.places if c.platform in platforms]
    # Each card drawn once per platform at most, for all the conversations there and the reply.
    shown = {
        platform: [(card_id, once(partial(_written_for, draw, platform, people))) for card_id, draw in changed]
        for platform in {p.platform for p in places} | {origin.platform}
    }
    deliveries = tuple(
        CardDelivery(place, card_id, incident.version, draw) for place in places for card_id, draw in shown[place.platform]
    )
    new_places = _for_new_places(incident, events, places, [card_id for card_id, _ in changed], t, settings)
    deliveries += tuple(
        CardDelivery.drawn(place, card_for(card, place.platform, people), incident.version) for place, card in new_places
    )
    news = tuple(
        NewsDelivery(place, incident.key, tuple(text_for(line, place.platform, people) for line in lines))
        for place in places if lines and place != here
    )
    messages: list[Message] = []
    # People are known by their platform's ids: the speaker's platform first, else where the incident lives.
    people_on = origin.platform if origin.platform in platforms else next((p.platform for p in places), None)
    objections = [e for e in events if reaction(e).objection_notice]
    if people_on is not None and objections:
        notices = objection_notices(incident, objections, origin.person, t, settings.timezone)
        for person, reply in notices:
            platform, account = people.reach(person, platforms) or (people_on, person)
            messages.append(Message(platform, account, for_platform(reply, platform, people)))
    concerning = [e for e in events if reaction(e).stakeholders]
    if origin.platform in platforms and concerning:
        # Stakeholders read the configured language, whoever caused the change.
        told = notify.plan(incident, concerning, settings, origin.platform, translator(settings.language))
        messages += [Message(origin.platform, n.target, for_platform(n.reply, origin.platform, people), n.channel)
                     for n in told]
    return Plan(tuple(draw for _, draw in shown[origin.platform]), deliveries, news, tuple(messages))


def _written_for(draw: Drawing, platform: str, people: People) -> Card:
    return card_for(draw(), platform, people)
