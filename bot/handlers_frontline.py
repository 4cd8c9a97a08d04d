"""Handlers of holding statements (templates), approved answers, the moderation line and the frontline brief."""

from __future__ import annotations

from collections.abc import Sequence

from bot import commands as c
from bot import events as ev
from bot import frontline_views as fv
from bot.drafts import Draft
from bot.errors import InvalidState, NoIncidentHere
from bot.handlers import Context, Outcome, _changed, handles
from bot.model import Incident, Status
from bot.reactions import CardDelivery
from bot.replies import Card, Reply
from bot.signoff import SignOff
from bot.templates import Template, UnknownTemplate, approver_roles, check_name

# -- templates: no incident exists; the card lives where the template was proposed ------------------------------


def _template(ctx: Context, name: str) -> Template:
    found = ctx.uow.templates.get(check_name(name))
    if found is None:
        raise UnknownTemplate(name=name.strip().lower())
    return found


def _held(ctx: Context) -> tuple[str, ...]:
    return approver_roles(ctx.origin.person, ctx.settings.roster, ctx.settings.template_approvers)


def _template_outcome(ctx: Context, template: Template, text: str) -> Outcome:
    card = fv.template_card(template, ctx.t)
    deliveries = (CardDelivery.drawn(template.place, card, template.version),) if template.place else ()
    # The card itself goes to the conversation where it was proposed; elsewhere the speaker sees it with the reply.
    here = template.place == ctx.conversation
    return Outcome(Reply(text=text, cards=() if here else (card,), refreshed=(card,)), deliveries=deliveries)


@handles(c.ProposeTemplate)
def propose_template(cmd: c.ProposeTemplate, ctx: Context) -> Outcome:
    name = check_name(cmd.name)
    language = cmd.language or ctx.origin.language or ctx.settings.language
    roles = ctx.settings.template_approvers
    found = ctx.uow.templates.get(name)
    if found is None:
        found = Template.propose(name, cmd.text, language, ctx.origin.person, ctx.now, roles, ctx.conversation)
        ctx.uow.templates.add(found)
        text = ctx.t("Template {name} proposed; it needs the approval of {roles}.", name=name,
                     roles=", ".join(ctx.t(r) for r in roles))
    else:
        found.revise(cmd.text, cmd.language, ctx.origin.person, ctx.now, roles, ctx.conversation)
        text = ctx.t("Template {name} revised (v{version}); it needs the approval of {roles} again.", name=name,
                     version=found.signoff.version, roles=", ".join(ctx.t(r) for r in roles))
    return _template_outcome(ctx, found, text)


@handles(c.ApproveTemplate)
def approve_template(cmd: c.ApproveTemplate, ctx: Context) -> Outcome:
    template = _template(ctx, cmd.name)
    if template.retired:
        raise InvalidState("Template {name} is retired.", name=template.name)
    roles = template.signoff.approve(ctx.origin.person, _held(ctx), ctx.now)
    if template.signoff.approved_version == template.signoff.version:
        text = ctx.t("Template {name} v{version} approved: ready to use.", name=template.name,
                     version=template.signoff.version)
    else:
        text = ctx.t("Template {name} v{version} approved for {roles}.", name=template.name,
                     version=template.signoff.version, roles=", ".join(ctx.t(r) for r in roles))
    return _template_outcome(ctx, template, text)


@handles(c.RejectTemplate)
def reject_template(cmd: c.RejectTemplate, ctx: Context) -> Outcome:
    template = _template(ctx, cmd.name)
    template.signoff.reject(cmd.reason, ctx.origin.person, _held(ctx), ctx.now)
    text = ctx.t("Template {name} v{version} rejected: {reason}", name=template.name,
                 version=template.signoff.version, reason=cmd.reason.strip())
    return _template_outcome(ctx, template, text)


@handles(c.RetireTemplate)
def retire_template(cmd: c.RetireTemplate, ctx: Context) -> Outcome:
    template = _template(ctx, cmd.name)
    template.retire(ctx.origin.person, _held(ctx), ctx.now)
    return _template_outcome(ctx, template, ctx.t("Template {name} retired.", name=template.name))


@handles(c.ImportTemplates)
def import_templates(cmd: c.ImportTemplates, ctx: Context) -> Outcome:
    """Each as if proposed by the importer: new ones and changed words wait for the approvers; same words stay."""
    roles = ctx.settings.template_approvers
    counts = {"new": 0, "revised": 0, "unchanged": 0}
    for name, language, text in cmd.templates:
        found = ctx.uow.templates.get(check_name(name))
        if found is None:
            ctx.uow.templates.add(Template.propose(name, text, language, ctx.origin.person, ctx.now, roles))
            counts["new"] += 1
        elif found.signoff.current.text == text.strip() and found.language == language:
            counts["unchanged"] += 1
        else:
            found.revise(text, language, ctx.origin.person, ctx.now, roles)
            counts["revised"] += 1
    text = ctx.t("Templates imported: {new} new, {revised} revised, {unchanged} unchanged. New words wait for {roles}.",
                 roles=", ".join(ctx.t(r) for r in roles), **counts)
    return Outcome(Reply(text=text, private=True))


@handles(c.ShowTemplate)
def show_template(cmd: c.ShowTemplate, ctx: Context) -> Outcome:
    return Outcome(Reply(cards=(fv.template_card(_template(ctx, cmd.name), ctx.t),), private=True))


@handles(c.ListTemplates)
def list_templates(cmd: c.ListTemplates, ctx: Context) -> Outcome:
    return Outcome(Reply(cards=(fv.templates_card(ctx.uow.templates.all(), ctx.t),), private=True))


@handles(c.UseTemplate)
def use_template(cmd: c.UseTemplate, ctx: Context) -> Outcome:
    incident = ctx.incident(cmd.incident)
    _require_open(incident)
    template = _template(ctx, cmd.name)
    text = template.fill(dict(cmd.values))
    number = max((d.number for d in incident.drafts), default=0) + 1
    roles = ctx.settings.preapproved_approvers
    held = incident.roles_of(ctx.origin.person)
    if roles and all(role in held for role in roles):
        # Its author never approves it (four-eyes): filled in by the lead, a lead-only sign-off could never come, so
        # it needs what any draft of this severity needs.
        roles = ctx.settings.required_roles(incident.severity)
    draft = Draft.create(number, text, ctx.origin.person, ctx.now, roles, incident.severity)
    draft.template = template.name
    incident.drafts.append(draft)
    created = incident.record(ctx.now, ctx.origin.person, ev.DraftCreated(number, 1))
    approved = template.signoff.approved_version or 0
    used = incident.record(ctx.now, ctx.origin.person, ev.TemplateUsed(number, template.name, approved))
    return _changed(ctx, incident, created, used)


def _require_open(incident: Incident) -> None:
    if incident.status is Status.RESOLVED:
        raise InvalidState("{key} is resolved; `reopen` it first.", key=incident.key)


# -- answers and the moderation line: inside an incident, approved by the roles held there ----------------------


def _on_board(ctx: Context, incident: Incident, cards: Sequence[Card], *facts: ev.Event) -> Outcome:
    outcome = _changed(ctx, incident, *facts)
    deliveries = tuple(
        CardDelivery.drawn(place, card, incident.version) for place in incident.conversations for card in cards
    )
    outcome.deliveries = deliveries
    outcome.reply = Reply(text=outcome.reply.text, incident=incident.key, refreshed=tuple(cards))
    return outcome


@handles(c.ProposeAnswer)
def propose_answer(cmd: c.ProposeAnswer, ctx: Context) -> Outcome:
    incident = ctx.incident(cmd.incident)
    _require_open(incident)
    board = ctx.uow.frontline.get(incident.number)
    answer = board.propose_answer(cmd.question, cmd.answer, ctx.origin.person, ctx.now, ctx.settings.answer_approvers,
                                  cmd.number)
    fact = ev.AnswerProposed(answer.number, answer.signoff.version, answer.question)
    card = fv.answer_card(incident, answer, ctx.t)
    return _on_board(ctx, incident, [card], incident.record(ctx.now, ctx.origin.person, fact))


@handles(c.ApproveAnswer)
def approve_answer(cmd: c.ApproveAnswer, ctx: Context) -> Outcome:
    incident = ctx.incident(cmd.incident)
    _require_open(incident)
    answer = ctx.uow.frontline.get(incident.number).answer(cmd.number)
    signoff = answer.signoff
    roles = signoff.approve(ctx.origin.person, incident.roles_of(ctx.origin.person), ctx.now)
    facts: list[ev.Event] = [ev.AnswerApprovalGiven(answer.number, signoff.version, roles)]
    if signoff.approved_version == signoff.version:
        facts.append(ev.AnswerApproved(answer.number, signoff.version, answer.question))
    card = fv.answer_card(incident, answer, ctx.t)
    return _on_board(ctx, incident, [card], *(incident.record(ctx.now, ctx.origin.person, f) for f in facts))


@handles(c.RejectAnswer)
def reject_answer(cmd: c.RejectAnswer, ctx: Context) -> Outcome:
    incident = ctx.incident(cmd.incident)
    _require_open(incident)
    answer = ctx.uow.frontline.get(incident.number).answer(cmd.number)
    answer.signoff.reject(cmd.reason, ctx.origin.person, incident.roles_of(ctx.origin.person), ctx.now)
    fact = ev.AnswerRejected(answer.number, answer.signoff.version, cmd.reason.strip())
    card = fv.answer_card(incident, answer, ctx.t)
    return _on_board(ctx, incident, [card], incident.record(ctx.now, ctx.origin.person, fact))


@handles(c.ProposeLine)
def propose_line(cmd: c.ProposeLine, ctx: Context) -> Outcome:
    incident = ctx.incident(cmd.incident)
    _require_open(incident)
    line = ctx.uow.frontline.get(incident.number).propose_line(cmd.text, ctx.origin.person, ctx.now,
                                                               ctx.settings.answer_approvers)
    fact = ev.LineProposed(line.version)
    return _on_board(ctx, incident, [fv.line_card(incident, line, ctx.t)], incident.record(ctx.now, ctx.origin.person, fact))


def _line(ctx: Context, incident: Incident) -> SignOff:
    line = ctx.uow.frontline.get(incident.number).line
    if line is None:
        raise InvalidState("{key} has no moderation line yet: `line <text>`.", key=incident.key)
    return line


@handles(c.ApproveLine)
def approve_line(cmd: c.ApproveLine, ctx: Context) -> Outcome:
    incident = ctx.incident(cmd.incident)
    _require_open(incident)
    line = _line(ctx, incident)
    roles = line.approve(ctx.origin.person, incident.roles_of(ctx.origin.person), ctx.now)
    facts: list[ev.Event] = [ev.LineApprovalGiven(line.version, roles)]
    if line.approved_version == line.version:
        facts.append(ev.LineApproved(line.version))
    card = fv.line_card(incident, line, ctx.t)
    return _on_board(ctx, incident, [card], *(incident.record(ctx.now, ctx.origin.person, f) for f in facts))


@handles(c.RejectLine)
def reject_line(cmd: c.RejectLine, ctx: Context) -> Outcome:
    incident = ctx.incident(cmd.incident)
    _require_open(incident)
    line = _line(ctx, incident)
    line.reject(cmd.reason, ctx.origin.person, incident.roles_of(ctx.origin.person), ctx.now)
    fact = ev.LineRejected(line.version, cmd.reason.strip())
    return _on_board(ctx, incident, [fv.line_card(incident, line, ctx.t)], incident.record(ctx.now, ctx.origin.person, fact))


# -- the brief: anyone may read it, anywhere (a direct message included) ----------------------------------------


@handles(c.ShowBrief)
def show_brief(cmd: c.ShowBrief, ctx: Context) -> Outcome:
    if cmd.incident is not None:
        incidents = [ctx.incident(cmd.incident)]
    else:
        here = ctx.uow.incidents.by_conversation(ctx.conversation)
        # Elsewhere (a direct message, a support room), every crisis not yet resolved.
        incidents = [here] if here is not None else [
            i for i in ctx.uow.incidents.list() if i.status is not Status.RESOLVED
        ]
        if not incidents:
            raise NoIncidentHere()
    cards = tuple(fv.brief_card(i, ctx.uow.frontline.get(i.number), ctx.settings.timezone, ctx.t) for i in incidents)
    return Outcome(Reply(cards=cards, private=True, incident=incidents[0].key if len(incidents) == 1 else None))
