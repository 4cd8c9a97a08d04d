"""One handler per command. Each loads what it needs through the unit of work and returns an Outcome."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from bot import access, report, views
from bot import commands as c
from bot import events as ev
from bot.config import Settings
from bot.describe import fact, places_in
from bot.drafts import DraftState
from bot.errors import NoIncidentHere, UnknownIncident
from bot.grammar import USAGE
from bot.i18n import Translator
from bot.identities import NOBODY, People
from bot.model import Conversation, Incident, Status
from bot.ports import UnitOfWork
from bot.reactions import CardDelivery, NewsDelivery
from bot.replies import File, Reply
from bot.signals.crisis import with_volume
from bot.signals.notices import AlertNotice


@dataclass
class Context:
    uow: UnitOfWork
    origin: c.Origin
    now: datetime
    settings: Settings
    t: Translator
    # The settings as configured, before `seen_from` adapted their time zone to the speaker.
    configured: Settings | None = None

    @property
    def conversation(self) -> Conversation:
        # A door may name the conversation among the origin's names, keyed by its id.
        name = dict(self.origin.names).get(self.origin.conversation, "")
        return Conversation(self.origin.platform, self.origin.conversation, name)

    def names(self, ids: set[str]) -> dict[str, str]:
        """Display names of people and conversations as the doors last told them, this request's included (the
        directory learns those once the command has run)."""
        known = self.uow.people.names(ids) if ids else {}
        return known | {key: name for key, name in self.origin.names if key in ids and name}

    def incident(self, key: str | None) -> Incident:
        if key:
            incident = self.uow.incidents.get(key.upper())
            if incident is None:
                raise UnknownIncident(key=key.upper())
            return self._watched(incident)
        incident = self.uow.incidents.by_conversation(self.conversation)
        if incident is None:
            raise NoIncidentHere()
        return self._watched(incident)

    def _watched(self, incident: Incident) -> Incident:
        # Where the weak-signal watch runs, the incident card shows the signals of the last hour.
        if self.settings.watch.topics or self.settings.watch.channel:
            return with_volume(incident, self.uow.signals, self.now)
        return incident


@dataclass
class Outcome:
    reply: Reply
    incident: Incident | None = None
    events: list[ev.Event] = field(default_factory=list)
    # The cards already posted in the incident's conversations (`places`), read in the command's own transaction so
    # the broadcast needs no second one: (platform, conversation, card id) -> message ref.
    card_refs: Mapping[tuple[str, str, str], str] = field(default_factory=dict)
    places: frozenset[tuple[str, str]] = frozenset()
    refused: bool = False  # answered by a CrisisError: counted apart by the command meter
    # Weak-signal alert cards to post or update in the watch channel (`bot.signals.delivery`).
    alerts: tuple[AlertNotice, ...] = ()
    # The people the incident's cards and messages may mention, with their accounts on each platform, and who spoke
    # as the core knows them (`bot.identities`), read in the command's transaction too.
    people: People = NOBODY
    origin: c.Origin | None = None
    # Cards and news beyond the incident's own conversations (a template's card, the frontline brief): `bot.brief`.
    deliveries: tuple[CardDelivery, ...] = ()
    news: tuple[NewsDelivery, ...] = ()


Handler = Callable[[Any, Context], Outcome]
HANDLERS: dict[type, Handler] = {}


def handles(command: type) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        HANDLERS[command] = handler
        return handler

    return register


def _changed(ctx: Context, incident: Incident, *facts: ev.Event | None) -> Outcome:
    events = [f for f in facts if f is not None]
    text = "\n".join(f"{incident.key} · {fact(e, ctx.t)}" for e in events)
    return Outcome(Reply(text=text, incident=incident.key), incident, events)


@handles(c.OpenIncident)
def open_incident(cmd: c.OpenIncident, ctx: Context) -> Outcome:
    incident = Incident.open(
        ctx.uow.incidents.next_number(),
        cmd.title,
        cmd.severity,
        ctx.origin.person,
        ctx.now,
        ctx.settings,
        description=cmd.description,
        source_url=cmd.source_url,
        conversation=ctx.conversation,
    )
    ctx.uow.incidents.add(incident)
    text = ctx.t(
        "{key} opened: {title} (severity {severity}).",
        key=incident.key,
        title=incident.title,
        severity=views.severity_label(incident.severity, ctx.t),
    )
    reply = Reply(text=_unheld(text, incident, ctx.settings.roles, ctx), incident=incident.key)
    return Outcome(reply, incident, [e.event for e in incident.timeline])


@handles(c.AssignRole)
def assign_role(cmd: c.AssignRole, ctx: Context) -> Outcome:
    incident = ctx.incident(cmd.incident)
    return _changed(ctx, incident, incident.assign(cmd.role, cmd.person, ctx.origin.person, ctx.now, ctx.settings))


@handles(c.ReleaseRole)
def release_role(cmd: c.ReleaseRole, ctx: Context) -> Outcome:
    incident = ctx.incident(cmd.incident)
    return _changed(ctx, incident, incident.release(cmd.role, ctx.origin.person, ctx.now, ctx.settings))


@handles(c.ShowRoles)
def show_roles(cmd: c.ShowRoles, ctx: Context) -> Outcome:
    incident = ctx.incident(cmd.incident)
    return Outcome(Reply(cards=(views.roles_card(incident, ctx.settings, ctx.t),), private=True, incident=incident.key))


@handles(c.CreateDraft)
def create_draft(cmd: c.CreateDraft, ctx: Context) -> Outcome:
    incident = ctx.incident(cmd.incident)
    outcome = _changed(ctx, incident, incident.create_draft(cmd.text, ctx.origin.person, ctx.now, ctx.settings))
    text = _unheld(outcome.reply.text, incident, incident.drafts[-1].required_roles, ctx, draft=True)
    return replace(outcome, reply=replace(outcome.reply, text=text))


def _unheld(text: str, incident: Incident, roles: tuple[str, ...], ctx: Context, draft: bool = False) -> str:
    """`text`, followed by the roles among `roles` that nobody holds, so they get a holder before they are needed."""
    empty = ", ".join(ctx.t(r) for r in roles if incident.holder(r) is None)
    if not empty:
        return text
    if draft:
        return text + "\n" + ctx.t("This draft needs {roles}, which nobody holds: `assign <role> @person`.", roles=empty)
    return text + "\n" + ctx.t("Nobody holds {roles} yet: `assign <role> @person`.", roles=empty)


@handles(c.ReviseDraft)
def revise_draft(cmd: c.ReviseDraft, ctx: Context) -> Outcome:
    incident = ctx.incident(cmd.incident)
    return _changed(ctx, incident, incident.revise_draft(cmd.number, cmd.text, ctx.origin.person, ctx.now, ctx.settings))


@handles(c.ApproveDraft)
def approve_draft(cmd: c.ApproveDraft, ctx: Context) -> Outcome:
    incident = ctx.incident(cmd.incident)
    if withdrawn := _retired_templates(ctx, incident):
        return withdrawn
    return _changed(ctx, incident, *incident.approve_draft(cmd.number, ctx.origin.person, ctx.now, cmd.version))


def _retired_templates(ctx: Context, incident: Incident) -> Outcome | None:
    """Drafts filled from a template retired since are held to the severity's full policy before anyone approves or
    publishes them: the template approvers withdrew those words. That change is the whole answer (nothing approved
    or published), so the person acts again knowing what the draft now needs."""
    facts: list[ev.Event | None] = []
    for draft in incident.drafts:
        if draft.preapproved and not draft.is_closed and draft.state is not DraftState.PUBLISHED:
            template = ctx.uow.templates.get(draft.template)
            if template is None or template.retired:
                facts.append(incident.withdraw_template(draft, ctx.now, ctx.settings))
    return _changed(ctx, incident, *facts) if any(facts) else None


@handles(c.RejectDraft)
def reject_draft(cmd: c.RejectDraft, ctx: Context) -> Outcome:
    incident = ctx.incident(cmd.incident)
    return _changed(ctx, incident, incident.reject_draft(cmd.number, cmd.reason, ctx.origin.person, ctx.now, final=True))


@handles(c.RequestChanges)
def request_changes(cmd: c.RequestChanges, ctx: Context) -> Outcome:
    incident = ctx.incident(cmd.incident)
    return _changed(ctx, incident, incident.reject_draft(cmd.number, cmd.reason, ctx.origin.person, ctx.now, final=False))


@handles(c.PublishDraft)
def publish_draft(cmd: c.PublishDraft, ctx: Context) -> Outcome:
    incident = ctx.incident(cmd.incident)
    if withdrawn := _retired_templates(ctx, incident):
        return withdrawn
    return _changed(ctx, incident, *incident.publish_draft(cmd.number, cmd.where, ctx.origin.person, ctx.now, ctx.settings))


@handles(c.ObjectToDraft)
def object_to_draft(cmd: c.ObjectToDraft, ctx: Context) -> Outcome:
    incident = ctx.incident(cmd.incident)
    return _changed(ctx, incident, incident.object_to_draft(cmd.number, cmd.reason, ctx.origin.person, ctx.now))


@handles(c.WithdrawObjection)
def withdraw_objection(cmd: c.WithdrawObjection, ctx: Context) -> Outcome:
    incident = ctx.incident(cmd.incident)
    return _changed(ctx, incident, incident.withdraw_objection(cmd.number, ctx.origin.person, ctx.now))


@handles(c.OverrideObjection)
def override_objection(cmd: c.OverrideObjection, ctx: Context) -> Outcome:
    incident = ctx.incident(cmd.incident)
    return _changed(ctx, incident, incident.override_objection(cmd.number, cmd.reason, ctx.origin.person, ctx.now))


@handles(c.DiscardDraft)
def discard_draft(cmd: c.DiscardDraft, ctx: Context) -> Outcome:
    incident = ctx.incident(cmd.incident)
    return _changed(ctx, incident, incident.discard_draft(cmd.number, ctx.origin.person, ctx.now))


@handles(c.PostUpdate)
def post_update(cmd: c.PostUpdate, ctx: Context) -> Outcome:
    incident = ctx.incident(cmd.incident)
    posted = incident.post_update(cmd.text, ctx.origin.person, ctx.now, ctx.settings)
    return _changed(ctx, incident, posted, incident.hear_public_word(cmd.text, ctx.origin.person, ctx.now, ctx.settings))


@handles(c.ChangeSeverity)
def change_severity(cmd: c.ChangeSeverity, ctx: Context) -> Outcome:
    incident = ctx.incident(cmd.incident)
    return _changed(ctx, incident, *incident.change_severity(cmd.severity, ctx.origin.person, ctx.now, ctx.settings))


@handles(c.Monitor)
def monitor(cmd: c.Monitor, ctx: Context) -> Outcome:
    incident = ctx.incident(cmd.incident)
    return _changed(ctx, incident, incident.set_status(Status.MONITORING, ctx.origin.person, ctx.now, ctx.settings))


@handles(c.Resolve)
def resolve(cmd: c.Resolve, ctx: Context) -> Outcome:
    incident = ctx.incident(cmd.incident)
    if cmd.false_alarm:
        return _changed(ctx, incident, *incident.resolve_false_alarm(cmd.summary, ctx.origin.person, ctx.now, ctx.settings))
    event = incident.set_status(Status.RESOLVED, ctx.origin.person, ctx.now, ctx.settings, cmd.summary)
    return _changed(ctx, incident, event)


@handles(c.Reopen)
def reopen(cmd: c.Reopen, ctx: Context) -> Outcome:
    incident = ctx.incident(cmd.incident)
    return _changed(ctx, incident, incident.set_status(Status.ACTIVE, ctx.origin.person, ctx.now, ctx.settings))


@handles(c.AddNote)
def add_note(cmd: c.AddNote, ctx: Context) -> Outcome:
    incident = ctx.incident(cmd.incident)
    return _changed(ctx, incident, incident.add_note(cmd.text, ctx.origin.person, ctx.now))


@handles(c.SnoozeCheckIn)
def snooze(cmd: c.SnoozeCheckIn, ctx: Context) -> Outcome:
    incident = ctx.incident(cmd.incident)
    return _changed(ctx, incident, incident.snooze(cmd.minutes, ctx.origin.person, ctx.now))


@handles(c.ShowStatus)
def show_status(cmd: c.ShowStatus, ctx: Context) -> Outcome:
    incident = ctx.incident(cmd.incident)
    cards = [views.incident_card(incident, ctx.settings, ctx.t)]
    showing = [d for d in incident.drafts if d.is_open or d.state is DraftState.APPROVED]
    cards += [views.draft_card(incident, d, ctx.t, ctx.settings.timezone) for d in showing]
    return Outcome(Reply(cards=tuple(cards), private=True, incident=incident.key))


@handles(c.ShowTimeline)
def show_timeline(cmd: c.ShowTimeline, ctx: Context) -> Outcome:
    incident = ctx.uow.incidents.get_whole(ctx.incident(cmd.incident).key) or ctx.incident(cmd.incident)
    places = ctx.names(places_in([e.event for e in incident.timeline]))
    card = views.timeline_card(incident, ctx.settings, ctx.t, places=places)
    return Outcome(Reply(cards=(card,), private=True, incident=incident.key))


@handles(c.ListIncidents)
def list_incidents(cmd: c.ListIncidents, ctx: Context) -> Outcome:
    every = list(ctx.uow.incidents.list(include_resolved=True))
    open_ones = [i for i in every if i.status is not Status.RESOLVED]
    resolved = [i for i in every if i.status is Status.RESOLVED]
    return Outcome(Reply(cards=(views.list_card(open_ones, ctx.settings, ctx.t, resolved),), private=True))


@handles(c.Help)
def show_help(cmd: c.Help, ctx: Context) -> Outcome:
    if cmd.usage in USAGE:
        # Malformed input: the one line that says how to write this command, in the speaker's language.
        problem = cmd.problem or "Usage: `{detail}`"
        return Outcome(Reply(text=ctx.t(problem, detail=ctx.t(USAGE[cmd.usage])), private=True))
    problem = ctx.t(cmd.problem, detail=cmd.detail) if cmd.problem else ""
    return Outcome(Reply(text=problem, cards=(views.help_card(ctx.settings, ctx.t),), private=True))


@handles(c.AskToOpen)
def ask_to_open(cmd: c.AskToOpen, ctx: Context) -> Outcome:
    # Only a door with forms can ask for the title; here the usage line says how to give it.
    return show_help(c.Help(usage="open"), ctx)


@handles(c.RecordLesson)
def record_lesson(cmd: c.RecordLesson, ctx: Context) -> Outcome:
    incident = ctx.incident(cmd.incident)
    return _changed(ctx, incident, incident.record_lesson(cmd.text, ctx.origin.person, ctx.now))


@handles(c.RecordAction)
def record_action(cmd: c.RecordAction, ctx: Context) -> Outcome:
    incident = ctx.incident(cmd.incident)
    return _changed(ctx, incident, incident.record_action(cmd.text, cmd.owner, ctx.origin.person, ctx.now))


@handles(c.ExportReport)
def export_report(cmd: c.ExportReport, ctx: Context) -> Outcome:
    key = ctx.incident(cmd.incident).key
    incident = ctx.uow.incidents.get_whole(key)
    assert incident is not None  # found a line above, in the same transaction
    names = ctx.names(report.people_in(incident) | places_in([e.event for e in incident.timeline]))
    # A shared document: its times are the team's (CRISISBOT_TIMEZONE), whoever asked for it.
    times = ctx.uow.signals.times_of_incident(incident.key)
    document = report.render(incident, ctx.configured or ctx.settings, ctx.t, ctx.now, names, signal_times=times)
    text = ctx.t("{key} report", key=incident.key)
    return Outcome(Reply(text=text, incident=incident.key, file=File(report.file_name(incident), document)))


@handles(c.ShowDashboard)
def show_dashboard(cmd: c.ShowDashboard, ctx: Context) -> Outcome:
    # The link is personal and opens every crisis for 12 hours: only the asker sees it.
    settings = ctx.configured or ctx.settings
    if not access.usable_key(settings.secret_key):
        text = ctx.t("The dashboard is off: the operator must set CRISISBOT_SECRET_KEY (16 characters at least).")
        return Outcome(Reply(text=text, private=True))
    granted = access.Pass(ctx.origin.person, ctx.origin.platform, ctx.origin.language, ctx.now + access.LINK_LIFETIME)
    url = access.link(settings.public_url, settings.secret_key, granted)
    text = ctx.t("Your dashboard link, for you alone, valid 12 hours: {url}", url=url)
    return Outcome(Reply(text=text, private=True, personal=True))
# The watch's handlers register themselves in HANDLERS (they import this module, hence the import at the end).
from bot.signals import handlers as _signal_handlers  # noqa: E402, F401
