"""Checking a request's token without holding up the server.

The SDK fetches the Bot Framework's signing keys with blocking `requests` calls that have no timeout: on the first
token it checks, at least daily after, and after every failed fetch. Run on the event loop, a slow or unreachable key
server froze every door (Slack, the dashboard) for as long as the fetch took, minutes when packets are dropped. So
each check runs on a thread of its own, with its own event loop; a few at a time, and each waited for only so long.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

T = TypeVar("T")

# Seconds a request waits for its token to be checked; Teams gives up on an answer after 15.
CHECK_TIMEOUT = 10.0
# Checks running at once: a thread stuck on an unreachable key server keeps its place until the fetch gives up.
MAX_CHECKS = 4


class CheckTimedOut(Exception):
    """The token could not be checked in time (the key server is slow or unreachable)."""


class TokenChecks:
    def __init__(self, limit: int = MAX_CHECKS) -> None:
        self._places = asyncio.Semaphore(limit)

    async def run(self, check: Callable[[], Awaitable[T]]) -> T:
        """The result of `check()`, run on an event loop of its own thread, or CheckTimedOut."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[T] = loop.create_future()

        def settle(outcome: Callable[[Any], None], value: object) -> None:
            if not done.done():  # not given up on meanwhile
                outcome(value)

        def work() -> None:
            try:
                result = asyncio.run(_awaited(check))
            except BaseException as error:  # handed to the waiting request, whatever it is
                _call_soon(loop, settle, done.set_exception, error)
            else:
                _call_soon(loop, settle, done.set_result, result)
            finally:
                _call_soon(loop, self._places.release)

        try:
            async with asyncio.timeout(CHECK_TIMEOUT):
                await self._places.acquire()
                threading.Thread(target=work, name="teams-token-check", daemon=True).start()
                return await done
        except TimeoutError:
            raise CheckTimedOut(f"the token could not be checked within {CHECK_TIMEOUT:g} s") from None


async def _awaited(check: Callable[[], Awaitable[T]]) -> T:
    return await check()


def _call_soon(loop: asyncio.AbstractEventLoop, callback: Callable[..., None], *args: object) -> None:
    with contextlib.suppress(RuntimeError):  # the server stopped meanwhile: nobody waits for this check any more
        loop.call_soon_threadsafe(callback, *args)
