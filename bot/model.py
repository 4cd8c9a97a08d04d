"""The incident aggregate: state, roles, drafts and timeline, and the rules that change them.

Every change goes through a method that checks the rule, mutates the state and appends one fact to the
timeline, so the timeline is complete by construction.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from bot import events as ev
from bot import promises
from bot.describe import mention
from bot.drafts import Draft, DraftState
from bot.errors import InvalidCommand, InvalidState, NotAuthorized, UnknownDraft
from bot.objections import ObjectionRules
from bot.plain_text import blank, within_limit
from bot.policy import Policy


class Status(StrEnum):
    ACTIVE = "active"
    MONITORING = "monitoring"
    RESOLVED = "resolved"


@dataclass(frozen=True)
class Conversation:
    platform: str
    id: str
    # What people call it ("Teams › Crisis room"), where the door knows; not part of its identity.
    name: str = field(default="", compare=False)
    # Unlinked by `leave`: kept in the incident's list (storage only appends), no longer followed there.
    left: bool = field(default=False, compare=False)


@dataclass
class RoleAssignment:
    role: str
    holder: str
    started_at: datetime
    assigned_by: str
    ended_at: datetime | None = None


@dataclass(frozen=True)
class StatusUpdate:
    text: str
    author: str
    at: datetime


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    actor: str
    event: ev.Event


def check_severity(value: int | str) -> int:
    try:
        severity = int(value)
    except (TypeError, ValueError):
        severity = 0
    if not 1 <= severity <= 4:
        raise InvalidCommand("Severity must be 1 (critical) to 4 (watch), not {value}.", value=value)
    return severity


@dataclass
class Incident(ObjectionRules):
    number: int
    title: str
    severity: int
    reporter: str
    created_at: datetime
    description: str = ""
    source_url: str = ""
    status: Status = Status.ACTIVE
    updated_at: datetime | None = None
    next_update_due: datetime | None = None
    resolved_at: datetime | None = None
    summary: str = ""
    # Resolved as a false alarm (`resolve --false-alarm`); cleared on reopening.
    false_alarm: bool = False
    key_prefix: str = "CRI"
    conversations: list[Conversation] = field(default_factory=list)
    assignments: list[RoleAssignment] = field(default_factory=list)
    drafts: list[Draft] = field(default_factory=list)
    updates: list[StatusUpdate] = field(default_factory=list)
    timeline: list[TimelineEntry] = field(default_factory=list)
    # The timeline is append-only and only reports and the `timeline` view read it whole, so storage may load an
    # incident without its history: `timeline` then holds what was recorded since loading, after `earlier_events`.
    earlier_events: int = 0
    # When the public was last promised the next update, until something reaches the public again.
    promised_update_at: datetime | None = None
    # Check-in reminders sent since the last status update; drives escalation.
    missed_checkins: int = 0
    # Optimistic concurrency: storage refuses to save over a newer version.
    version: int = 0
    # Weak signals attached in the last hours (`bot.signals.crisis.SignalVolume`), read for the card; never stored.
    signal_volume: Any = field(default=None, compare=False)

    @property
    def key(self) -> str:
        return f"{self.key_prefix}-{self.number}"

    @classmethod
    def open(
        cls,
        number: int,
        title: str,
        severity: int,
        reporter: str,
        at: datetime,
        policy: Policy,
        description: str = "",
        source_url: str = "",
        conversation: Conversation | None = None,
    ) -> Incident:
        title = title.strip()
        if blank(title):
            raise InvalidCommand("An incident needs a title: `open <title> [--sev 1-4]`.")
        incident = cls(
            number=number,
            title=title[:200],
            severity=check_severity(severity),
            reporter=reporter,
            created_at=at,
            description=description,
            source_url=source_url,
            key_prefix=policy.key_prefix,
        )
        incident._record(at, reporter, ev.IncidentOpened(incident.title, incident.severity))
        if conversation:
            incident.link(conversation, reporter, at)
        for role, people in policy.roster.items():
            if people:
                incident.assign(role, people[0], "crisisbot", at, policy)
        incident.next_update_due = at + policy.checkin_interval(incident.severity)
        return incident

    # -- queries -------------------------------------------------------------------------------

    def holder(self, role: str) -> str | None:
        for assignment in self.assignments:
            if assignment.role == role and assignment.ended_at is None:
                return assignment.holder
        return None

    def roles_of(self, person: str) -> tuple[str, ...]:
        return tuple(a.role for a in self.assignments if a.ended_at is None and a.holder == person)

    def draft(self, number: int | None) -> Draft:
        if number is None:
            open_drafts = [d for d in self.drafts if d.is_open]
            if not open_drafts:
                raise UnknownDraft("Incident {key} has no draft waiting; give its number.", key=self.key)
            return open_drafts[-1]
        for draft in self.drafts:
            if draft.number == number:
                return draft
        raise UnknownDraft(key=self.key, number=number)

    @property
    def places(self) -> list[Conversation]:
        """The conversations the crisis lives in now: where its cards, news and reminders go."""
        return [c for c in self.conversations if not c.left]

    @property
    def events_recorded(self) -> int:
        return self.earlier_events + len(self.timeline)

    @property
    def last_update(self) -> StatusUpdate | None:
        return self.updates[-1] if self.updates else None

    # -- changes -------------------------------------------------------------------------------

    def record(self, at: datetime, actor: str, event: ev.Event) -> ev.Event:
        """A fact about the incident decided by a rule kept elsewhere (`bot.handlers_frontline`)."""
        return self._record(at, actor, event)

    def _record(self, at: datetime, actor: str, event: ev.Event) -> ev.Event:
        self.timeline.append(TimelineEntry(at, actor, event))
        self.updated_at = at
        return event

    def _require_coordinator(self, actor: str) -> None:
        # Anyone may steer while nobody leads; once a lead exists, the lead and the reporter do.
        lead = self.holder("lead")
        if lead is not None and actor not in (lead, self.reporter):
            raise NotAuthorized("Only the lead ({lead}) or the reporter can do that.", lead=mention(lead))

    def _require_open(self) -> None:
        if self.status is Status.RESOLVED:
            raise InvalidState("{key} is resolved; `reopen` it first.", key=self.key)

    def link(self, conversation: Conversation, actor: str, at: datetime) -> ev.Event | None:
        if conversation in self.places:
            return None
        if conversation in self.conversations:  # left earlier, followed again
            self.conversations[self.conversations.index(conversation)] = replace(conversation, left=False)
        else:
            self.conversations.append(replace(conversation, left=False))
        return self._record(at, actor, ev.ConversationLinked(conversation.platform, conversation.id, conversation.name))

    def join(self, conversation: Conversation, actor: str, at: datetime) -> ev.Event | None:
        """Follows the crisis in one more conversation; None when it already is (joining twice is harmless).

        Only those who may change roles may: nobody pipes a crisis into a public channel by mistake."""
        self._require_coordinator(actor)
        return self.link(conversation, actor, at)

    def leave(self, conversation: Conversation, actor: str, at: datetime) -> ev.Event:
        self._require_coordinator(actor)
        present = self.places
        if conversation not in present:
            raise InvalidState("{key} is not followed here.", key=self.key)
        if conversation == self.conversations[0]:
            raise InvalidState("{key} was opened here; this conversation cannot leave it.", key=self.key)
        index = self.conversations.index(conversation)
        known = self.conversations[index]
        self.conversations[index] = replace(known, left=True)
        name = conversation.name or known.name
        return self._record(at, actor, ev.ConversationUnlinked(conversation.platform, conversation.id, name))

    def assign(self, role: str, person: str, actor: str, at: datetime, policy: Policy) -> ev.Event:
        canonical = policy.role(role)
        if canonical is None:
            raise InvalidCommand("Unknown role {role}. Roles: {roles}.", role=role, roles=", ".join(policy.roles))
        if actor != "crisisbot":
            self._require_coordinator(actor)
        previous = self.holder(canonical)
        if previous == person:
            raise InvalidState("{person} already holds {role}.", person=mention(person), role=canonical)
        self._end_assignment(canonical, at)
        self.assignments.append(RoleAssignment(canonical, person, at, actor))
        return self._record(at, actor, ev.RoleAssigned(canonical, person, previous))

    def release(self, role: str, actor: str, at: datetime, policy: Policy) -> ev.Event:
        canonical = policy.role(role)
        holder = self.holder(canonical) if canonical else None
        if canonical is None or holder is None:
            raise InvalidState("Nobody holds {role}.", role=role)
        if actor != holder:
            self._require_coordinator(actor)
        self._end_assignment(canonical, at)
        return self._record(at, actor, ev.RoleReleased(canonical, holder))

    def _end_assignment(self, role: str, at: datetime) -> None:
        for assignment in self.assignments:
            if assignment.role == role and assignment.ended_at is None:
                assignment.ended_at = at

    def change_severity(self, severity: int | str, actor: str, at: datetime, policy: Policy) -> list[ev.Event]:
        self._require_open()
        self._require_coordinator(actor)
        new = check_severity(severity)
        if new == self.severity:
            raise InvalidState("{key} is already severity {severity}.", key=self.key, severity=new)
        old, self.severity = self.severity, new
        self._plan_next_update(at, policy)
        facts = [self._record(at, actor, ev.SeverityChanged(old, new))]
        # Requirements only grow: a lowered severity never drops an approval already asked for or given.
        for draft in self.drafts:
            if draft.preapproved:
                # Its words were approved ahead by the template approvers; the severity only moves its peak.
                draft.peak_severity = min(draft.peak_severity, new)
                continue
            lacking = draft.require_roles(policy.required_roles(new), new, at)
            if lacking:
                raised = ev.ApprovalRequirementRaised(draft.number, draft.version, lacking, new, raised=new < old)
                facts.append(self._record(at, actor, raised))
        return facts

    def _plan_next_update(self, at: datetime, policy: Policy) -> None:
        if self.status is Status.RESOLVED:
            self.next_update_due = None
            return
        since = self.last_update.at if self.last_update else self.created_at
        interval = policy.checkin_interval(self.severity, monitoring=self.status is Status.MONITORING)
        self.next_update_due = self._before_promise(max(at, since + interval), at)

    def _before_promise(self, due: datetime, at: datetime) -> datetime:
        """The earlier of `due` and a margin before the update promised to the public, if one is still ahead.

        Within the margin already (a reminder just went out, or the promise was for ten minutes from now), the
        check-in comes at the promised time itself rather than at once."""
        promised = self.promised_update_at
        if promised is None or promised <= at:
            return due
        ahead = promised - promises.MARGIN
        return min(due, ahead if ahead > at else promised)

    def hear_public_word(self, text: str, actor: str, at: datetime, policy: Policy) -> ev.Event | None:
        """Something reached the public (a status update, a published draft): the pending promise is over, kept
        or missed, and the text may make a new one, read in the speaker's time zone."""
        self.promised_update_at = None
        made = None
        found = promises.find(text, at, policy.timezone)
        if found is not None:
            self.promised_update_at = found.due
            spoken = found.due.astimezone(ZoneInfo(policy.timezone))  # the fact keeps the speaker's clock
            made = self._record(at, actor, ev.PromiseMade(spoken.isoformat(), found.excerpt))
        if self.status is not Status.RESOLVED:
            self._plan_next_update(at, policy)
        return made

    def post_update(self, text: str, actor: str, at: datetime, policy: Policy) -> ev.Event:
        self._require_open()
        if blank(text):
            raise InvalidCommand("An update needs text: `update <what changed>`.")
        text = within_limit(text)
        self.updates.append(StatusUpdate(text, actor, at))
        self.missed_checkins = 0
        self._plan_next_update(at, policy)
        return self._record(at, actor, ev.StatusUpdatePosted(text))

    def set_status(
        self, status: Status, actor: str, at: datetime, policy: Policy, summary: str = "", false_alarm: bool = False
    ) -> ev.Event:
        self._require_coordinator(actor)
        summary = within_limit(summary)
        allowed = {
            Status.MONITORING: (Status.ACTIVE,),
            Status.RESOLVED: (Status.ACTIVE, Status.MONITORING),
            Status.ACTIVE: (Status.MONITORING, Status.RESOLVED),
        }[status]
        if self.status not in allowed:
            raise InvalidState("{key} is {status}; that cannot be done now.", key=self.key, status=self.status.value)
        old, self.status = self.status, status
        self.resolved_at = at if status is Status.RESOLVED else None
        self.false_alarm = false_alarm and status is Status.RESOLVED
        if summary:
            self.summary = summary.strip()
        self.missed_checkins = 0
        self._plan_next_update(at, policy)
        return self._record(at, actor, ev.StatusChanged(old.value, status.value, summary.strip(), self.false_alarm))

    def resolve_false_alarm(self, summary: str, actor: str, at: datetime, policy: Policy) -> list[ev.Event]:
        """Resolves as a false alarm and closes every draft not yet published: none of them is to go out now."""
        facts = [self.set_status(Status.RESOLVED, actor, at, policy, summary, false_alarm=True)]
        for draft in self.drafts:
            if draft.close():
                facts.append(self._record(at, actor, ev.DraftClosed(draft.number, draft.version)))
        return facts

    def _require_involved(self, actor: str) -> None:
        # Lessons are for the people who lived the crisis: the reporter and whoever holds or held a role.
        if actor != self.reporter and all(a.holder != actor for a in self.assignments):
            raise NotAuthorized(
                "Only the reporter or someone who holds or held a role in {key} can record that.", key=self.key
            )

    def record_lesson(self, text: str, actor: str, at: datetime) -> ev.Event:
        # Allowed once resolved too: lessons are mostly written after the crisis.
        if blank(text):
            raise InvalidCommand("A lesson needs text: `lesson <text>`.")
        self._require_involved(actor)
        return self._record(at, actor, ev.LessonRecorded(within_limit(text)))

    def record_action(self, text: str, owner: str, actor: str, at: datetime) -> ev.Event:
        if blank(text):
            raise InvalidCommand("An action needs text: `action <text> [@owner]`.")
        self._require_involved(actor)
        return self._record(at, actor, ev.ActionRecorded(within_limit(text), owner))

    def add_note(self, text: str, actor: str, at: datetime) -> ev.Event:
        if blank(text):
            raise InvalidCommand("A note needs text: `note <text>`.")
        return self._record(at, actor, ev.NoteAdded(within_limit(text)))

    def snooze(self, minutes: int, actor: str, at: datetime) -> ev.Event:
        self._require_open()
        if minutes not in (15, 30, 60):
            raise InvalidCommand("Snooze for 15, 30 or 60 minutes.")
        # Never past an update promised to the public: the team hears of it before the promised time comes.
        self.next_update_due = self._before_promise(at + timedelta(minutes=minutes), at)
        return self._record(at, actor, ev.CheckInSnoozed(minutes))

    def record_checkin_reminder(self, at: datetime, policy: Policy) -> ev.CheckInReminderSent:
        self.missed_checkins += 1
        escalated = self.missed_checkins >= policy.missed_checkins_before_escalation
        interval = policy.checkin_interval(self.severity, monitoring=self.status is Status.MONITORING)
        self.next_update_due = self._before_promise(at + interval, at)
        event = ev.CheckInReminderSent(self.missed_checkins, escalated)
        self._record(at, "crisisbot", event)
        return event

    def defer_checkin(self, until: datetime) -> None:
        """Quiet hours hold a due check-in back; nothing happened yet, so the timeline is left alone."""
        if self.next_update_due is not None and until > self.next_update_due:
            self.next_update_due = until

    # -- drafts --------------------------------------------------------------------------------

    def create_draft(self, text: str, actor: str, at: datetime, policy: Policy) -> ev.Event:
        self._require_open()
        number = max((d.number for d in self.drafts), default=0) + 1
        draft = Draft.create(number, text, actor, at, policy.required_roles(self.severity), self.severity)
        self.drafts.append(draft)
        return self._record(at, actor, ev.DraftCreated(number, 1))

    def revise_draft(self, number: int, text: str, actor: str, at: datetime, policy: Policy | None = None) -> ev.Event:
        self._require_open()
        draft = self.draft(number)
        preapproved = draft.preapproved
        draft.revise(text, actor, at)
        if preapproved and policy is not None:
            # Edited words are no longer the approved template: the severity's full policy applies.
            draft.required_roles = policy.required_roles(self.severity)
        return self._record(at, actor, ev.DraftRevised(number, draft.version))

    def withdraw_template(self, draft: Draft, at: datetime, policy: Policy) -> ev.Event | None:
        """The template `draft` was filled from is retired: its words are no longer approved ahead, so the draft is
        held to the severity's full policy (keeping every approval it has), as an edited template is. A fact only
        when that asks for roles it lacks; else it meets the policy already and nothing changes for anyone."""
        template, draft.template = draft.template, ""
        lacking = draft.require_roles(policy.required_roles(self.severity), self.severity, at)
        if not lacking:
            return None
        return self._record(at, "crisisbot", ev.TemplateWithdrawn(draft.number, draft.version, template, lacking))

    def approve_draft(self, number: int | None, actor: str, at: datetime, version: int | None = None) -> list[ev.Event]:
        self._require_open()
        draft = self.draft(number)
        if version is not None and version != draft.version:
            raise InvalidState(
                "Draft #{number} is at version {current} now, not the version {version} you read: read it, then approve.",
                number=draft.number, current=draft.version, version=version,
            )
        roles = draft.approve(actor, self.roles_of(actor), at)
        facts: list[ev.Event] = [self._record(at, actor, ev.ApprovalGiven(draft.number, draft.version, roles))]
        if draft.approved_at is not None:
            facts.append(self._record(at, actor, ev.DraftApproved(draft.number, draft.version)))
        return facts

    def reject_draft(self, number: int | None, reason: str, actor: str, at: datetime, final: bool) -> ev.Event:
        self._require_open()
        if blank(reason):
            raise InvalidCommand("Say why: `reject [draft-no] <reason>` or `changes [draft-no] <reason>`.")
        reason = within_limit(reason)
        draft = self.draft(number)
        self._require_reviewer(draft, actor)
        draft.decline(reason.strip(), actor, at, final)
        fact = ev.DraftRejected if final else ev.ChangesRequested
        return self._record(at, actor, fact(draft.number, draft.version, reason.strip()))

    def _require_reviewer(self, draft: Draft, actor: str) -> None:
        if not set(self.roles_of(actor)) & set(draft.required_roles) and actor != self.holder("lead"):
            raise NotAuthorized(
                "Only the holders of {roles} (or the lead) can review this draft.", roles=", ".join(draft.required_roles)
            )

    def publish_draft(self, number: int | None, where: str, actor: str, at: datetime, policy: Policy) -> list[ev.Event]:
        if number is None:
            publishable = [d for d in self.drafts if d.can_be_published]
            if not publishable:
                raise InvalidState("No approved draft is waiting to be published.")
            # The approved words still waiting first; else the last published ones, on one more channel.
            waiting = [d for d in publishable if d.state is not DraftState.PUBLISHED]
            draft = (waiting or publishable)[-1]
        else:
            draft = self.draft(number)
        if not self.roles_of(actor) and actor != self.reporter:
            raise NotAuthorized(
                "Only the reporter or someone holding a role in {key} can mark a reply published.", key=self.key
            )
        # The policy in force, not only the draft's own requirements: no door publishes below the current severity.
        required = draft.required_roles if draft.preapproved else policy.required_roles(self.severity)
        publication = draft.publish(where.strip(), actor, at, required, self.severity)
        facts = [self._record(at, actor, ev.DraftPublished(draft.number, publication.version, publication.channel))]
        # A promise in a draft counts once it is published (a draft the public never read promised nothing), and once:
        # the same words on one more channel promise nothing new.
        if [p.version for p in draft.publications].count(publication.version) == 1:
            promise = self.hear_public_word(draft.text, actor, at, policy)
            facts += [promise] if promise is not None else []
        return facts

    def record_approval_reminder(
        self, draft: Draft, roles: tuple[str, ...], people: tuple[str, ...], escalated: bool, at: datetime
    ) -> ev.Event:
        if escalated:
            draft.escalated_version = draft.version
        else:
            draft.reminded_version = draft.version
        return self._record(at, "crisisbot", ev.ApprovalReminderSent(draft.number, draft.version, roles, people, escalated))

    def find_draft(self, number: int) -> Draft | None:
        try:
            return self.draft(number)
        except UnknownDraft:
            return None
