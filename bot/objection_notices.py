"""Who hears of an objection directly, beyond the incident's conversations: a pure plan, sent by the service."""

from __future__ import annotations

from collections.abc import Sequence

from bot import events as ev
from bot import views
from bot.describe import mention
from bot.i18n import Translator
from bot.model import Incident
from bot.replies import Reply


def objection_notices(
    incident: Incident, events: Sequence[ev.Event], actor: str, t: Translator, tz: str = "UTC"
) -> list[tuple[str, Reply]]:
    """(person, direct message) for each fact that someone must hear of even when not watching the channel.

    An objection goes to the draft's author and to the lead (or the reporter while nobody leads); an override goes
    to the people whose objection it set aside. Nobody is told of their own act.
    """
    planned: list[tuple[str, Reply]] = []
    for event in events:
        match event:
            case ev.ObjectionRaised(number, version, reason):
                draft = incident.find_draft(number)
                if draft is None:
                    continue
                text = t(
                    "{key} · {person} objects to draft #{number} v{version}: {reason}. It cannot be approved or "
                    "published until the objection is withdrawn or the lead overrides it.",
                    key=incident.key, person=mention(actor), number=number, version=version, reason=reason,
                )
                people = (draft.author, incident.holder("lead") or incident.reporter)
                card = views.draft_card(incident, draft, t, tz)
                planned += [(p, Reply(text=text, cards=(card,), incident=incident.key, mentions=(actor, p)))
                            for p in dict.fromkeys(people) if p != actor]
            case ev.ObjectionOverridden(number, version, objectors, reason):
                text = t(
                    "{key} · the lead {person} overrode your objection to draft #{number}: {reason}",
                    key=incident.key, person=mention(actor), number=number, reason=reason,
                )
                planned += [(p, Reply(text=text, incident=incident.key, mentions=(actor, p)))
                            for p in objectors if p != actor]
    return planned
