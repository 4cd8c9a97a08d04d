"""Neutral cards for incidents and drafts: what every door shows, built once here."""

from __future__ import annotations

from collections.abc import Mapping

from bot.config import Settings
from bot.describe import UNNAMED_PLACES, fact, mention, named, said, when
from bot.drafts import Draft, DraftState
from bot.grammar import USAGE
from bot.i18n import N_, Translator
from bot.model import Conversation, Incident, Status
from bot.objections import open_objections
from bot.replies import Button, Card, Field, Picker

SEVERITY_NAMES = {1: "critical", 2: "high", 3: "moderate", 4: "watch"}


def severity_label(severity: int, t: Translator) -> str:
    return f"{severity} · {t(SEVERITY_NAMES[severity])}"


def incident_card_id(incident: Incident) -> str:
    return f"incident:{incident.key}"


def draft_card_id(incident: Incident, number: int) -> str:
    return f"draft:{incident.key}:{number}"


def card_named(card_id: str) -> tuple[str, int | None] | None:
    """The incident key of an incident card's id, or the key and draft number of a draft card's; None for any other."""
    kind, _, rest = card_id.partition(":")
    if kind == "incident" and rest:
        return rest, None
    key, _, number = rest.rpartition(":")
    if kind == "draft" and key and number.isdigit():
        return key, int(number)
    return None


def incident_card(incident: Incident, settings: Settings, t: Translator) -> Card:
    key = incident.key
    last = incident.last_update
    fields = [
        Field(t("Severity"), severity_label(incident.severity, t)),
        Field(t("Status"), t(incident.status.value)),
        *(Field(t(role), mention(incident.holder(role))) for role in settings.roles),
        Field(t("Latest update"), f"{last.text} ({when(last.at, settings.timezone)})" if last else t("none yet")),
        Field(t("Next update due"), when(incident.next_update_due, settings.timezone)),
        Field(t("Latest public statement"), _latest_statement(incident, settings, t)),
    ]
    if incident.signal_volume is not None:  # a crisis the watch feeds (`bot.signals.crisis`)
        fields.append(Field(t("Signals"), incident.signal_volume.line(t)))
    if len(incident.places) > 1:  # followed in several conversations: everyone sees where the others are
        fields.append(Field(t("Followed in"), ", ".join(place_label(c, t) for c in incident.places)))
    buttons: list[Button] = []
    pickers: list[Picker] = []
    if incident.status is Status.RESOLVED:
        buttons.append(Button(t("Reopen"), f"{key} reopen"))
    else:
        pickers = [Picker(t(role), f"{key} assign {role}", selected=incident.holder(role)) for role in settings.roles]
        pickers.append(
            Picker(
                t("Severity"),
                f"{key} severity",
                options=tuple((severity_label(s, t), str(s)) for s in (1, 2, 3, 4)),
                selected=str(incident.severity),
            )
        )
        buttons = [
            Button(t("Post update"), f"{key} update", style="primary", ask=t("What changed?")),
            Button(t("Draft reply"), f"{key} draft", ask=t("Public reply text")),
            Button(t("Resolve"), f"{key} resolve", style="danger", confirm=t("Resolve {key}?", key=key)),
        ]
    text = incident.description or ""
    if incident.source_url:
        text = f"{text}\n{incident.source_url}".strip()
    return Card(
        id=incident_card_id(incident),
        title=f"{key} · {incident.title}",
        text=text,
        fields=tuple(fields),
        buttons=tuple(buttons),
        pickers=tuple(pickers),
    )


def place_label(conversation: Conversation, t: Translator) -> str:
    """"Slack › #crisis-cri-12", "Teams › Legal › Crisis": as the door named it, else what it is."""
    if conversation.name:
        return conversation.name
    unnamed = UNNAMED_PLACES.get(conversation.platform)
    return t(unnamed) if unnamed else f"{conversation.platform} {conversation.id}"


def _latest_statement(incident: Incident, settings: Settings, t: Translator) -> str:
    """What the public last read from the team: the text of the latest publication, where and when it went out."""
    found = [(p, d) for d in incident.drafts for p in d.publications]
    if not found:
        return t("nothing published yet")
    last, draft = max(found, key=lambda pair: pair[0].at)
    text = next(v.text for v in draft.versions if v.version == last.version)
    return f"{text} ({last.channel} · {when(last.at, settings.timezone)})"


def draft_card(incident: Incident, draft: Draft, t: Translator, tz: str = "UTC") -> Card:
    key, number = incident.key, draft.number
    approvals = {a.role: a for a in draft.current_approvals()}
    fields = [
        Field(t("Version"), str(draft.version)),
        Field(t("Author"), mention(draft.author)),
        Field(t("State"), t(draft.state.value)),
    ]
    if draft.template:
        source = N_("from approved template {name}") if draft.preapproved else N_("revised from approved template {name}")
        fields.append(Field(t("Source"), t(source, name=draft.template)))
    for role in draft.required_roles:
        given = approvals.get(role)
        state = t("approved by {person}", person=mention(given.approver)) if given else t("waiting")
        fields.append(Field(t("Approval: {role}", role=t(role)), state))
    if draft.reviews and draft.reviews[-1].version == draft.version:
        review = draft.reviews[-1]
        fields.append(Field(t("Review"), said(t, mention(review.reviewer), review.reason)))
    for objection in draft.objections:
        said_by = said(t, mention(objection.objector), objection.reason)
        if objection.is_open:
            fields.append(Field(t("Objection"), said_by))
        elif objection.override_reason:
            # Withdrawn objections leave the card; overridden ones stay, so readers see why the draft went ahead.
            overridden = f"{said_by} · {said(t, mention(objection.closed_by), objection.override_reason)}"
            fields.append(Field(t("Objection overridden"), overridden))
    if draft.publications:
        lines = [f"{p.channel} · {mention(p.person)} · {when(p.at, tz)}" for p in draft.publications]
        fields.append(Field(t("Published"), "\n".join(lines)))
    if draft.can_be_published and draft.peak_severity > incident.severity:
        # The core refuses it anyway; the card says why rather than offering a button that can only fail.
        fields.append(Field(t("Publication"), t(
            "severity {severity} requires approvals this version lacks: start a new draft to publish again",
            severity=incident.severity,
        )))
    return Card(
        id=draft_card_id(incident, number),
        title=t("{key} · draft reply #{number}", key=key, number=number),
        text=draft.text,
        fields=tuple(fields),
        buttons=_draft_buttons(incident, draft, t),
    )


def _draft_buttons(incident: Incident, draft: Draft, t: Translator) -> tuple[Button, ...]:
    key, number = incident.key, draft.number
    publish = Button(
        t("Mark published"), f"{key} publish {number}", style="primary",
        ask=t("Where is it published? (X, Facebook, press release, website, e-mail to customers…)"),
    )
    # A resolved incident takes no approval, review or objection until it is reopened; a publication may still
    # be recorded.
    if draft.is_closed:
        return ()
    if incident.status is Status.RESOLVED:
        return (publish,) if draft.publishable_at(incident.severity) else ()
    buttons: list[Button] = []
    if open_objections(draft.objections):
        buttons += [
            Button(t("Withdraw my objection"), f"{key} withdraw {number}"),
            Button(t("Override objection"), f"{key} override {number}", style="danger", ask=t("Why override it?")),
        ]
    elif draft.state is DraftState.PENDING:
        buttons += [
            Button(t("Approve"), f"{key} approve {number} v{draft.version}", style="primary"),
            Button(t("Request changes"), f"{key} changes {number}", ask=t("What should change?")),
            Button(t("Reject"), f"{key} reject {number}", style="danger", ask=t("Why reject it?")),
        ]
    elif draft.state is DraftState.CHANGES_REQUESTED:
        buttons.append(Button(t("Revise"), f"{key} revise {number}", ask=t("New text")))
    elif draft.publishable_at(incident.severity):
        buttons.append(publish)
    buttons.append(Button(t("Object"), f"{key} object {number}", ask=t("What is your objection?")))
    if draft.state is not DraftState.PUBLISHED:
        buttons.append(Button(t("Discard"), f"{key} discard {number}", confirm=t("Discard draft #{number}?", number=number)))
    return tuple(buttons)


def typed_role(role: str, settings: Settings, t: Translator) -> str:
    """The word for a role that a person of this language types in a command (`service-client`), else its name."""
    word = t(role).replace(" ", "-")
    return word if settings.role(word) == role else role


def help_card(settings: Settings, t: Translator) -> Card:
    # Usage lines are catalog messages: French help shows French verbs, which the grammar accepts as aliases.
    lines = "\n".join(f"`{t(usage)}`" for usage in USAGE.values())
    intro = t(
        "Commands (inside an incident's conversation the incident is implicit; elsewhere start with its key, e.g. `CRI-12 status`):"  # noqa: E501
    )
    roles = t("Roles: {roles}.", roles=", ".join(typed_role(role, settings, t) for role in settings.roles))
    return Card(id="help", title=t("crisisbot help"), text=f"{intro}\n{lines}\n{roles}", markup=True)


def list_card(incidents: list[Incident], settings: Settings, t: Translator, resolved: list[Incident] | None = None) -> Card:
    # Resolved incidents are only counted; false alarms apart, so they do not pass for crises handled.
    done = resolved or []
    false_alarms = sum(1 for i in done if i.false_alarm)
    crises = len(done) - false_alarms
    tally = t("Resolved: {crises} · false alarms: {false_alarms}", crises=crises, false_alarms=false_alarms)
    if not incidents:
        return Card(id="list", title=t("Open incidents"), text=f"{t('No open incident.')}\n{tally}")
    fields = tuple(
        Field(
            f"{i.key} · {i.title}",
            f"{severity_label(i.severity, t)} · {t(i.status.value)} · {said(t, t('lead'), mention(i.holder('lead')))} · "
            + said(t, t("next update"), when(i.next_update_due, settings.timezone)),
        )
        for i in incidents
    )
    return Card(id="list", title=t("Open incidents"), text=tally, fields=fields)


def roles_card(incident: Incident, settings: Settings, t: Translator) -> Card:
    fields = []
    for role in settings.roles:
        history = [a for a in incident.assignments if a.role == role]
        past = ", ".join(mention(a.holder) for a in history if a.ended_at is not None)
        value = mention(incident.holder(role))
        backups = settings.roster.get(role, ())[1:]
        if backups:
            value += " · " + t("backups: {people}", people=", ".join(mention(p) for p in backups))
        if past:
            value += " · " + t("before: {people}", people=past)
        fields.append(Field(t(role), value))
    return Card(id=f"roles:{incident.key}", title=t("{key} · roles", key=incident.key), fields=tuple(fields))


def timeline_card(
    incident: Incident, settings: Settings, t: Translator, limit: int = 40, places: Mapping[str, str] | None = None
) -> Card:
    """The latest `limit` facts, and a note that counts the earlier ones left out (of the whole timeline, loaded or
    not), so no door's own cut can pass for the whole record. `places` names conversations (id -> name)."""
    entries = incident.timeline[-limit:]
    lines = [
        f"{when(e.at, settings.timezone)} · {mention(e.actor)} · {fact(named(e.event, places or {}), t)}" for e in entries
    ]
    earlier = incident.events_recorded - len(entries)
    note = t("… {count} earlier entries; `export` for the full record", count=earlier) if earlier > 0 else ""
    title = t("{key} · timeline", key=incident.key)
    return Card(id=f"timeline:{incident.key}", title=title, text="\n".join(lines), note=note)
