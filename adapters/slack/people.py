"""Who Slack users are, from `users.info`, cached: display name, language and time zone of the same few people.

Also who an e-mail address is (`users.lookupByEmail`, scope `users:read.email`), for CRISISBOT_NOTIFY's addresses.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.recent import Bounded
from adapters.slack.markup import SLACK_USER
from bot.i18n import LANGUAGES

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Profile:
    name: str
    # Only what crisisbot can use: a language it speaks, an IANA time zone; None means "the configured one".
    language: str | None = None
    timezone: str | None = None
    # The work e-mail address (scope users:read.email): the same person on another platform has it too.
    email: str | None = None


class EmailLookups(Protocol):
    """Where e-mail addresses Slack told are kept (per workspace) beyond this process: `storage.people`."""

    def get(self, platform: str, workspace: str, account: str) -> tuple[str | None, datetime] | None: ...

    def put(self, platform: str, workspace: str, account: str, email: str | None, at: datetime) -> None: ...


# An address kept in SQL is trusted this long before users.info is asked again (people rarely change address).
EMAIL_KEPT = timedelta(days=1)
# After a network failure, users.info is asked again this many seconds later.
ASK_AGAIN_AFTER = 60.0


class People:
    def __init__(self, client: AsyncWebClient, client_for: Callable[[str], Awaitable[AsyncWebClient]] | None = None,
                 ttl: float = 3600.0, lookups: EmailLookups | None = None,
                 team_of: Callable[[str], Awaitable[str]] | None = None) -> None:
        self.client = client
        # E-mail addresses in SQL, by workspace (`team_of` a user; "" with one workspace).
        self.lookups = lookups
        self.team_of = team_of
        # With several workspaces installed, a person is looked up with their own workspace's bot token.
        self.client_for = client_for
        self.ttl = ttl
        self._known: dict[str, tuple[float, Profile]] = Bounded(5_000)
        # e-mail address -> (when asked, user id or None when Slack knew nobody by it)
        self._emails: dict[str, tuple[float, str | None]] = Bounded(1_000)

    async def name(self, user: str) -> str:
        return (await self.profile(user)).name

    async def language(self, user: str) -> str | None:
        return (await self.profile(user)).language

    def known_language(self, user: str) -> str | None:
        """The language already known, without asking Slack (for answers that cannot wait)."""
        known = self._known.get(user)
        return known[1].language if known else None

    async def profile(self, user: str) -> Profile:
        cached = self._known.get(user)
        if cached and time.monotonic() - cached[0] < self.ttl:
            return cached[1]
        found = Profile(user)
        if SLACK_USER.match(user):
            try:
                client = await self.client_for(user) if self.client_for else self.client
                info = (await client.users_info(user=user, include_locale=True)).get("user") or {}
                details = info.get("profile") or {}
                language = str(info.get("locale") or "")[:2].lower()
                found = Profile(
                    name=details.get("display_name") or info.get("real_name") or info.get("name") or user,
                    language=language if language in LANGUAGES else None,
                    timezone=info.get("tz") or None,
                    email=str(details.get("email") or "").strip().lower() or None,
                )
            except SlackApiError as error:
                # A comfort, not a need: without it, ids, the configured language and time zone still work.
                log.warning("users.info %s failed: %s", user, getattr(error.response, "status_code", "?"))
            except (aiohttp.ClientError, TimeoutError) as error:
                # The network, not Slack: the answer goes on without the profile, which is asked again in a minute
                # (not at once: one answer may name the same people many times).
                log.warning("users.info %s failed: %s", user, type(error).__name__)
                self._known[user] = (time.monotonic() - self.ttl + ASK_AGAIN_AFTER, found)
                return found
        self._known[user] = (time.monotonic(), found)
        if self.lookups is not None and found.email:
            await self._keep_email(user, found.email)
        return found

    async def _team(self, user: str) -> str:
        return await self.team_of(user) if self.team_of else ""

    async def _keep_email(self, user: str, email: str) -> None:
        assert self.lookups is not None
        try:
            await asyncio.to_thread(self.lookups.put, "slack", await self._team(user), user, email, datetime.now(UTC))
        except Exception:  # a cache: the address is known in this process all the same
            log.exception("could not keep the e-mail address of %s", user)

    async def email(self, user: str) -> str | None:
        """The user's work e-mail address: from this process's profiles, else from SQL, else from users.info."""
        cached = self._known.get(user)
        if cached and time.monotonic() - cached[0] < self.ttl:
            return cached[1].email
        if self.lookups is not None:
            try:
                kept = await asyncio.to_thread(self.lookups.get, "slack", await self._team(user), user)
            except Exception:
                log.exception("could not read the kept e-mail address of %s", user)
                kept = None
            if kept is not None and kept[0] and datetime.now(UTC) - kept[1] < EMAIL_KEPT:
                return kept[0]
        return (await self.profile(user)).email

    async def emails(self, users: set[str]) -> tuple[tuple[str, str], ...]:
        """(user, e-mail address) of those whose address Slack tells."""
        found = [(user, await self.email(user)) for user in sorted(users) if SLACK_USER.match(user)]
        return tuple((user, email) for user, email in found if email)

    async def names(self, users: set[str]) -> dict[str, str]:
        return {user: await self.name(user) for user in users}

    async def user_by_email(self, email: str) -> str | None:
        """The user id Slack knows this address by; None while nobody in the workspace has it (asked again after
        `ttl`: they may join later)."""
        email = email.strip().lower()
        cached = self._emails.get(email)
        if cached and time.monotonic() - cached[0] < self.ttl:
            return cached[1]
        user: str | None = None
        try:
            user = ((await self.client.users_lookupByEmail(email=email)).get("user") or {}).get("id") or None
        except SlackApiError as error:
            code = error.response.get("error") if error.response is not None else "?"
            if code != "users_not_found":
                # Not an answer about the person (a missing scope, a network fault): asked again next time.
                log.warning("users.lookupByEmail failed: %s", code)
                return None
        self._emails[email] = (time.monotonic(), user)
        return user

    def nobody_has(self, email: str) -> bool:
        """Slack said no member has this address (rather than refusing to say)."""
        cached = self._emails.get(email.strip().lower())
        return cached is not None and cached[1] is None
