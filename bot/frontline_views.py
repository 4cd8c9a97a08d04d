"""Neutral cards for holding statements, answers, the moderation line and the frontline brief."""

from __future__ import annotations

from collections.abc import Sequence

from bot.answers import Answer, Change, Frontline
from bot.describe import mention, said, when
from bot.i18n import N_, Translator
from bot.model import Incident, Status
from bot.replies import Button, Card, Field
from bot.signoff import SignOff
from bot.templates import Template, placeholders


def _length(text: str, t: Translator) -> Field:
    # The people decide the words; the card only says how long they are.
    return Field(t("Length"), t("{count} characters", count=len(text)))


def _signoff_fields(signoff: SignOff, t: Translator) -> list[Field]:
    approvals = {a.role: a for a in signoff.approvals_of(signoff.version)}
    fields = [
        Field(t("Version"), str(signoff.version)),
        Field(t("Author"), mention(signoff.current.author)),
        Field(t("State"), t(signoff.state.value)),
    ]
    for role in signoff.required_roles:
        given = approvals.get(role)
        state = t("approved by {person}", person=mention(given.approver)) if given else t("waiting")
        fields.append(Field(t("Approval: {role}", role=t(role)), state))
    if signoff.reviews and signoff.reviews[-1].version == signoff.version:
        review = signoff.reviews[-1]
        fields.append(Field(t("Review"), said(t, mention(review.reviewer), review.reason)))
    approved = signoff.approved
    if approved is not None and approved.version != signoff.version:
        fields.append(Field(t("In use until this version is approved (v{version})", version=approved.version),
                            approved.text))
    return fields


def _review_buttons(signoff: SignOff, approve: str, reject: str, t: Translator) -> tuple[Button, ...]:
    if not signoff.is_waiting:
        return ()
    return (
        Button(t("Approve"), approve, style="primary"),
        Button(t("Reject"), reject, style="danger", ask=t("Why reject it?")),
    )


def template_card(template: Template, t: Translator) -> Card:
    signoff = template.signoff
    fields = [Field(t("Language"), template.language), Field(t("State"), t(template.state))]
    fields += [f for f in _signoff_fields(signoff, t) if f.label != t("State")]
    fields.append(Field(t("Placeholders"), ", ".join(f"{{{p}}}" for p in placeholders(signoff.current.text)) or "-"))
    fields.append(_length(signoff.current.text, t))
    if template.retired:
        fields.append(Field(t("Retired"), f"{mention(template.retired_by)} · {when(template.retired_at)}"))
    buttons = () if template.retired else _review_buttons(
        signoff, f"approve-template {template.name}", f"reject-template {template.name}", t
    )
    title = t("Holding statement {name}", name=template.name)
    return Card(id=f"template:{template.name}", title=title, text=signoff.current.text, fields=tuple(fields),
                buttons=buttons, preview=True)


def _listed_version(template: Template) -> int:
    # "approved" names the version a crisis would use: after a rejected revision that is the earlier one, not the
    # newest; a revision still waiting is named as such.
    signoff = template.signoff
    if template.state == "approved" and signoff.approved_version is not None:
        return signoff.approved_version
    return signoff.version


def templates_card(templates: Sequence[Template], t: Translator) -> Card:
    if not templates:
        return Card(id="templates", title=t("Holding statements"), text=t("No template yet: `template <name> <text>`."))
    fields = tuple(Field(f"{tpl.name} · {tpl.language}", f"{t(tpl.state)} · v{_listed_version(tpl)}") for tpl in templates)
    return Card(id="templates", title=t("Holding statements"), fields=fields)


def answer_card(incident: Incident, answer: Answer, t: Translator) -> Card:
    key, number = incident.key, answer.number
    fields = [Field(t("Question"), answer.question), *_signoff_fields(answer.signoff, t),
              _length(answer.signoff.current.text, t)]
    buttons = () if incident.status is Status.RESOLVED else _review_buttons(
        answer.signoff, f"{key} approve-answer {number}", f"{key} reject-answer {number}", t
    )
    return Card(id=f"answer:{key}:{number}", title=t("{key} · answer #{number}", key=key, number=number),
                text=answer.signoff.current.text, fields=tuple(fields), buttons=buttons, preview=True)


def line_card(incident: Incident, line: SignOff, t: Translator) -> Card:
    key = incident.key
    fields = [*_signoff_fields(line, t), _length(line.current.text, t)]
    buttons = () if incident.status is Status.RESOLVED else _review_buttons(
        line, f"{key} approve-line", f"{key} reject-line", t
    )
    return Card(id=f"line:{key}", title=t("{key} · moderation line", key=key), text=line.current.text,
                fields=tuple(fields), buttons=buttons, preview=True)


CHANGE_NAMES = {"statement": N_("public statement"), "line": N_("moderation line"), "resolved": N_("incident resolved"),
                "reopened": N_("incident reopened")}


def changes_text(changes: Sequence[Change], t: Translator) -> str:
    words = []
    for kind, detail in changes:
        if kind == "answer":
            words.append(t("answer “{question}”", question=detail))
        else:
            words.append(t(CHANGE_NAMES[kind]))
    return ", ".join(words)


def brief_card(incident: Incident, board: Frontline, tz: str, t: Translator) -> Card:
    """What the frontline may say now: the published statement, approved answers, the moderation line."""
    key = incident.key
    fields = [Field(t("Status"), t(incident.status.value))]
    found = [(p, d) for d in incident.drafts for p in d.publications]
    if found:
        last, draft = max(found, key=lambda pair: pair[0].at)
        text = next(v.text for v in draft.versions if v.version == last.version)
        fields.append(Field(t("Public statement ({channel} · {at})", channel=last.channel, at=when(last.at, tz)), text))
    else:
        fields.append(Field(t("Public statement"), t("nothing published yet")))
    for answer in board.approved_answers():
        approved = answer.signoff.approved
        assert approved is not None
        fields.append(Field(t("Q: {question}", question=answer.approved_question()), approved.text))
    line = board.line.approved if board.line else None
    fields.append(Field(t("Moderation line"), line.text if line else t("no line yet")))
    if board.changed:
        fields.append(Field(t("Changed ({at})", at=when(board.changed_at, tz)), changes_text(board.changed, t)))
    note = ""
    if incident.status is Status.RESOLVED:
        note = t("Resolved {at}: this brief no longer changes.", at=when(incident.resolved_at, tz))
    else:
        due = incident.promised_update_at or incident.next_update_due
        fields.append(Field(t("Next update due"), when(due, tz)))
    return Card(id=f"brief:{key}", title=t("{key} · frontline brief · {title}", key=key, title=incident.title),
                fields=tuple(fields), note=note)
