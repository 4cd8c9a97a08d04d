"""Reads lines from standard input, so a scripted session can be piped in and its output checked."""

from __future__ import annotations

import asyncio
import sys
from contextlib import AsyncExitStack

from adapters.console.render import visible
from adapters.console.session import ConsoleSession
from adapters.runtime import Runtime


def _write(line: str) -> None:
    print(line, flush=True)


async def run(runtime: Runtime, person: str, conversation: str, language: str | None = None) -> None:
    session = ConsoleSession(runtime, _write, person, conversation)
    session.language = language
    interactive = sys.stdin.isatty()
    async with AsyncExitStack() as stack:
        await _start_scheduler(runtime, stack)
        if interactive:
            _write(session.t("crisisbot console · type `help` for commands, /help for console commands, /quit to leave"))
        loop = asyncio.get_running_loop()
        while True:
            line = await loop.run_in_executor(None, _read, session.prompt if interactive else "")
            if line is None:
                break
            if not interactive and line.strip():
                # The echo of a scripted line, as every other line printed: its control characters shown, not obeyed.
                _write(visible(f"{session.prompt}{line.strip()}"))
            if not await session.handle(line):
                break


def _read(prompt: str) -> str | None:
    try:
        return input(prompt) if prompt else sys.stdin.readline() or None
    except EOFError:
        return None


async def _start_scheduler(runtime: Runtime, stack: AsyncExitStack) -> None:
    try:
        from adapters.scheduler import Scheduler
    except ImportError:
        return
    scheduler = Scheduler(runtime)
    await scheduler.start()
    stack.push_async_callback(scheduler.stop)
