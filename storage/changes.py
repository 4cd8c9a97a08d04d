"""What changed in an incident since it was loaded, as rows to insert and rows to update.

A `Snapshot` remembers only what is cheap to compare: the incident row, the mutable child rows (role
assignments, drafts, objections) and how many append-only children (conversations, versions, approvals,
reviews, publications, updates, timeline) were stored. Append-only children are never rewritten, only the new
tail is inserted.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.model import Incident
from storage import mapping as m
from storage.mapping import Values


@dataclass(frozen=True)
class DraftSnapshot:
    values: Values
    versions: int
    approvals: int
    reviews: int
    publications: int = 0
    # Objections are closed in place (withdrawn, overridden), so their rows are compared like assignments.
    objections: tuple[Values, ...] = ()


@dataclass(frozen=True)
class Snapshot:
    incident: Values
    conversations: int
    assignments: list[Values]
    drafts: dict[int, DraftSnapshot]
    updates: int
    timeline: int
    # Conversation rows change in place when one is left or joined again (`Conversation.left`).
    conversation_rows: tuple[Values, ...] = ()


@dataclass
class Changes:
    """Rows to write for one incident; table names map to rows, so the repository stays a plain executor."""

    incident: Values
    inserts: dict[str, list[Values]] = field(default_factory=dict)
    updates: dict[str, list[Values]] = field(default_factory=dict)
    # The snapshot of the incident as these rows leave it: what `snapshot` would compute once they are stored.
    after: Snapshot | None = None

    def insert(self, table: str, rows: list[Values]) -> None:
        if rows:
            self.inserts.setdefault(table, []).extend(rows)

    def update(self, table: str, row: Values) -> None:
        self.updates.setdefault(table, []).append(row)

    @property
    def children_changed(self) -> bool:
        return bool(self.inserts or self.updates)


def snapshot(incident: Incident) -> Snapshot:
    n = incident.number
    return Snapshot(
        incident=m.incident_values(incident),
        conversations=len(incident.conversations),
        assignments=[m.assignment_values(n, seq, a) for seq, a in enumerate(incident.assignments, 1)],
        drafts={
            d.number: DraftSnapshot(
                m.draft_values(n, d), len(d.versions), len(d.approvals), len(d.reviews), len(d.publications),
                tuple(m.objection_values(n, d.number, seq, o) for seq, o in enumerate(d.objections, 1)),
            )
            for d in incident.drafts
        },
        updates=len(incident.updates),
        timeline=incident.events_recorded,
        conversation_rows=tuple(m.conversation_values(n, seq, c) for seq, c in enumerate(incident.conversations, 1)),
    )


EMPTY = Snapshot(incident={}, conversations=0, assignments=[], drafts={}, updates=0, timeline=0)


def changes(incident: Incident, before: Snapshot = EMPTY) -> Changes:
    """Rows that turn `before` into the current state; with no snapshot, every row of a new incident."""
    n = incident.number
    found = Changes(m.incident_values(incident))
    _check_append_only(incident, before)
    assignments: list[Values] = []
    drafts: dict[int, DraftSnapshot] = {}
    conversation_rows = tuple(m.conversation_values(n, seq, c) for seq, c in enumerate(incident.conversations, 1))
    found.insert("incident_conversations", list(conversation_rows[before.conversations:]))
    for seq, row in enumerate(before.conversation_rows, 1):
        if conversation_rows[seq - 1] != row:
            found.update("incident_conversations", conversation_rows[seq - 1])
    for seq, assignment in enumerate(incident.assignments, 1):
        row = m.assignment_values(n, seq, assignment)
        assignments.append(row)
        if seq > len(before.assignments):
            found.insert("role_assignments", [row])
        elif row != before.assignments[seq - 1]:
            found.update("role_assignments", row)
    for draft in incident.drafts:
        row = m.draft_values(n, draft)
        draft_row = row
        objections: list[Values] = []
        old = before.drafts.get(draft.number)
        if (
            old is not None and not draft.objections and not old.objections and row == old.values
            and len(draft.versions) == old.versions and len(draft.approvals) == old.approvals
            and len(draft.reviews) == old.reviews and len(draft.publications) == old.publications
        ):
            drafts[draft.number] = old  # most commands leave a draft as it was: nothing to write, its snapshot stands
            continue
        if old is None:
            found.insert("drafts", [row])
            old = DraftSnapshot(row, 0, 0, 0)
        elif row != old.values:
            found.update("drafts", row)
        found.insert("draft_versions", [m.version_values(n, draft.number, v) for v in draft.versions[old.versions:]])
        found.insert("draft_approvals", [
            m.approval_values(n, draft.number, seq, a) for seq, a in enumerate(draft.approvals, 1) if seq > old.approvals
        ])
        found.insert("draft_reviews", [
            m.review_values(n, draft.number, seq, r) for seq, r in enumerate(draft.reviews, 1) if seq > old.reviews
        ])
        found.insert("draft_publications", [
            m.publication_values(n, draft.number, seq, p)
            for seq, p in enumerate(draft.publications, 1) if seq > old.publications
        ])
        for seq, objection in enumerate(draft.objections, 1):
            row = m.objection_values(n, draft.number, seq, objection)
            objections.append(row)
            if seq > len(old.objections):
                found.insert("draft_objections", [row])
            elif row != old.objections[seq - 1]:
                found.update("draft_objections", row)
        drafts[draft.number] = DraftSnapshot(
            draft_row, len(draft.versions), len(draft.approvals), len(draft.reviews), len(draft.publications),
            tuple(objections),
        )
    found.insert("status_updates", [
        m.update_values(n, seq, u) for seq, u in enumerate(incident.updates, 1) if seq > before.updates
    ])
    # Only the entries recorded since `before`, without walking the ones stored already.
    stored = max(before.timeline - incident.earlier_events, 0)
    found.insert("timeline_entries", [
        m.timeline_values(n, seq, e)
        for seq, e in enumerate(incident.timeline[stored:], incident.earlier_events + stored + 1)
    ])
    found.after = Snapshot(
        found.incident, len(incident.conversations), assignments, drafts, len(incident.updates), incident.events_recorded,
        conversation_rows,
    )
    return found


def is_changed(found: Changes, before: Snapshot) -> bool:
    return found.children_changed or found.incident != before.incident


def _check_append_only(incident: Incident, before: Snapshot) -> None:
    # Saving only the new tail is right only while the core never removes history; fail loudly if it starts to.
    shrunk = (
        len(incident.conversations) < before.conversations or len(incident.assignments) < len(before.assignments)
        or len(incident.updates) < before.updates or incident.events_recorded < before.timeline
        or any(
            len(d.versions) < old.versions or len(d.approvals) < old.approvals or len(d.reviews) < old.reviews
            or len(d.publications) < old.publications or len(d.objections) < len(old.objections)
            for d in incident.drafts if (old := before.drafts.get(d.number)) is not None
        )
        or len({d.number for d in incident.drafts} & before.drafts.keys()) < len(before.drafts)
    )
    if shrunk:
        raise RuntimeError(f"{incident.key}: history was removed from the aggregate; storage only appends history")
