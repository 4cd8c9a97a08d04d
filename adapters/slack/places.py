"""What people call a Slack conversation ("Slack › #crisis-cri-1-outage"), for timeline facts that name it.

Slack tells a channel's name only sometimes: in slash commands (`channel_name`) and in most clicks
(`channel.name`), never in mention events; the bot knows the names of the crisis channels it creates. A name
learned once is kept for the requests that do not tell it, and a crisis channel's name is written to the people
and places directory at once, so a timeline asked for anywhere names it. What is never told is left to the core,
which calls it "a Slack channel": never an id.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from adapters.recent import Bounded
from adapters.runtime import Runtime
from bot.i18n import Translator

log = logging.getLogger(__name__)

SEPARATOR = " › "
# Channel names are at most 80 characters; anything longer did not come from Slack.
LONGEST_NAME = 80
# What slash commands give as `channel_name` where a conversation has no name of its own.
_PLACEHOLDERS = frozenset({"directmessage", "privategroup"})

Remember = Callable[[str, str], Awaitable[None]]


class Places:
    def __init__(self, size: int = 10_000) -> None:
        # Keyed by channel ids that come with requests: bounded, or it would grow with every id ever sent.
        self._names: Bounded[str, str] = Bounded(size)
        self.remember: Remember | None = None

    def learn(self, channel: str, name: object) -> None:
        """A channel's name as a payload told it (anything else, or a placeholder, is ignored)."""
        if not isinstance(name, str) or not channel or len(name) > LONGEST_NAME or name in _PLACEHOLDERS:
            return
        if cleaned := " ".join(name.split()):
            self._names[channel] = cleaned

    async def created(self, channel: str, name: str) -> None:
        """A crisis channel the bot created: remembered here and in the directory (a failure costs only its name)."""
        self.learn(channel, name)
        if self.remember is None:
            return
        try:
            await self.remember(channel, self._place(name))
        except Exception:
            log.exception("could not remember the name of Slack channel %s", channel)

    def name(self, channel: str, t: Translator) -> str | None:
        """`Slack › #general`, `Slack › a direct message`, or None when unknown."""
        if known := self._names.get(channel):
            return self._place(known)
        if channel.startswith("D"):  # direct messages have ids starting with D, and no name
            return SEPARATOR.join(["Slack", t("a direct message")])
        return None

    @staticmethod
    def _place(name: str) -> str:
        return f"Slack{SEPARATOR}#{name}"


def remember_in(runtime: Runtime) -> Remember:
    """Writes a conversation's name to the directory the core reads names from (people and places alike)."""

    def write(conversation: str, name: str) -> None:
        with runtime.dispatcher.uow_factory() as uow:
            uow.people.remember({conversation: name})
            uow.commit()

    async def remember(conversation: str, name: str) -> None:
        await asyncio.to_thread(write, conversation, name)

    return remember
