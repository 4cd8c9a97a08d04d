"""Display names and languages of Slack users, from `users.info`, cached: the same few people act over and over."""

from __future__ import annotations

import logging
import time

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import SLACK_USER
from bot.i18n import LANGUAGES

log = logging.getLogger(__name__)


class People:
    def __init__(self, client: AsyncWebClient, ttl: float = 3600.0) -> None:
        self.client = client
        self.ttl = ttl
        self._known: dict[str, tuple[float, str, str | None]] = {}

    async def name(self, user: str) -> str:
        return (await self._lookup(user))[0]

    async def language(self, user: str) -> str | None:
        """The person's language if crisisbot speaks it (Slack tells it as a locale such as `fr-FR`), else None."""
        return (await self._lookup(user))[1]

    def known_language(self, user: str) -> str | None:
        """The language already known, without asking Slack (for answers that cannot wait)."""
        known = self._known.get(user)
        return known[2] if known else None

    async def _lookup(self, user: str) -> tuple[str, str | None]:
        cached = self._known.get(user)
        if cached and time.monotonic() - cached[0] < self.ttl:
            return cached[1], cached[2]
        name, language = user, None
        if SLACK_USER.match(user):
            try:
                found = (await self.client.users_info(user=user, include_locale=True)).get("user") or {}
                profile = found.get("profile") or {}
                name = profile.get("display_name") or found.get("real_name") or found.get("name") or user
                language = str(found.get("locale") or "")[:2].lower() or None
                language = language if language in LANGUAGES else None
            except SlackApiError as error:
                # Names and languages are a comfort: without them, ids and the configured language still work.
                log.warning("users.info %s failed: %s", user, getattr(error.response, "status_code", "?"))
        self._known[user] = (time.monotonic(), name, language)
        return name, language

    async def names(self, users: set[str]) -> dict[str, str]:
        return {user: await self.name(user) for user in users}
