"""Display names of Slack users, from `users.info`, cached: cards name the same few people over and over."""

from __future__ import annotations

import logging
import time

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import SLACK_USER

log = logging.getLogger(__name__)


class People:
    def __init__(self, client: AsyncWebClient, ttl: float = 3600.0) -> None:
        self.client = client
        self.ttl = ttl
        self._names: dict[str, tuple[float, str]] = {}

    async def name(self, user: str) -> str:
        cached = self._names.get(user)
        if cached and time.monotonic() - cached[0] < self.ttl:
            return cached[1]
        name = user
        if SLACK_USER.match(user):
            try:
                found = (await self.client.users_info(user=user)).get("user") or {}
                profile = found.get("profile") or {}
                name = profile.get("display_name") or found.get("real_name") or found.get("name") or user
            except SlackApiError as error:
                log.warning("users.info %s failed: %s", user, error.response.get("error"))
        self._names[user] = (time.monotonic(), name)
        return name

    async def names(self, users: set[str]) -> dict[str, str]:
        return {user: await self.name(user) for user in users}
