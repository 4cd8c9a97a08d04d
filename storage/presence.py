"""Which claimants are alive, on PostgreSQL: each holds a session advisory lock on a connection of its own.

The lock lives as long as the claimant's process (a process killed with SIGKILL closes its socket, and the
server drops its session and locks at once), so another process can tell the requests of a dead holder from
those of a live one without waiting for leases to lapse. Leases stay the fallback: where the lock cannot be
held (say, a pooler in transaction mode), requests are still freed when their lease lapses.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy import Connection, Engine, TextClause, event, text

log = logging.getLogger(__name__)

NAMESPACE = 0x696E_6278  # "inbx": the first key of every presence lock
# A row's holder is gone when no session holds its lock (advisory locks show their two int4 keys as oids).
HOLDER_GONE: TextClause = text(
    "NOT EXISTS (SELECT 1 FROM pg_locks AS presence WHERE presence.locktype = 'advisory' AND presence.granted"
    f" AND presence.classid = {NAMESPACE} AND presence.objsubid = 2"
    " AND presence.objid::bigint = (hashtext(inbox.claimed_by)::bigint & 4294967295)"
    " AND presence.database = (SELECT oid FROM pg_database WHERE datname = current_database()))"
)

_held: dict[tuple[int, str], Connection] = {}
_guard = threading.Lock()


def ensure_alive(engine: Engine, claimant: str) -> None:
    """Makes `claimant` visibly alive for as long as this process and `engine` live (once; later calls are free)."""
    if engine.dialect.name != "postgresql" or (id(engine), claimant) in _held:
        return
    with _guard:
        if (id(engine), claimant) in _held:
            return
        connection = engine.connect()
        lock = text("SELECT pg_try_advisory_lock(:ns, hashtext(:claimant))")
        got = connection.execute(lock, {"ns": NAMESPACE, "claimant": claimant}).scalar_one()
        connection.commit()  # the lock is the session's, not the transaction's: it outlives this commit
        if not got:
            log.warning("presence lock for %s is taken (hash collision?): its requests wait for their leases", claimant)
        if not any(key[0] == id(engine) for key in _held):
            event.listen(engine, "engine_disposed", lambda _: leave_all(engine))
        _held[(id(engine), claimant)] = connection


def leave(engine: Engine, claimant: str) -> None:
    """Ends the claimant's presence, as its death would: its requests are free for others at once."""
    with _guard:
        connection = _held.pop((id(engine), claimant), None)
    if connection is not None:
        connection.invalidate()  # closes the session itself: returned to the pool, it would keep the lock
        connection.close()


def leave_all(engine: Engine) -> None:
    for engine_id, claimant in list(_held):
        if engine_id == id(engine):
            leave(engine, claimant)
