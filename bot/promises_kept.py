"""Which promises of a next update the team kept, read from an incident's whole timeline (for the report).

A promise is kept when something reaches the public (a status update, a published draft) after it was made
and no later than the promised time; missed when the first such word came late, or never came and the time
has passed; still pending otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot import events as ev
from bot.model import Incident

PUBLIC = (ev.StatusUpdatePosted, ev.DraftPublished)


class PromiseState(StrEnum):
    KEPT = "kept"
    MISSED = "missed"
    PENDING = "pending"


@dataclass(frozen=True)
class PromiseOutcome:
    made_at: datetime
    made_by: str
    due: datetime
    excerpt: str
    state: PromiseState
    # When the public next heard from the team, early or late; None while it has not.
    followed_at: datetime | None


def promises_kept_and_missed(incident: Incident, now: datetime) -> list[PromiseOutcome]:
    """Every promise recorded on the incident's timeline, oldest first. Load the incident whole (`get_whole`)."""
    outcomes = []
    entries = incident.timeline
    news = _news(incident)
    for index, entry in enumerate(entries):
        if not isinstance(entry.event, ev.PromiseMade):
            continue
        due = datetime.fromisoformat(entry.event.due)
        followed = next((entries[i].at for i in news if i > index), None)
        if followed is not None:
            state = PromiseState.KEPT if followed <= due else PromiseState.MISSED
        else:
            state = PromiseState.MISSED if due < now else PromiseState.PENDING
        outcomes.append(PromiseOutcome(entry.at, entry.actor, due, entry.event.excerpt, state, followed))
    return outcomes


def _news(incident: Incident) -> list[int]:
    """Positions on the timeline where the public heard something new: a status update, or the first publication
    of a draft version (publishing the same words on one more channel tells nothing new)."""
    seen: set[tuple[int, int]] = set()
    found = []
    for index, entry in enumerate(incident.timeline):
        event = entry.event
        if isinstance(event, ev.DraftPublished):
            if (event.number, event.version) in seen:
                continue
            seen.add((event.number, event.version))
        if isinstance(event, PUBLIC):
            found.append(index)
    return found
