"""Explicit translation between table rows and the core's objects; no domain object is ever an ORM object.

`*_values` functions give the column values of one row to write; `*_from` functions rebuild domain objects
from rows read with SQLAlchemy Core.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from bot.drafts import Approval, Draft, DraftState, DraftVersion, Publication, Review
from bot.events import event_data, event_from, event_kind
from bot.model import Conversation, Incident, RoleAssignment, Status, StatusUpdate, TimelineEntry
from bot.objections import Objection

Values = dict[str, Any]


# -- domain -> rows ------------------------------------------------------------------------------


def incident_values(incident: Incident) -> Values:
    """Every mutable column of the incident row except `version`, which the repository owns."""
    return {
        "number": incident.number,
        "key": incident.key,
        "title": incident.title,
        "description": incident.description,
        "source_url": incident.source_url,
        "severity": incident.severity,
        "status": incident.status.value,
        "reporter": incident.reporter,
        "created_at": incident.created_at,
        "updated_at": incident.updated_at,
        "next_update_due": incident.next_update_due,
        "resolved_at": incident.resolved_at,
        "summary": incident.summary,
        "missed_checkins": incident.missed_checkins,
        "false_alarm": incident.false_alarm,
        "promised_update_at": incident.promised_update_at,
    }


def conversation_values(number: int, seq: int, conversation: Conversation) -> Values:
    return {
        "incident_number": number, "seq": seq, "platform": conversation.platform, "conversation_id": conversation.id,
        "name": conversation.name, "unlinked": conversation.left,
    }


def assignment_values(number: int, seq: int, assignment: RoleAssignment) -> Values:
    return {
        "incident_number": number, "seq": seq, "role": assignment.role, "holder": assignment.holder,
        "assigned_by": assignment.assigned_by, "started_at": assignment.started_at, "ended_at": assignment.ended_at,
    }


def draft_values(number: int, draft: Draft) -> Values:
    return {
        "incident_number": number, "number": draft.number, "required_roles": list(draft.required_roles),
        "state": draft.state.value, "approved_at": draft.approved_at, "peak_severity": draft.peak_severity,
        "reminded_version": draft.reminded_version, "escalated_version": draft.escalated_version,
        "asked_at": draft.asked_at, "template": draft.template,
    }


def version_values(number: int, draft: int, version: DraftVersion) -> Values:
    return {
        "incident_number": number, "draft_number": draft, "version": version.version, "text": version.text,
        "author": version.author, "created_at": version.created_at,
    }


def approval_values(number: int, draft: int, seq: int, approval: Approval) -> Values:
    return {
        "incident_number": number, "draft_number": draft, "seq": seq, "version": approval.version,
        "role": approval.role, "approver": approval.approver, "at": approval.at,
    }


def review_values(number: int, draft: int, seq: int, review: Review) -> Values:
    return {
        "incident_number": number, "draft_number": draft, "seq": seq, "version": review.version, "final": review.final,
        "reviewer": review.reviewer, "reason": review.reason, "at": review.at,
    }


def publication_values(number: int, draft: int, seq: int, publication: Publication) -> Values:
    return {
        "incident_number": number, "draft_number": draft, "seq": seq, "version": publication.version,
        "channel": publication.channel, "person": publication.person, "at": publication.at,
        "severity": publication.severity,
    }


def objection_values(number: int, draft: int, seq: int, objection: Objection) -> Values:
    return {
        "incident_number": number, "draft_number": draft, "seq": seq, "version": objection.version,
        "objector": objection.objector, "reason": objection.reason, "at": objection.at,
        "closed_at": objection.closed_at, "closed_by": objection.closed_by,
        "override_reason": objection.override_reason,
    }


def update_values(number: int, seq: int, update: StatusUpdate) -> Values:
    return {"incident_number": number, "seq": seq, "text": update.text, "author": update.author, "at": update.at}


def timeline_values(number: int, seq: int, entry: TimelineEntry) -> Values:
    return {
        "incident_number": number, "seq": seq, "at": entry.at, "actor": entry.actor,
        "kind": event_kind(entry.event), "data": event_data(entry.event),
    }


# -- rows -> domain ------------------------------------------------------------------------------


def conversation_from(row: Any) -> Conversation:
    return Conversation(row.platform, row.conversation_id, row.name, bool(row.unlinked))


def assignment_from(row: Any) -> RoleAssignment:
    return RoleAssignment(row.role, row.holder, row.started_at, row.assigned_by, row.ended_at)


def draft_from(
    row: Any, versions: Iterable[Any], approvals: Iterable[Any], reviews: Iterable[Any],
    publications: Iterable[Any] = (), objections: Iterable[Any] = (),
) -> Draft:
    return Draft(
        number=row.number,
        versions=[DraftVersion(v.version, v.text, v.author, v.created_at) for v in versions],
        required_roles=tuple(row.required_roles),
        state=DraftState(row.state),
        approvals=[Approval(a.version, a.role, a.approver, a.at) for a in approvals],
        reviews=[Review(r.version, r.final, r.reviewer, r.reason, r.at) for r in reviews],
        approved_at=row.approved_at,
        publications=[Publication(p.version, p.channel, p.person, p.at, p.severity) for p in publications],
        objections=[
            Objection(o.version, o.objector, o.reason, o.at, o.closed_at, o.closed_by, o.override_reason)
            for o in objections
        ],
        peak_severity=row.peak_severity,
        reminded_version=row.reminded_version,
        escalated_version=row.escalated_version,
        asked_at=row.asked_at,
        template=row.template,
    )


def update_from(row: Any) -> StatusUpdate:
    return StatusUpdate(row.text, row.author, row.at)


def timeline_from(row: Any) -> TimelineEntry:
    return TimelineEntry(row.at, row.actor, event_from(row.kind, row.data))


def incident_from(
    row: Any, conversations: Sequence[Conversation], assignments: Sequence[RoleAssignment], drafts: Sequence[Draft],
    updates: Sequence[StatusUpdate], timeline: Sequence[TimelineEntry], earlier_events: int = 0,
) -> Incident:
    return Incident(
        number=row.number,
        title=row.title,
        severity=row.severity,
        reporter=row.reporter,
        created_at=row.created_at,
        description=row.description,
        source_url=row.source_url,
        status=Status(row.status),
        updated_at=row.updated_at,
        next_update_due=row.next_update_due,
        resolved_at=row.resolved_at,
        summary=row.summary,
        key_prefix=row.key.rpartition("-")[0],
        conversations=list(conversations),
        assignments=list(assignments),
        drafts=list(drafts),
        updates=list(updates),
        timeline=list(timeline),
        earlier_events=earlier_events,
        missed_checkins=row.missed_checkins,
        false_alarm=row.false_alarm,
        promised_update_at=row.promised_update_at,
        version=row.version,
    )
