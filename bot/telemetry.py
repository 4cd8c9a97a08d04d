"""What the core tells the operator's tools: which request and incident a log line belongs to, and a count per command.

Context variables rather than arguments: a log line deep in a handler or a worker thread (`asyncio.to_thread` copies
the context) carries them without every function passing them on. The doors and the service set them; the log
formatter (`adapters.log_format`) reads them. Nothing here does I/O.
"""

from __future__ import annotations

from contextvars import ContextVar

from bot.commands import Command, Origin

# The delivery a log line is about: the platform's request id, or the id the server gave the HTTP request.
request_id: ContextVar[str | None] = ContextVar("crisisbot_request_id", default=None)
# The incident a log line is about, once known.
incident_key: ContextVar[str | None] = ContextVar("crisisbot_incident_key", default=None)


def about(command: Command, origin: Origin) -> None:
    """Binds the current task or thread to this command's delivery and incident, until the next command.

    A thread started with `asyncio.to_thread` works on a copy of its task's context, so what it binds stays there.
    """
    if origin.request_id:
        # The platform's delivery id: the same across its retries, and the key of the inbox and request log rows.
        request_id.set(origin.request_id)
    named = getattr(command, "incident", None)
    incident_key.set(named if isinstance(named, str) else None)


def about_incident(key: str | None) -> None:
    """The incident a command turned out to be about (one it opened, or the conversation's)."""
    if key:
        incident_key.set(key)


class NoMeter:
    """The command meter when nobody measures (`bot.ports.CommandMeter`)."""

    def command(self, name: str, outcome: str) -> None:
        pass
