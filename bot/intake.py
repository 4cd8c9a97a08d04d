"""Group commit for requests written down before their acknowledgement.

Under load, many requests arrive while one write is in progress; they are written together in the next
transaction, so a burst costs a few commits instead of one each (SQLite has a single writer).
"""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta

from bot.ports import AcceptedRequest

# How long a process holds an accepted request without renewing its lease: on PostgreSQL, where other processes
# may be alive, what a crash delays the requests it held. Renewed every third of it while they wait or run.
LEASE = timedelta(seconds=15)


def claimant_token() -> str:
    """Names this process in the inbox (`claimed_by`): host and pid for the operator, a random part to be unique."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

WriteMany = Callable[[Sequence[AcceptedRequest]], list[bool]]


@dataclass
class Intake:
    write_many: WriteMany
    _waiting: list[tuple[AcceptedRequest, asyncio.Future[bool]]] = field(default_factory=list)
    _writer: asyncio.Task[None] | None = None
    # Its own thread: an acknowledgement never queues behind slow work in the shared default pool.
    _thread: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(1, thread_name_prefix="intake"))

    async def accept(self, request: AcceptedRequest) -> bool:
        """True once written down; False for a request id already written (a retried delivery)."""
        return await self.accepting(request)

    def accepting(self, request: AcceptedRequest) -> asyncio.Future[bool]:
        """`accept`'s answer to come, without a task of its own per request."""
        done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._waiting.append((request, done))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_while_waiting())
        return done

    async def _write_while_waiting(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            try:
                requests = [request for request, _ in batch]
                results = await asyncio.get_running_loop().run_in_executor(self._thread, self.write_many, requests)
            except Exception as error:
                for _, done in batch:
                    if not done.done():
                        done.set_exception(error)
                continue
            for (_, done), fresh in zip(batch, results, strict=True):
                if not done.done():
                    done.set_result(fresh)
