"""What the incident's rules read from the configuration, and nothing more.

`bot.config.Settings` is one (structurally: mypy checks it wherever settings are handed to the model), so
the aggregate does not depend on how the configuration is read, and a test can hand it a policy of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Protocol


class Policy(Protocol):
    # Read-only: the model never changes its configuration (and Settings is frozen).
    @property
    def roles(self) -> tuple[str, ...]: ...

    @property
    def roster(self) -> Mapping[str, tuple[str, ...]]:
        """Who takes each role when an incident opens: the first person of each list."""

    @property
    def timezone(self) -> str:
        """The zone in which spoken times ("by 3pm") are read."""

    @property
    def key_prefix(self) -> str: ...

    @property
    def missed_checkins_before_escalation(self) -> int: ...

    def role(self, word: str) -> str | None:
        """The canonical role a user typed, in any language, or None."""

    def checkin_interval(self, severity: int, monitoring: bool = False) -> timedelta: ...

    def required_roles(self, severity: int) -> tuple[str, ...]:
        """Roles whose approval a public reply needs at this severity."""
