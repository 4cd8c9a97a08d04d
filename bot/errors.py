"""Every refusal the core makes. Messages are gettext msgids, translated where the reply is built."""

from __future__ import annotations

from typing import Any


class CrisisError(Exception):
    """A refusal a person can understand; never shown as a traceback."""

    message = "Something went wrong."

    def __init__(self, message: str | None = None, **params: Any) -> None:
        self.msgid = message or self.message
        self.params = params
        super().__init__(self.msgid.format(**params) if params else self.msgid)


class UnknownIncident(CrisisError):
    message = "There is no incident {key}. Try `list`."


class NoIncidentHere(CrisisError):
    message = "No incident lives in this conversation. Give its key first, e.g. `CRI-12 status`, or `open <title>`."


class NotAuthorized(CrisisError):
    message = "You are not allowed to do that."


class InvalidCommand(CrisisError):
    message = "I did not understand that."


class InvalidState(CrisisError):
    message = "That cannot be done now."


class UnknownDraft(CrisisError):
    message = "Incident {key} has no draft #{number}."


class ConcurrentChange(CrisisError):
    message = "Someone changed this incident at the same moment; please try again."
