"""Human sentences for timeline facts and times, shared by replies, cards and the report."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot import events as ev
from bot.i18n import N_, Translator

# What a conversation no door has named is called: what it is, never its id ("now discussed in slack C0123…").
UNNAMED_PLACES = {"slack": N_("a Slack channel"), "teams": N_("a Teams conversation")}


def when(at: datetime | None, tz: str = "UTC") -> str:
    if at is None:
        return "-"
    return at.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M %Z")


def duration(delta: timedelta | None, t: Translator | None = None) -> str:
    """`45s`, `2m05s`, `1h05` in English; each language writes its own units (French: `2 min 05 s`)."""
    if delta is None:
        return "-"
    t = t or Translator("en")
    seconds = int(delta.total_seconds())
    if seconds < 60:
        return t("{seconds}s", seconds=seconds)
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        if seconds:
            return t("{minutes}m{seconds}s", minutes=minutes, seconds=f"{seconds:02d}")
        return t("{minutes}m", minutes=minutes)
    hours, minutes = divmod(minutes, 60)
    return t("{hours}h{minutes}", hours=hours, minutes=f"{minutes:02d}")


def said(t: Translator, label: str, value: object) -> str:
    """`label: value`, punctuated the way the language does it (French puts a space before the colon)."""
    return t("{label}: {value}", label=label, value=value)


def mention(person: str | None) -> str:
    # `<@id>` is what Slack renders natively; other doors turn it into their own form.
    return f"<@{person}>" if person else "-"


def named(event: ev.Event, places: Mapping[str, str]) -> ev.Event:
    """A conversation linked before any door named it, named as a door has since (`places`: id -> name)."""
    if isinstance(event, ev.ConversationLinked | ev.ConversationUnlinked) and not event.name and places.get(
        event.conversation
    ):
        return replace(event, name=places[event.conversation])
    return event


def places_in(timeline: Sequence[ev.Event]) -> set[str]:
    """The conversations a timeline names by id alone, so a caller can look their names up in one go."""
    linked = (ev.ConversationLinked, ev.ConversationUnlinked)
    return {e.conversation for e in timeline if isinstance(e, linked) and not e.name}


def fact(event: ev.Event, t: Translator) -> str:
    match event:
        case ev.IncidentOpened(title, severity):
            return t("opened “{title}” at severity {severity}", title=title, severity=severity)
        case ev.ConversationLinked(platform, conversation, name):
            if name:
                return t("now discussed in {conversation}", conversation=name)
            if platform in UNNAMED_PLACES:
                return t("now discussed in {conversation}", conversation=t(UNNAMED_PLACES[platform]))
            # The console's conversations are names people typed, not platform ids.
            return t("now discussed in {platform} {conversation}", platform=platform, conversation=conversation)
        case ev.ConversationUnlinked(platform, conversation, name):
            if name:
                return t("no longer followed in {conversation}", conversation=name)
            if platform in UNNAMED_PLACES:
                return t("no longer followed in {conversation}", conversation=t(UNNAMED_PLACES[platform]))
            return t("no longer followed in {platform} {conversation}", platform=platform, conversation=conversation)
        case ev.RoleAssigned(role, holder, previous):
            if previous:
                return t(
                    "{role}: {holder} replaces {previous}", role=t(role), holder=mention(holder), previous=mention(previous)
                )
            return t("{role}: {holder}", role=t(role), holder=mention(holder))
        case ev.RoleReleased(role, holder):
            return t("{role} released by {holder}", role=t(role), holder=mention(holder))
        case ev.SeverityChanged(old, new):
            return t("severity {old} → {new}", old=old, new=new)
        case ev.StatusChanged(old, new, summary, false_alarm):
            text = t("status {old} → {new}", old=t(old), new=t(new))
            if false_alarm:
                text = t("{change} (false alarm)", change=text)
            return said(t, text, summary) if summary else text
        case ev.DraftCreated(number, version):
            return t("draft #{number} written", number=number)
        case ev.DraftRevised(number, version):
            return t("draft #{number} revised (v{version})", number=number, version=version)
        case ev.ApprovalGiven(number, version, roles):
            return t(
                "draft #{number} v{version} approved for {roles}",
                number=number,
                version=version,
                roles=", ".join(t(role) for role in roles),
            )
        case ev.DraftApproved(number, version):
            return t("draft #{number} v{version} fully approved", number=number, version=version)
        case ev.DraftRejected(number, version, reason):
            return t("draft #{number} v{version} rejected: {reason}", number=number, version=version, reason=reason)
        case ev.ChangesRequested(number, version, reason):
            return t(
                "changes requested on draft #{number} v{version}: {reason}", number=number, version=version, reason=reason
            )
        case ev.DraftPublished(number, version, where):
            return t("draft #{number} v{version} published on {where}", number=number, version=version, where=where or "-")
        case ev.ApprovalRequirementRaised(number, version, roles, severity, raised):
            needed = ", ".join(t(role) for role in roles)
            if raised:
                return t("draft #{number} now also needs {roles}: severity raised to {severity}",
                         number=number, roles=needed, severity=severity)
            return t("draft #{number} now also needs {roles}: severity changed to {severity}",
                     number=number, roles=needed, severity=severity)
        case ev.TemplateWithdrawn(number, version, template, roles):
            return t("draft #{number} now also needs {roles}: template {name} was retired",
                     number=number, roles=", ".join(t(role) for role in roles), name=template)
        case ev.ObjectionRaised(number, version, reason):
            return t("objection to draft #{number} v{version}: {reason}", number=number, version=version, reason=reason)
        case ev.ObjectionWithdrawn(number):
            return t("objection to draft #{number} withdrawn", number=number)
        case ev.ObjectionOverridden(number, version, objectors, reason):
            return t("objection to draft #{number} by {people} overridden by the lead: {reason}",
                     number=number, people=", ".join(mention(p) for p in objectors), reason=reason)
        case ev.DraftDiscarded(number):
            return t("draft #{number} discarded by its author", number=number)
        case ev.StatusUpdatePosted(text):
            return t("update: {text}", text=text)
        case ev.NoteAdded(text):
            return t("note: {text}", text=text)
        case ev.CheckInReminderSent(missed, escalated):
            if escalated:
                return t("check-in missed {missed} times: escalated", missed=missed)
            return t("check-in reminder sent")
        case ev.CheckInSnoozed(minutes):
            return t("check-in snoozed for {minutes} min", minutes=minutes)
        case ev.ApprovalReminderSent(number=number, escalated=escalated):
            if escalated:
                return t("approval of draft #{number} overdue: backups asked", number=number)
            return t("approval of draft #{number} overdue: reminded", number=number)
        case ev.DraftClosed(number, version):
            return t("draft #{number} closed unpublished: false alarm", number=number)
        case ev.LessonRecorded(text):
            return t("lesson: {text}", text=text)
        case ev.ActionRecorded(text, owner):
            if owner:
                return t("action: {text} (owner {owner})", text=text, owner=mention(owner))
            return t("action: {text}", text=text)
        case ev.PromiseMade(due, excerpt):
            spoken = datetime.fromisoformat(due)
            promised = f"{spoken:%Y-%m-%d %H:%M} (UTC{spoken.isoformat()[-6:]})"
            return t("public promise: next update by {due} (“{excerpt}”)", due=promised, excerpt=excerpt)
        case ev.DetectedFromSignals(topic, alert, first, alerted, count):
            return t(
                "detected by the watch: alert #{alert} on {topic}, {count} signals, first at {first}, alert at {alerted}",
                alert=alert, topic=topic, count=count, first=f"{datetime.fromisoformat(first):%H:%M}",
                alerted=f"{datetime.fromisoformat(alerted):%H:%M}",
            )
        case ev.SignalsAttached(count):
            return t("{count} new signals", count=count)
        case ev.TemplateUsed(number, template, template_version):
            return t("draft #{number} filled in from approved template {template} (v{version})",
                     number=number, template=template, version=template_version)
        case ev.AnswerProposed(number, version, question):
            return t("answer #{number} v{version} proposed: “{question}”", number=number, version=version,
                     question=question)
        case ev.AnswerApprovalGiven(number, version, roles):
            return t("answer #{number} v{version} approved for {roles}", number=number, version=version,
                     roles=", ".join(t(role) for role in roles))
        case ev.AnswerApproved(number, version, question):
            return t("answer #{number} v{version} approved: “{question}”", number=number, version=version,
                     question=question)
        case ev.AnswerRejected(number, version, reason):
            return t("answer #{number} v{version} rejected: {reason}", number=number, version=version, reason=reason)
        case ev.LineProposed(version):
            return t("moderation line v{version} proposed", version=version)
        case ev.LineApprovalGiven(version, roles):
            return t("moderation line v{version} approved for {roles}", version=version,
                     roles=", ".join(t(role) for role in roles))
        case ev.LineApproved(version):
            return t("moderation line v{version} approved", version=version)
        case ev.LineRejected(version, reason):
            return t("moderation line v{version} rejected: {reason}", version=version, reason=reason)
    return type(event).__name__  # pragma: no cover - every event is matched above
