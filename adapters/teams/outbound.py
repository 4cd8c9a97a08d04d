"""Every call from the bot to the Bot Connector: paced per conversation and retried when Teams throttles.

Teams answers 429 above about 7 messages per second in one conversation, and 412/502/504 when it is briefly
unwell; those calls are retried with exponential backoff (honouring `Retry-After`). Any other error is final.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from botbuilder.schema import (
    Activity,
    ChannelAccount,
    ConversationParameters,
    ConversationReference,
)
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import AuthenticationConstants, BotFrameworkAuthentication, ClaimsIdentity
from msrest.exceptions import HttpOperationError

log = logging.getLogger(__name__)

RETRYABLE = frozenset({412, 429, 502, 504})
TOO_LARGE = 413
MESSAGES_PER_SECOND = 7.0
T = TypeVar("T")


class ConversationPacer:
    """At most `per_second` calls into one conversation within any one-second window."""

    REMEMBERED = 1000

    def __init__(
        self, per_second: float = MESSAGES_PER_SECOND, clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.per_second = max(1, int(per_second))
        self.clock = clock
        self.sleep = sleep
        self._sent: dict[str, deque[float]] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def wait(self, conversation_id: str) -> None:
        if len(self._sent) > self.REMEMBERED:
            self._forget_idle()
        lock = self._locks.setdefault(conversation_id, asyncio.Lock())
        async with lock:
            sent = self._sent.setdefault(conversation_id, deque())
            while True:
                now = self.clock()
                while sent and now - sent[0] >= 1.0:
                    sent.popleft()
                if len(sent) < self.per_second:
                    sent.append(now)
                    return
                await self.sleep(sent[0] + 1.0 - now)

    def _forget_idle(self) -> None:
        """A conversation quiet for a second needs no pacing: forgotten, so memory follows the traffic of the
        last second, not every conversation (or forged conversation id) ever answered."""
        now = self.clock()
        for conversation, sent in list(self._sent.items()):
            lock = self._locks.get(conversation)
            if (not sent or now - sent[-1] >= 1.0) and not (lock and lock.locked()):
                del self._sent[conversation]
                self._locks.pop(conversation, None)


def _status(error: HttpOperationError) -> int | None:
    response = getattr(error, "response", None)
    return getattr(response, "status_code", None)


def _retry_after(error: HttpOperationError) -> float | None:
    headers = getattr(getattr(error, "response", None), "headers", None) or {}
    value = headers.get("Retry-After") or headers.get("retry-after")
    try:
        return min(float(value), 60.0) if value is not None else None
    except ValueError:  # an HTTP date: fall back to our own backoff
        return None


class TooLarge(Exception):
    """Teams refused an activity as too large (413): the door cuts answers to fit, so this should never happen."""

    def __init__(self, what: str, size: int) -> None:
        super().__init__(f"Teams refused {what} of {size} bytes as too large (413)")
        self.size = size


async def with_retries(call: Callable[[], Awaitable[T]], what: str, attempts: int = 5, base_delay: float = 0.5) -> T:
    for attempt in range(1, attempts + 1):
        try:
            return await call()
        except HttpOperationError as error:
            status = _status(error)
            if status not in RETRYABLE or attempt == attempts:
                raise
            delay = _retry_after(error)
            if delay is None:
                delay = base_delay * 2 ** (attempt - 1) + random.uniform(0, base_delay)
            log.warning("Teams answered %s to %s; retry %d in %.1fs", status, what, attempt, delay)
            await asyncio.sleep(delay)
    raise AssertionError("unreachable")


class Connector:
    """The Bot Connector as the door uses it: send, reply, update, look up a member, open a 1:1 chat."""

    def __init__(
        self, auth: BotFrameworkAuthentication, app_id: str, pacer: ConversationPacer | None = None,
        base_delay: float = 0.5,
    ) -> None:
        claims = ClaimsIdentity(
            {AuthenticationConstants.AUDIENCE_CLAIM: app_id, AuthenticationConstants.APP_ID_CLAIM: app_id}, True
        )
        self._factory = auth.create_connector_factory(claims)
        self._audience = auth.get_originating_audience()
        self.pacer = pacer or ConversationPacer()
        self.base_delay = base_delay
        self._clients: dict[str, ConnectorClient] = {}

    async def _client(self, service_url: str) -> ConnectorClient:
        if service_url not in self._clients:
            self._clients[service_url] = await self._factory.create(service_url, self._audience)
        return self._clients[service_url]

    async def close(self) -> None:
        for client in self._clients.values():
            await client.__aexit__(None, None, None)
        self._clients.clear()

    async def send(self, reference: ConversationReference, activity: Activity, reply_to: str | None = None) -> str | None:
        activity = address(activity, reference)
        client = await self._client(reference.service_url)
        conversation_id = reference.conversation.id
        await self.pacer.wait(conversation_id)
        if reply_to:
            activity.reply_to_id = reply_to
            response = await self._retry(
                lambda: client.conversations.reply_to_activity(conversation_id, reply_to, activity), "a reply", activity)
        else:
            response = await self._retry(
                lambda: client.conversations.send_to_conversation(conversation_id, activity), "a post", activity)
        return response.id if response is not None else None

    async def update(self, reference: ConversationReference, activity_id: str, activity: Activity) -> None:
        activity = address(activity, reference)
        activity.id = activity_id
        client = await self._client(reference.service_url)
        conversation_id = reference.conversation.id
        await self.pacer.wait(conversation_id)
        await self._retry(
            lambda: client.conversations.update_activity(conversation_id, activity_id, activity), "an update", activity)

    async def member(self, reference: ConversationReference, member_id: str) -> ChannelAccount:
        client = await self._client(reference.service_url)
        return await self._retry(
            lambda: client.conversations.get_conversation_member(reference.conversation.id, member_id), "a member lookup")

    async def open_personal_chat(self, reference: ConversationReference, teams_user_id: str) -> str:
        """A 1:1 chat with someone the bot met elsewhere (same tenant); returns its conversation id."""
        tenant = reference.conversation.tenant_id
        parameters = ConversationParameters(
            is_group=False, bot=reference.bot, members=[ChannelAccount(id=teams_user_id)], tenant_id=tenant,
            channel_data={"tenant": {"id": tenant}} if tenant else None,
        )
        client = await self._client(reference.service_url)
        result = await self._retry(lambda: client.conversations.create_conversation(parameters), "a new 1:1 chat")
        return str(result.id)

    async def _retry(self, call: Callable[[], Awaitable[Any]], what: str, activity: Activity | None = None) -> Any:
        try:
            return await with_retries(call, what, base_delay=self.base_delay)
        except HttpOperationError as error:
            if _status(error) == TOO_LARGE:
                size = len(json.dumps(activity.serialize() if activity else {}).encode())
                raise TooLarge(what, size) from None
            raise


def address(activity: Activity, reference: ConversationReference) -> Activity:
    activity.channel_id = reference.channel_id
    activity.service_url = reference.service_url
    activity.conversation = reference.conversation
    activity.from_property = reference.bot
    activity.recipient = None
    return activity
