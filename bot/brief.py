"""The frontline brief kept in the support and moderation rooms (CRISISBOT_FRONTLINE_CHANNELS).

Plan only, no I/O: after any command, the facts that change what the frontline may say (a statement published, an
answer or the moderation line approved, the incident resolved or reopened) add the brief card, posted the first time
and updated in place after, and a short "changed: …" line to those rooms. Nothing goes out before the first item
exists; once the incident is resolved the brief says so and stops changing. A status update that promises a new time
(or ends a promise) redraws the card alone, so the time the frontline tells customers is the public's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from bot import events as ev
from bot.answers import Change
from bot.frontline_views import brief_card, changes_text
from bot.handlers import Context, Outcome
from bot.i18n import translator
from bot.model import Conversation, Incident, Status
from bot.reactions import CardDelivery, NewsDelivery


def frontline_changes(events: Sequence[ev.Event]) -> list[Change]:
    changes: list[Change] = []
    for event in events:
        match event:
            case ev.DraftPublished():
                changes.append(("statement", ""))
            case ev.AnswerApproved(question=question):
                changes.append(("answer", question))
            case ev.LineApproved():
                changes.append(("line", ""))
            case ev.StatusChanged(old=old, new=new) if Status.RESOLVED.value in (old, new):
                changes.append(("resolved", "") if new == Status.RESOLVED.value else ("reopened", ""))
    return list(dict.fromkeys(changes))


# Facts that move the next update the public was promised, which the brief shows: the card is redrawn in place,
# without a "changed" line, since what the frontline may say is the same.
MOVES_NEXT_UPDATE = (ev.PromiseMade, ev.StatusUpdatePosted)


def with_frontline(outcome: Outcome, ctx: Context) -> Outcome:
    """The outcome, with the brief and its news for the frontline rooms when the command changed what they hold."""
    incident = outcome.incident
    changes = frontline_changes(outcome.events) if incident is not None else []
    if incident is None:
        return outcome
    if not changes:
        if any(isinstance(event, MOVES_NEXT_UPDATE) for event in outcome.events):
            return _redrawn(outcome, ctx, incident)
        return outcome
    resolving = ("resolved", "") in changes
    if incident.status is Status.RESOLVED and not resolving:
        return outcome  # a resolved incident's brief stops changing (a late publication is still recorded)
    board = ctx.uow.frontline.get(incident.number)
    published = any(d.publications for d in incident.drafts)
    if not board.posted and (resolving or not (published or board.has_items)):
        return outcome  # nothing for the frontline yet
    board.note_change(changes, ctx.now)
    board.posted = True
    settings = ctx.configured or ctx.settings
    if not settings.frontline_channels:
        return outcome  # the board keeps its changes (shown by `brief`); no room to render the card for
    # The rooms read the team's language and time zone, whoever made the change.
    t = translator(settings.language)
    card = brief_card(incident, board, settings.timezone, t)
    line = f"{incident.key} · " + t("changed: {what}", what=changes_text(changes, t))
    places = [Conversation(platform, conversation) for platform, conversation in settings.frontline_channels]
    deliveries = tuple(CardDelivery.drawn(place, card, incident.version) for place in places)
    news = tuple(NewsDelivery(place, incident.key, (line,)) for place in places)
    return replace(outcome, deliveries=(*outcome.deliveries, *deliveries), news=(*outcome.news, *news))


def _redrawn(outcome: Outcome, ctx: Context, incident: Incident) -> Outcome:
    """The brief card redrawn where it is shown already, nothing else."""
    settings = ctx.configured or ctx.settings
    if incident.status is Status.RESOLVED or not settings.frontline_channels:
        return outcome
    board = ctx.uow.frontline.get(incident.number)
    if not board.posted:
        return outcome
    card = brief_card(incident, board, settings.timezone, translator(settings.language))
    places = [Conversation(platform, conversation) for platform, conversation in settings.frontline_channels]
    deliveries = tuple(CardDelivery.drawn(place, card, incident.version) for place in places)
    return replace(outcome, deliveries=(*outcome.deliveries, *deliveries))
