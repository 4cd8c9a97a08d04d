"""Settings of the core, read from a plain mapping (the environment by default) so tests pass their own."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.errors import CrisisError
from bot.signals.rules import WatchSettings

log = logging.getLogger(__name__)

DEFAULT_ROLES = ("lead", "comms", "legal", "support", "product")

# Accepted in commands so French-speaking teams can type their own words.
ROLE_ALIASES = {
    "pilote": "lead",
    "responsable": "lead",
    "communication": "comms",
    "com": "comms",
    "juridique": "legal",
    "service-client": "support",
    "serviceclient": "support",
    "sav": "support",
    "customer-service": "support",
    "produit": "product",
}

_DURATION = re.compile(r"^\s*(\d+)\s*([smhd]?)\s*$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


class ConfigError(CrisisError):
    message = "Invalid configuration: {detail}"


def parse_duration(text: str) -> timedelta:
    """`30m`, `1h`, `2s`, `1d`, or a bare number of seconds."""
    match = _DURATION.match(text.lower())
    if not match:
        raise ConfigError(detail=f"{text!r} is not a duration such as 30m, 1h or 45s")
    return timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2)])


V = TypeVar("V")


def _per_severity(text: str, parse_value: Callable[[str], V]) -> dict[int, V]:
    result: dict[int, V] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        sev, _, value = item.partition("=")
        if not sev.strip().isdigit() or not 1 <= int(sev) <= 4 or not value:
            raise ConfigError(detail=f"{item!r} should look like 2=1h")
        result[int(sev)] = parse_value(value.strip())
    return result


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Platform ids: Slack `U123`/`C123`, Teams `29:…` people and `19:…@thread.tacv2` channels.
_NAME = re.compile(r"^[^\s,;=]+$")


def parse_notify(text: str) -> dict[int, tuple[str, ...]]:
    """`1=@eric,@ceo;2=@eric,#exec-room` into {1: ("@eric", "@ceo"), 2: ("@eric", "#exec-room")}.

    People are `@id` (a bare id is taken as a person), channels `#id`, and e-mail addresses are kept as typed.
    """
    result: dict[int, tuple[str, ...]] = {}
    for item in filter(None, (part.strip() for part in text.split(";"))):
        sev, _, value = item.partition("=")
        if not sev.strip().isdigit() or not 1 <= int(sev) <= 4 or not value.strip():
            raise ConfigError(detail=f"CRISISBOT_NOTIFY: {item!r} should look like 1=@eric,@ceo")
        targets = []
        for target in filter(None, (t.strip() for t in value.split(","))):
            if _EMAIL.match(target) or (target[0] in "@#" and _NAME.match(target[1:])):
                targets.append(target)
            elif _NAME.match(target) and "@" not in target and "#" not in target:
                targets.append(f"@{target}")
            else:
                raise ConfigError(detail=f"CRISISBOT_NOTIFY: {target!r} is not @person, #channel or an e-mail address")
        result[int(sev)] = tuple(dict.fromkeys(targets))
    return result


@dataclass(frozen=True)
class Settings:
    language: str = "en"
    roles: tuple[str, ...] = DEFAULT_ROLES
    # First person of each list is assigned when an incident opens; the others are backups.
    roster: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    checkin_intervals: Mapping[int, timedelta] = field(
        default_factory=lambda: {
            1: timedelta(minutes=30),
            2: timedelta(hours=1),
            3: timedelta(hours=4),
            4: timedelta(hours=24),
        }
    )
    monitoring_interval: timedelta = timedelta(hours=4)
    approvers: Mapping[int, tuple[str, ...]] = field(
        default_factory=lambda: {1: ("comms", "legal"), 2: ("comms", "legal"), 3: ("comms",), 4: ("comms",)}
    )
    approval_deadlines: Mapping[int, timedelta] = field(
        default_factory=lambda: {
            1: timedelta(minutes=15),
            2: timedelta(minutes=30),
            3: timedelta(hours=2),
            4: timedelta(hours=8),
        }
    )
    missed_checkins_before_escalation: int = 2
    escalation_contacts: tuple[str, ...] = ()
    # Who hears of a crisis opened at, raised to or escalated at a severity: `@person`, `#channel`, e-mail.
    notify: Mapping[int, tuple[str, ...]] = field(default_factory=dict)
    timezone: str = "UTC"
    business_days: tuple[int, ...] = (0, 1, 2, 3, 4)
    business_hours: tuple[time, time] = (time(9), time(18))
    key_prefix: str = "CRI"
    # At most one update of a card per conversation in this window (and news lines grouped in one message):
    # a burst of changes costs a few updates, within the platforms' rate limits. Zero sends every change.
    card_refresh: timedelta = timedelta(seconds=1)
    # The live dashboard: where `crisisbot serve` is reached from outside, and the key that signs personal links
    # (empty: no dashboard). Kept out of repr so the key is never logged with the settings.
    public_url: str = "http://localhost:3000"
    secret_key: str = field(default="", repr=False)
    # Weak-signal watch: topics, spike rule, where alerts go (`bot.signals.rules`).
    watch: WatchSettings = field(default_factory=WatchSettings)
    # Holding statements and the frontline (`bot.templates`, `bot.answers`, `bot.brief`): who signs off a template
    # (from the roster), a draft filled in from one, an answer or the moderation line; and where the brief is kept.
    template_approvers: tuple[str, ...] = ("comms", "legal")
    preapproved_approvers: tuple[str, ...] = ("lead",)
    answer_approvers: tuple[str, ...] = ("comms",)
    frontline_channels: tuple[tuple[str, str], ...] = ()

    def checkin_interval(self, severity: int, monitoring: bool = False) -> timedelta:
        base = self.checkin_intervals.get(severity, timedelta(hours=1))
        return max(base, self.monitoring_interval) if monitoring else base

    def required_roles(self, severity: int) -> tuple[str, ...]:
        return self.approvers.get(severity, ("comms",))

    def seen_from(self, timezone: str | None) -> Settings:
        """These settings with times shown in a person's time zone (an unknown zone keeps the configured one).

        Only display uses it: quiet hours and cadences stay those of the configuration."""
        if not timezone or timezone == self.timezone:
            return self
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            return self
        return replace(self, timezone=timezone)

    def role(self, word: str) -> str | None:
        """The canonical role a user typed, in English or French, or None."""
        name = ROLE_ALIASES.get(word.lower(), word.lower())
        return name if name in self.roles else None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        defaults = cls()
        roles = tuple(r.strip().lower() for r in env.get("CRISISBOT_ROLES", ",".join(DEFAULT_ROLES)).split(",") if r.strip())
        roster = {
            role: tuple(p.strip().lstrip("@") for p in env[f"CRISISBOT_ROSTER_{role.upper()}"].split(",") if p.strip())
            for role in roles
            if env.get(f"CRISISBOT_ROSTER_{role.upper()}")
        }
        intervals = dict(defaults.checkin_intervals)
        intervals.update(_per_severity(env.get("CRISISBOT_CHECKIN_INTERVALS", ""), parse_duration))
        deadlines = dict(defaults.approval_deadlines)
        deadlines.update(_per_severity(env.get("CRISISBOT_APPROVAL_DEADLINES", ""), parse_duration))
        approvers = dict(defaults.approvers)
        approvers.update(
            _per_severity(env.get("CRISISBOT_APPROVERS", ""), lambda v: tuple(r for r in v.split("+") if r))
        )
        for needed in approvers.values():
            unknown = [r for r in needed if r not in roles]
            if unknown:
                raise ConfigError(detail=f"approval roles {unknown} are not in CRISISBOT_ROLES")
        start, _, end = env.get("CRISISBOT_BUSINESS_HOURS", "09:00-18:00").partition("-")
        try:
            hours = (time.fromisoformat(start.strip()), time.fromisoformat(end.strip()))
            days = tuple(int(d) for d in env.get("CRISISBOT_BUSINESS_DAYS", "0,1,2,3,4").split(",") if d.strip())
            missed = int(env.get("CRISISBOT_ESCALATE_AFTER", "2"))
        except ValueError as exc:
            raise ConfigError(detail=str(exc)) from exc
        language = env.get("CRISISBOT_LANGUAGE", "en").strip().lower()[:2] or "en"
        timezone = env.get("CRISISBOT_TIMEZONE", "UTC").strip() or "UTC"
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            detail = f"CRISISBOT_TIMEZONE={timezone!r} is not an IANA time zone such as Europe/Paris"
            raise ConfigError(detail=detail) from None
        notify = parse_notify(env.get("CRISISBOT_NOTIFY", ""))
        emails = sorted({t for targets in notify.values() for t in targets if not t.startswith(("@", "#"))})
        if emails:
            # Said at startup so a typo is seen early: the doors resolve addresses only when a message is due.
            log.warning(
                "CRISISBOT_NOTIFY: %s get direct messages once the platform knows them by e-mail (Slack: a member "
                "with that address, with the users:read.email scope; Teams: someone who has spoken with the bot); "
                "until then they are skipped", ", ".join(emails),
            )
        return cls(
            language=language,
            roles=roles,
            roster=roster,
            checkin_intervals=intervals,
            monitoring_interval=parse_duration(env.get("CRISISBOT_MONITORING_INTERVAL", "4h")),
            approvers=approvers,
            approval_deadlines=deadlines,
            missed_checkins_before_escalation=missed,
            escalation_contacts=tuple(
                p.strip().lstrip("@") for p in env.get("CRISISBOT_ESCALATION_CONTACTS", "").split(",") if p.strip()
            ),
            notify=notify,
            timezone=timezone,
            business_days=days,
            business_hours=hours,
            card_refresh=parse_duration(env.get("CRISISBOT_CARD_REFRESH", "1s")),
            public_url=env.get("CRISISBOT_PUBLIC_URL", "").strip() or f"http://localhost:{env.get('PORT', '3000')}",
            secret_key=env.get("CRISISBOT_SECRET_KEY", "").strip(),
            watch=WatchSettings.from_env(env),
            template_approvers=_approver_roles(env, "CRISISBOT_TEMPLATE_APPROVERS", "comms+legal", roles),
            preapproved_approvers=_approver_roles(env, "CRISISBOT_PREAPPROVED_APPROVERS", "lead", roles),
            answer_approvers=_approver_roles(env, "CRISISBOT_ANSWER_APPROVERS", "comms", roles),
            frontline_channels=parse_frontline(env.get("CRISISBOT_FRONTLINE_CHANNELS", "")),
        )


def _approver_roles(env: Mapping[str, str], name: str, default: str, roles: tuple[str, ...]) -> tuple[str, ...]:
    """`comms+legal`: roles that must all approve; each must be one of CRISISBOT_ROLES."""
    needed = tuple(dict.fromkeys(r.strip().lower() for r in (env.get(name) or default).split("+") if r.strip()))
    unknown = [r for r in needed if r not in roles]
    if unknown or not needed:
        raise ConfigError(detail=f"{name}: roles {unknown or '(none)'} are not in CRISISBOT_ROLES")
    return needed


def parse_frontline(text: str) -> tuple[tuple[str, str], ...]:
    """`slack:C123,teams:19:abc@thread.tacv2` into (("slack", "C123"), ("teams", "19:abc@thread.tacv2"))."""
    places: list[tuple[str, str]] = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        platform, _, conversation = item.partition(":")
        if platform.strip().lower() not in ("slack", "teams", "console") or not conversation.strip():
            raise ConfigError(detail=f"CRISISBOT_FRONTLINE_CHANNELS: {item!r} should look like slack:C123 or teams:<id>")
        places.append((platform.strip().lower(), conversation.strip()))
    return tuple(dict.fromkeys(places))
