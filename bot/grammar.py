"""The one command grammar every door speaks. `parse` never raises: bad input becomes `Help`."""

from __future__ import annotations

import re
from collections.abc import Callable

from bot import commands as c
from bot.i18n import LANGUAGES, N_
from bot.plain_text import blank
from bot.signals.rules import parse_keywords, topic_name_ok
from bot.templates import parse_values

_KEY = re.compile(r"^([A-Za-z]{2,10}-[0-9]{1,9})(?:\s+|$)(.*)$", re.S)
_FALSE_ALARM = re.compile(r"(?:^|\s)--(?:false-alarm|fausse-alerte)(?=\s|$)", re.I)
_SEV_FLAG = re.compile(r"(?:^|\s)(?:--sev|--severity|--gravite|--gravité)(?:=|\s+)(\S+)", re.I)
# Slack writes mentions as <@U123> or <@U123|name>; people elsewhere type @name.
# A work e-mail address names a person on every platform (`assign legal lina@acme.com`).
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
_MENTION = re.compile(r"^<@([A-Za-z0-9._:-]+)(?:\|[^>]*)?>$|^@?([\w.\-]+)$", re.U)

USAGE = {
    "open": "open <title> [--sev 1-4]",
    "assign": "assign <role> <@person>",
    "release": "release <role>",
    "roles": "roles",
    "draft": "draft <text>",
    "revise": "revise <draft-no> <text>",
    "approve": "approve [draft-no]",
    "reject": "reject [draft-no] <reason>",
    "changes": "changes [draft-no] <reason>",
    "publish": "publish [draft-no] <channel>",
    "object": "object [draft-no] <reason>",
    "withdraw": "withdraw [draft-no]",
    "override": "override [draft-no] <reason>",
    "discard": "discard [draft-no]",
    "update": "update <text>",
    "severity": "severity <1-4>",
    "monitor": "monitor",
    "resolve": "resolve [--false-alarm] [summary]",
    "reopen": "reopen",
    "note": "note <text>",
    "snooze": "snooze <15|30|60>",
    "status": "status",
    "timeline": "timeline",
    "list": "list",
    "help": "help",
    "lesson": "lesson <text>",
    "action": "action <text> [@owner]",
    "export": "export",
    "dashboard": "dashboard",
    "watch": "watch [<topic> <keyword, keyword…>]",
    "unwatch": "unwatch <topic>",
    "signal": "signal <text or link>",
    "signals": "signals",
    "alert": "alert <number> open|watch|false-alarm",
    "join": "join <key>",
    "leave": "leave",
    "template": "template <name> [--lang xx] [text]",
    "templates": "templates",
    "approve-template": "approve-template <name>",
    "reject-template": "reject-template <name> <reason>",
    "retire": "retire <name>",
    "use": "use <name> [key=value …]",
    "answer": "answer [#no] <question> | <answer>",
    "approve-answer": "approve-answer <no>",
    "reject-answer": "reject-answer <no> <reason>",
    "line": "line <text>",
    "approve-line": "approve-line",
    "reject-line": "reject-line <reason>",
    "brief": "brief",
}

# French verbs, so a French-speaking team can type in its own language.
VERB_ALIASES = {
    "ouvrir": "open",
    "assigner": "assign",
    "liberer": "release",
    "libérer": "release",
    "roles": "roles",
    "rôles": "roles",
    "brouillon": "draft",
    "reviser": "revise",
    "réviser": "revise",
    "approuver": "approve",
    "rejeter": "reject",
    "modifs": "changes",
    "modifications": "changes",
    "publier": "publish",
    "objection": "object",
    "objecter": "object",
    "retirer": "withdraw",
    "passer-outre": "override",
    "abandonner": "discard",
    "point": "update",
    "maj": "update",
    "severite": "severity",
    "sévérité": "severity",
    "gravite": "severity",
    "gravité": "severity",
    "sev": "severity",
    "surveiller": "monitor",
    "resoudre": "resolve",
    "résoudre": "resolve",
    "rouvrir": "reopen",
    "statut": "status",
    "etat": "status",
    "état": "status",
    "chronologie": "timeline",
    "liste": "list",
    "aide": "help",
    "reporter": "snooze",
    "?": "help",
    "leçon": "lesson",
    "lecon": "lesson",
    "exporter": "export",
    "tableau": "dashboard",
    "tableau-de-bord": "dashboard",
    "veille": "watch",
    "fin-veille": "unwatch",
    "signaler": "signal",
    "signaux": "signals",
    "alerte": "alert",
    "rejoindre": "join",
    "quitter": "leave",
    "modèle": "template",
    "modele": "template",
    "modèles": "templates",
    "modeles": "templates",
    "approuver-modèle": "approve-template",
    "approuver-modele": "approve-template",
    "rejeter-modèle": "reject-template",
    "rejeter-modele": "reject-template",
    "utiliser": "use",
    "réponse": "answer",
    "reponse": "answer",
    "approuver-réponse": "approve-answer",
    "approuver-reponse": "approve-answer",
    "rejeter-réponse": "reject-answer",
    "rejeter-reponse": "reject-answer",
    "consigne": "line",
    "approuver-consigne": "approve-line",
    "rejeter-consigne": "reject-line",
    "archiver": "retire",
    "fiche": "brief",
}


class _Malformed(Exception):
    pass


def person(token: str) -> str:
    """The person id in `@alice`, `alice`, `<@U123>` or `<@U123|alice>`; an e-mail address, lowercased."""
    if _EMAIL.match(token.strip()):
        return token.strip().lower()
    match = _MENTION.match(token.strip())
    if not match:
        raise _Malformed
    return match.group(1) or match.group(2)


def _number(text: str) -> bool:
    # str.isdigit also accepts "¹" or "٣", which int() refuses.
    return text.isascii() and text.isdigit()


def _split_number(rest: str) -> tuple[int | None, str]:
    head, _, tail = rest.partition(" ")
    stripped = head.lstrip("#")
    if _number(stripped) and len(stripped) < 9:
        return int(stripped), tail.strip()
    return None, rest


def _required(text: str) -> str:
    if blank(text):
        raise _Malformed
    return text.strip()


def _open(rest: str, key: str | None) -> c.Command:
    severity = 3
    flag = _SEV_FLAG.search(rest)
    if flag:
        if not _number(flag.group(1)) or not 1 <= int(flag.group(1)) <= 4:
            raise _Malformed
        severity = int(flag.group(1))
        rest = rest[: flag.start()] + rest[flag.end() :]
    title = " ".join(rest.split())
    if blank(title):
        return c.AskToOpen(severity=severity)
    return c.OpenIncident(title=title, severity=severity)


def _assign(rest: str, key: str | None) -> c.Command:
    parts = rest.split()
    if len(parts) != 2:
        raise _Malformed
    return c.AssignRole(role=parts[0], person=person(parts[1]), incident=key)


def _revise(rest: str, key: str | None) -> c.Command:
    number, text = _split_number(rest)
    if number is None:
        raise _Malformed
    return c.ReviseDraft(number=number, text=_required(text), incident=key)


def _review(final: bool) -> Callable[[str, str | None], c.Command]:
    def parse(rest: str, key: str | None) -> c.Command:
        number, reason = _split_number(rest)
        cls = c.RejectDraft if final else c.RequestChanges
        return cls(reason=_required(reason), number=number, incident=key)

    return parse


def _publish(rest: str, key: str | None) -> c.Command:
    # Where it went out is part of the record: a publication without a channel is asked again.
    number, where = _split_number(rest)
    return c.PublishDraft(number=number, where=_required(where), incident=key)


def _draft_number(cls: Callable[..., c.Command]) -> Callable[[str, str | None], c.Command]:
    def parse(rest: str, key: str | None) -> c.Command:
        number, tail = _split_number(rest)
        if rest.strip() and (number is None or tail.strip()):
            raise _Malformed
        return cls(number=number, incident=key)

    return parse


def _approve(rest: str, key: str | None) -> c.Command:
    """`approve [draft-no] [vN]`: the version is what a card's button says it showed."""
    number, tail = _split_number(rest)
    version = _VERSION.fullmatch(tail.strip()) if number is not None else None
    if rest.strip() and (number is None or (tail.strip() and version is None)):
        raise _Malformed
    return c.ApproveDraft(number=number, incident=key, version=int(version.group(1)) if version else None)


_VERSION = re.compile(r"v(\d{1,6})", re.IGNORECASE)


def _with_reason(cls: Callable[..., c.Command]) -> Callable[[str, str | None], c.Command]:
    def parse(rest: str, key: str | None) -> c.Command:
        number, reason = _split_number(rest)
        return cls(reason=_required(reason), number=number, incident=key)

    return parse


def _severity(rest: str, key: str | None) -> c.Command:
    value = rest.strip()
    if not _number(value) or not 1 <= int(value) <= 4:
        raise _Malformed
    return c.ChangeSeverity(severity=int(value), incident=key)


def _snooze(rest: str, key: str | None) -> c.Command:
    value = rest.strip().removesuffix("m").removesuffix("min")
    if value not in ("15", "30", "60"):
        raise _Malformed
    return c.SnoozeCheckIn(minutes=int(value), incident=key)


def _resolve(rest: str, key: str | None) -> c.Command:
    flag = _FALSE_ALARM.search(rest)
    if flag:
        rest = rest[: flag.start()] + rest[flag.end() :]
    return c.Resolve(summary=rest.strip(), incident=key, false_alarm=flag is not None)


def _action(rest: str, key: str | None) -> c.Command:
    # A trailing mention names the owner: `action Review the FAQ @bob`.
    text, _, last = rest.strip().rpartition(" ")
    if text.strip() and last.startswith(("@", "<@")):
        return c.RecordAction(text=_required(text), owner=person(last), incident=key)
    return c.RecordAction(text=_required(rest), incident=key)


def _no_args(cls: Callable[..., c.Command]) -> Callable[[str, str | None], c.Command]:
    def parse(rest: str, key: str | None) -> c.Command:
        if rest.strip():
            raise _Malformed
        return cls(incident=key)

    return parse


_URL = re.compile(r"^<?(https?://[^\s<>|]+)(?:\|[^>]*)?>?$", re.I)
_ALERT_DECISIONS: dict[str, Callable[..., c.Command]] = {
    "open": c.OpenFromAlert, "ouvrir": c.OpenFromAlert,
    "watch": c.WatchAlert, "veille": c.WatchAlert, "surveiller": c.WatchAlert,
    "false-alarm": c.DismissAlert, "fausse-alerte": c.DismissAlert, "dismiss": c.DismissAlert,
}


def _watch(rest: str, key: str | None) -> c.Command:
    if not rest.strip():
        return c.ShowTopics()
    name, _, words = rest.strip().partition(" ")
    keywords, excluded = parse_keywords(words)
    if not topic_name_ok(name) or not keywords:
        raise _Malformed
    return c.WatchTopic(name=name.lower(), keywords=keywords, excluded=excluded)


def _unwatch(rest: str, key: str | None) -> c.Command:
    name = rest.strip()
    if not name or " " in name:
        raise _Malformed
    return c.UnwatchTopic(name=name.lower())


def _signal(rest: str, key: str | None) -> c.Command:
    # A link among the words (Slack wraps it in <…>) is the signal's url; the text is kept whole, as typed.
    text = _required(rest)
    url = next((m.group(1) for m in map(_URL.match, text.split()) if m), "")
    return c.ReportSignal(text=text, url=url)


def _alert(rest: str, key: str | None) -> c.Command:
    number, decision = _split_number(rest)
    cls = _ALERT_DECISIONS.get(decision.strip().lower())
    if number is None or cls is None:
        raise _Malformed
    return cls(alert=number)


def _membership(cls: Callable[..., c.Command]) -> Callable[[str, str | None], c.Command]:
    """`CRI-12 join` or `join CRI-12`: the key may come after the verb too."""

    def parse(rest: str, key: str | None) -> c.Command:
        match = _KEY.match(rest.strip())
        if match and not match.group(2).strip() and key is None:
            return cls(incident=match.group(1).upper())
        if rest.strip():
            raise _Malformed
        return cls(incident=key)

    return parse


_PARSERS: dict[str, Callable[[str, str | None], c.Command]] = {
    "open": _open,
    "assign": _assign,
    "release": lambda rest, key: c.ReleaseRole(role=_required(rest), incident=key),
    "roles": _no_args(c.ShowRoles),
    "draft": lambda rest, key: c.CreateDraft(text=_required(rest), incident=key),
    "revise": _revise,
    "approve": _approve,
    "reject": _review(final=True),
    "changes": _review(final=False),
    "publish": _publish,
    "object": _with_reason(c.ObjectToDraft),
    "withdraw": _draft_number(c.WithdrawObjection),
    "override": _with_reason(c.OverrideObjection),
    "discard": _draft_number(c.DiscardDraft),
    "update": lambda rest, key: c.PostUpdate(text=_required(rest), incident=key),
    "severity": _severity,
    "monitor": _no_args(c.Monitor),
    "resolve": _resolve,
    "reopen": _no_args(c.Reopen),
    "note": lambda rest, key: c.AddNote(text=_required(rest), incident=key),
    "snooze": _snooze,
    "status": _no_args(c.ShowStatus),
    "timeline": _no_args(c.ShowTimeline),
    "list": lambda rest, key: c.ListIncidents(),
    "help": lambda rest, key: c.Help(),
    "lesson": lambda rest, key: c.RecordLesson(text=_required(rest), incident=key),
    "action": _action,
    "export": _no_args(c.ExportReport),
    "dashboard": lambda rest, key: c.ShowDashboard(),
    "watch": _watch,
    "unwatch": _unwatch,
    "signal": _signal,
    "signals": _no_args(c.ShowSignals),
    "alert": _alert,
    "join": _membership(c.JoinIncident),
    "leave": _membership(c.LeaveIncident),
}

_LANG = re.compile(r"(?:^|\s)--(?:lang|langue)(?:=|\s+)([A-Za-z]{2})(?=\s|$)")
_LANG_FLAG = re.compile(r"(?:^|\s)--(?:lang|langue)(?=\s|=|$)")


def _template(rest: str, key: str | None) -> c.Command:
    language = ""
    flag = _LANG.search(rest)
    if flag:
        language = flag.group(1).lower()
        rest = rest[: flag.start()] + rest[flag.end() :]
    if language not in ("", *LANGUAGES) or _LANG_FLAG.search(rest):
        raise _Malformed  # a language the bot does not speak, or the flag without one
    name, _, text = rest.strip().partition(" ")
    if not name or key:
        raise _Malformed
    return c.ProposeTemplate(name=name, text=text.strip(), language=language) if text.strip() else c.ShowTemplate(name)


def _use(rest: str, key: str | None) -> c.Command:
    name, _, values = rest.strip().partition(" ")
    try:
        pairs = parse_values(values)
    except ValueError:
        raise _Malformed from None
    return c.UseTemplate(name=_required(name), values=pairs, incident=key)


_ANSWER_BAR = re.compile(r"\|(?![^<>]*>)")


def _answer(rest: str, key: str | None) -> c.Command:
    number = None
    if rest.startswith("#"):
        number, rest = _split_number(rest)
        if number is None:
            raise _Malformed
    # The first bar outside Slack's <…> markup: a link written `<https://x|here>` stays inside the question.
    bar = _ANSWER_BAR.search(rest)
    if bar is None:
        raise _Malformed
    question, answer = rest[: bar.start()], rest[bar.end() :]
    return c.ProposeAnswer(question=_required(question), answer=_required(answer), number=number, incident=key)


def _answer_number(rest: str, key: str | None, reason: bool) -> tuple[int, str]:
    number, tail = _split_number(rest)
    if number is None or bool(tail.strip()) != reason:
        raise _Malformed
    return number, tail.strip()


def _no_key(make: Callable[[str], c.Command]) -> Callable[[str, str | None], c.Command]:
    def parse(rest: str, key: str | None) -> c.Command:
        if key:
            raise _Malformed  # templates live outside incidents
        return make(rest)

    return parse


def _reject_template(rest: str) -> c.Command:
    name, _, reason = rest.partition(" ")
    return c.RejectTemplate(name=_required(name), reason=_required(reason))


_PARSERS.update({
    "template": _template,
    "templates": _no_key(lambda rest: c.ListTemplates()),
    "approve-template": _no_key(lambda rest: c.ApproveTemplate(name=_required(rest))),
    "reject-template": _no_key(_reject_template),
    "retire": _no_key(lambda rest: c.RetireTemplate(name=_required(rest))),
    "use": _use,
    "answer": _answer,
    "approve-answer": lambda rest, key: c.ApproveAnswer(number=_answer_number(rest, key, False)[0], incident=key),
    "reject-answer": lambda rest, key: c.RejectAnswer(*_answer_number(rest, key, True), incident=key),
    "line": lambda rest, key: c.ProposeLine(text=_required(rest), incident=key),
    "approve-line": _no_args(c.ApproveLine),
    "reject-line": lambda rest, key: c.RejectLine(reason=_required(rest), incident=key),
    "brief": _no_args(c.ShowBrief),
})

# Usage errors that deserve more than the usage line.
_PROBLEMS = {
    "publish": N_("Where was it published? `{detail}`, e.g. `publish 2 X`, `publish 2 press release`, `publish 2 website`."),
}


def parse(text: str) -> c.Command:
    text = text.strip().lstrip("/").strip()
    if text.lower().startswith("crisis "):
        text = text[len("crisis ") :]
    key = None
    match = _KEY.match(text)
    if match:
        key, text = match.group(1).upper(), match.group(2)
    verb, _, rest = text.strip().partition(" ")
    if not verb and key:
        return c.ShowStatus(incident=key)
    if verb.lower() == "retirer" and not key and rest.strip() and _split_number(rest.strip())[0] is None:
        verb = "retire"  # French `retirer <name>` retires a template; `retirer [n]` withdraws an objection
    verb = VERB_ALIASES.get(verb.lower(), verb.lower())
    parser = _PARSERS.get(verb)
    if parser is None:
        if not verb:
            return c.Help()
        return c.Help(problem=N_("Unknown command `{detail}`."), detail=verb[:40])
    try:
        return parser(rest.strip(), key)
    except _Malformed:
        return c.Help(problem=_PROBLEMS.get(verb, N_("Usage: `{detail}`")), detail=USAGE[verb], usage=verb)
