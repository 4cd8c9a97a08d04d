"""Every refusal the core makes. Messages are gettext msgids, translated where the reply is built."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.i18n import Translator

# Parameters that carry catalog words (a draft's state, an incident's status, role names, a comma-separated list
# of roles) rather than what someone typed: they are shown in the reader's language like the message itself.
TRANSLATED_PARAMS = ("state", "status", "role", "roles")


class CrisisError(Exception):
    """A refusal a person can understand; never shown as a traceback."""

    message = "Something went wrong."

    def __init__(self, message: str | None = None, **params: Any) -> None:
        self.msgid = message or self.message
        self.params = params
        super().__init__(self.msgid.format(**params) if params else self.msgid)

    def text(self, t: Translator) -> str:
        """The refusal in the reader's language, its state and role names included (a word someone typed, such
        as an unknown role, stays as typed)."""
        from bot.catalog import DYNAMIC  # the catalog reads the errors: imported late to avoid a cycle

        def term(word: str) -> str:
            return t(word) if word in DYNAMIC else word

        params = {
            name: ", ".join(term(word) for word in str(value).split(", ")) if name in TRANSLATED_PARAMS else value
            for name, value in self.params.items()
        }
        return t(self.msgid, **params)


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


class UnknownAlert(CrisisError):
    message = "There is no signal alert #{number}."
