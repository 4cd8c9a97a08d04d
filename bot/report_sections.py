"""The post-mortem's opening sections: how long each step took, the figures, publications, objections."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from statistics import median

from bot import report_figures as rf
from bot.describe import duration, fact, mention, said, when
from bot.i18n import Translator
from bot.model import Incident
from bot.promises_kept import PromiseState
from bot.views import severity_label

# A person (`<@id>`, the one markup neutral text carries) is kept for `report.render` to name; everything else
# people typed is escaped below.
_PERSON = re.compile(r"(<@[^>|\s]+(?:\|[^>]*)?>)")
# A code span someone typed (`like this`) is kept as typed: its words show literally already, and the report is read
# as source in Slack, Teams and the console, where backslashes inside it would be noise.
_CODE = re.compile(r"((`+)[^`].*?(?<!`)\2(?!`))", re.S)
# What CommonMark and its strikethrough extension read as formatting, links, HTML or entities anywhere in a line (a
# backslash makes any of them literal; a bar matters in a table only: `cell`), and what starts a heading, a list or
# a setext underline (a quote's `>` is escaped anywhere).
_INLINE = re.compile(r"([\\`*_\[\]<>&~])")
_LINE_START = re.compile(r"(?m)^([ \t]*)([#+=-]|\d+(?=[.)]))")


def text(typed: str) -> str:
    """What people typed, as Markdown that reads exactly so: no link, heading, raw HTML, entity or emphasis of its
    own, so a title or an update cannot forge a section of the report."""
    out = []
    for n, part in enumerate(_CODE.split(typed)):
        if n % 3 == 1:
            out.append(part)  # a code span, whole
        elif n % 3 == 0:
            out += (person if k % 2 else _INLINE.sub(r"\\\1", person) for k, person in enumerate(_PERSON.split(part)))
    # A numbered list's marker is escaped after its digits (2\.), the others before (\#): a backslash escapes
    # punctuation only.
    return _LINE_START.sub(lambda m: m.group(1) + (m.group(2) + "\\" if m.group(2)[0].isdigit() else "\\" + m.group(2)),
                           "".join(out))


def code(typed: str) -> str:
    """A code span: for a link, literal when rendered (never a disguised one) and exact when copied from the source."""
    line = " ".join(typed.split())
    fence = "`" * (1 + max((len(run) for run in re.findall(r"`+", line)), default=0))
    pad = " " if line.startswith("`") or line.endswith("`") else ""
    return f"{fence}{pad}{line}{pad}{fence}"


def cell(typed: str) -> str:
    # A bar ends a table's cell; elsewhere it is only text.
    return text(typed).replace("|", "\\|").replace("\n", " ")


def timing(numbers: rf.Figures, t: Translator, tz: str) -> list[str]:
    steps = numbers.milestones
    rows: list[tuple[str, datetime | None]] = [
        (t("First signal"), steps.first_signal),
        (t("Opened"), steps.opened),
        (t("First approved statement"), steps.first_approved),
        (t("First publication"), steps.first_published),
        (t("Resolved"), steps.resolved),
    ]
    out = ["", f"## {t('Timing')}", "", f"| {t('Step')} | {t('When')} | {t('Since the first signal')} |", "|---|---|---|"]
    for label, at in rows:
        since = duration(rf.elapsed(steps.first_signal, at), t) if at else "-"
        out.append(f"| {label} | {when(at, tz)} | {since} |")
    return out


def figures(numbers: rf.Figures, t: Translator, tz: str) -> list[str]:
    peak = t(
        "{severity}, from {time}", severity=severity_label(numbers.peak_severity, t), time=when(numbers.peak_at, tz)
    )
    out = [
        "",
        f"## {t('How the crisis was handled')}",
        "",
        "- " + said(t, t("Severity at opening"), severity_label(numbers.opening_severity, t)),
        "- " + said(t, t("Peak severity"), peak),
    ]
    for change in numbers.severity_changes:
        moved = t("severity {old} → {new}", old=change.old, new=change.new)
        out.append(f"  - {when(change.at, tz)} · {mention(change.actor)} · {moved}")
    if numbers.false_alarm:
        out.append("- " + said(t, t("Outcome"), t("false alarm (counted apart from real crises)")))
    # Counted apart: a reminder to the holder, then an escalation beyond them (contacts, backups).
    checkins = t("reminders: {count}, escalations: {escalated}", count=numbers.checkin_reminders,
                 escalated=numbers.checkin_escalations)
    asked = t("reminders: {count}, escalations: {escalated}", count=numbers.approval_reminders,
              escalated=numbers.approval_escalations)
    out += [
        "- " + said(t, t("Longest silence between status updates"), duration(numbers.longest_silence, t)),
        "- " + said(t, t("Check-ins overdue"), checkins),
        "- " + said(t, t("Approvals overdue"), asked),
    ]
    if numbers.promises:
        kept = t("kept: {kept}, missed: {missed}, still ahead: {pending}", kept=numbers.promises_in(PromiseState.KEPT),
                 missed=numbers.promises_in(PromiseState.MISSED), pending=numbers.promises_in(PromiseState.PENDING))
        out.append("- " + said(t, t("Updates promised to the public"), kept))
    for role, delays in sorted(numbers.approval_delays.items()):
        middle = duration(timedelta(seconds=median(d.total_seconds() for d in delays)), t)
        longest = duration(max(delays), t)
        count = len(delays)
        spread = t("median {median}, longest {longest}, approvals: {count}", median=middle, longest=longest, count=count)
        out.append("- " + said(t, t("Time {role} took to approve", role=t(role)), spread))
    return out


def publications(incident: Incident, t: Translator, tz: str) -> list[str]:
    found = rf.publications(incident)
    out = ["", f"## {t('Publications')}", ""]
    if not found:
        return [*out, f"- {t('none')}"]
    out += [f"| {t('When')} | {t('Draft')} | {t('Channel')} | {t('By')} | {t('Rules met')} |", "|---|---|---|---|---|"]
    for p in found:
        draft = t("#{number} v{version}", number=p.number, version=p.version)
        rules = t("published under severity {severity} rules", severity=p.under) if p.under else "-"
        if p.under and p.reached_later:
            # Flagged, not a breach: the words met the policy in force; a later, more critical one asks more.
            rules = t("published under severity {severity} rules; the incident reached severity {later} later",
                      severity=p.under, later=p.reached_later)
        out.append(f"| {when(p.at, tz)} | {draft} | {cell(p.channel or '-')} | {mention(p.by)} | {rules} |")
    for used in (d for d in incident.drafts if d.template and d.published_at):
        # Holding statements exist to make the first words fast: the report says how fast they were.
        out += ["", t("Draft #{number} came from approved template {template}; from opening to its publication: {took}.",
                      number=used.number, template=text(used.template),
                      took=duration(used.published_at - incident.created_at if used.published_at else None, t))]
    return out


def promises(numbers: rf.Figures, t: Translator, tz: str) -> list[str]:
    """Each next update promised to the public, and whether the public heard from the team by then."""
    out = ["", f"## {t('Promises to the public')}", ""]
    if not numbers.promises:
        return [*out, f"- {t('none')}"]
    outcome = {PromiseState.KEPT: t("kept"), PromiseState.MISSED: t("missed"), PromiseState.PENDING: t("still ahead")}
    out += [f"| {t('Promised at')} | {t('By')} | {t('Next update due')} | {t('Words')} | {t('Outcome')} | "
            f"{t('Public heard next')} |", "|---|---|---|---|---|---|"]
    for p in numbers.promises:
        words = t("“{words}”", words=cell(p.excerpt))
        out.append(f"| {when(p.made_at, tz)} | {mention(p.made_by)} | {when(p.due, tz)} | {words} | {outcome[p.state]} | "
                   f"{when(p.followed_at, tz)} |")
    return out


def objections(incident: Incident, t: Translator, tz: str) -> list[str]:
    found = rf.objections(incident)
    lines = [f"- {when(e.at, tz)} · {mention(e.actor)} · {item(fact(e.event, t))}" for e in found]
    return ["", f"## {t('Objections and overrides')}", "", *(lines or [f"- {t('none')}"])]


def item(typed: str) -> str:
    # Written as typed; later lines indented so a paragraph stays inside its list item.
    return text(typed).replace("\n", "\n  ")


def lessons_and_actions(incident: Incident, t: Translator, tz: str) -> list[str]:
    lessons = [f"- {item(n.text)} · {mention(n.author)} · {when(n.at, tz)}" for n in rf.lessons(incident)]
    actions = []
    for n in rf.actions(incident):
        owner = " · " + said(t, t("Owner"), mention(n.owner)) if n.owner else ""
        actions.append(f"- [ ] {item(n.text)}{owner} · {mention(n.author)} · {when(n.at, tz)}")
    return [
        "", f"## {t('Lessons and actions')}", "",
        f"### {t('Lessons')}", "", *(lessons or [f"- {t('none recorded')}"]), "",
        f"### {t('Actions')}", "", *(actions or [f"- {t('none recorded')}"]),
    ]
