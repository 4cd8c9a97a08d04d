"""Holding statements: templates of public words, approved in calm times and filled in when a crisis comes.

A template's text holds `{placeholders}`. It is approved four-eyes (`bot.signoff`) by the roles of
CRISISBOT_TEMPLATE_APPROVERS as the roster holds them, since no incident exists yet; a revision needs that approval
again, and the approved version stays in use until then. A retired template is out of use; its history is kept.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from bot.errors import CrisisError, InvalidCommand, InvalidState, NotAuthorized
from bot.i18n import N_
from bot.model import Conversation
from bot.signoff import SignOff, clean

MAX_TEMPLATE_LENGTH = 2800  # what a draft may hold: the filled template becomes one
# A letter first: `retirer 2` withdraws an objection to draft 2, `retirer delivery-delay` retires a template.
NAME = re.compile(r"^[a-z][a-z0-9_-]{0,59}$")
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_-]{0,39})\}")
# `key=value` pairs of `use`: a value runs to the next ` key=`, and may be quoted.
_KEY = re.compile(r"(?:^|\s)([A-Za-z_][A-Za-z0-9_-]{0,39})=")
_CLOSING = {'"': '"', "'": "'", "“": "”", "«": "»"}


class UnknownTemplate(CrisisError):
    message = N_("There is no template {name}. Try `templates`.")


def check_name(name: str) -> str:
    name = name.strip().lower()
    if not NAME.match(name):
        raise InvalidCommand(
            "A template name is a word of letters, digits and dashes starting with a letter, such as delivery-delay."
        )
    return name


def placeholders(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(PLACEHOLDER.findall(text)))


def parse_values(text: str) -> tuple[tuple[str, str], ...]:
    """`product=Kettle K2 time="18:00"` into (("product", "Kettle K2"), ("time", "18:00")); ValueError if malformed
    or if a key is given twice."""
    text = text.strip()
    keys: list[re.Match[str]] = []
    quoted_until = -1
    for found in _KEY.finditer(text):
        if found.start() < quoted_until:
            continue  # a ` key=` inside a quoted value is part of the value
        keys.append(found)
        closing = _CLOSING.get(text[found.end() : found.end() + 1])
        end = text.find(closing, found.end() + 1) if closing else -1
        quoted_until = end if end != -1 else -1
    if not text:
        return ()
    if not keys or text[: keys[0].start()].strip():
        raise ValueError(text)
    values: list[tuple[str, str]] = []
    for found, following in zip(keys, [*keys[1:], None], strict=True):
        value = text[found.end() : following.start() if following else len(text)].strip()
        if len(value) >= 2 and value[0] + value[-1] in ('""', "''", "“”", "«»", "““", "””"):
            value = value[1:-1].strip()
        values.append((found.group(1), value))
    names = [name for name, _ in values]
    if len(set(names)) != len(names):
        raise ValueError(text)  # `product=K2 … product=K3`: which one the public reads must not be a guess
    return tuple(values)


def approver_roles(person: str, roster: Mapping[str, tuple[str, ...]], roles: tuple[str, ...]) -> tuple[str, ...]:
    """The approving roles the roster gives `person` (first holder or backup: either may sign off in calm times)."""
    return tuple(role for role in roles if person in roster.get(role, ()))


@dataclass
class Template:
    name: str
    language: str
    signoff: SignOff
    # Where it was proposed: its card lives there and is updated in place.
    place: Conversation | None = None
    retired_at: datetime | None = None
    retired_by: str = ""
    # Optimistic concurrency, as for incidents: storage refuses to save over a newer version.
    version: int = 0

    @classmethod
    def propose(
        cls, name: str, text: str, language: str, author: str, at: datetime, roles: tuple[str, ...],
        place: Conversation | None = None,
    ) -> Template:
        name = check_name(name)
        text = clean(text, MAX_TEMPLATE_LENGTH, "template <name> <text>")
        return cls(name, language, SignOff.start("template", name, text, author, at, roles), place)

    @property
    def retired(self) -> bool:
        return self.retired_at is not None

    @property
    def state(self) -> str:
        """A catalog word: retired, approved, pending (no approved version yet), revision pending, rejected."""
        if self.retired:
            return N_("retired")
        if self.signoff.approved_version == self.signoff.version:
            return "approved"
        if self.signoff.approved_version is not None:
            return N_("revision pending") if self.signoff.is_waiting else "approved"
        return self.signoff.state.value

    def revise(self, text: str, language: str, author: str, at: datetime, roles: tuple[str, ...],
               place: Conversation | None = None) -> None:
        if self.retired:
            raise InvalidState("Template {name} is retired; propose it under a new name.", name=self.name)
        self.signoff.revise(clean(text, MAX_TEMPLATE_LENGTH, "template <name> <text>"), author, at, roles)
        self.language = language or self.language
        self.place = place or self.place

    def retire(self, actor: str, held: tuple[str, ...], at: datetime) -> None:
        if self.retired:
            raise InvalidState("Template {name} is already retired.", name=self.name)
        if not held:
            raise NotAuthorized("Only the template approvers ({roles}) can retire a template.",
                                roles=", ".join(self.signoff.required_roles))
        self.retired_at, self.retired_by = at, actor

    def fill(self, values: Mapping[str, str]) -> str:
        """The approved words with every placeholder given; refuses a missing or unknown one, naming it."""
        approved = self.signoff.approved
        if self.retired:
            raise InvalidState("Template {name} is retired.", name=self.name)
        if approved is None:
            raise InvalidState("Template {name} is not approved yet.", name=self.name)
        wanted = placeholders(approved.text)
        unknown = [k for k in values if k not in wanted]
        if unknown:
            raise InvalidCommand("Template {name} has no placeholder {placeholder}; it has: {placeholders}.",
                                 name=self.name, placeholder=unknown[0], placeholders=", ".join(wanted) or "-")
        missing = [k for k in wanted if not values.get(k, "").strip()]
        if missing:
            raise InvalidCommand("Template {name} needs a value for {placeholder}: `use {name} {placeholder}=…`.",
                                 name=self.name, placeholder=missing[0])
        return PLACEHOLDER.sub(lambda m: values[m.group(1)].strip(), approved.text)
