"""Incidents as this process last committed them, so the next command on one needs its row only, not its children.

An entry is used only if the incident's stored version is still the one it was committed at: every change to an
incident or its children bumps that version (`SqlIncidents.flush`), so an equal version means equal rows, whoever
wrote last. Entries are private copies, handed to one unit of work at a time (taken out, put back at commit), so
no two threads ever share an aggregate, and the object a command returns stays the caller's. The timeline is not
kept, only its length, as when loading without history.
"""

from __future__ import annotations

import copy
import pickle
import threading

from bot.model import Incident
from storage.changes import Snapshot

KEPT = 256  # incidents; the oldest entry goes first


class IncidentCache:
    def __init__(self, kept: int = KEPT) -> None:
        self.kept = kept
        self.entries: dict[int, tuple[Incident, Snapshot]] = {}
        self.lock = threading.Lock()

    def take(self, number: int, version: int, events_recorded: int) -> tuple[Incident, Snapshot] | None:
        """The incident at this stored version, now owned by the caller; None if not kept at that version."""
        with self.lock:
            entry = self.entries.pop(number, None)
        if entry is None or entry[0].version != version or entry[1].timeline != events_recorded:
            return None
        return entry

    def put(self, incident: Incident, stored: Snapshot) -> None:
        """Keeps a private copy of `incident`, as committed (`stored` is its snapshot)."""
        kept = copy.copy(incident)
        kept.timeline, kept.earlier_events = [], incident.events_recorded
        kept = pickle.loads(pickle.dumps(kept, pickle.HIGHEST_PROTOCOL))  # a deep copy, about twice as fast
        with self.lock:
            self.entries.pop(incident.number, None)
            self.entries[incident.number] = (kept, stored)
            while len(self.entries) > self.kept:
                del self.entries[next(iter(self.entries))]

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
