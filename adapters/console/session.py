"""A terminal chat: `/as <person>` and `/in <conversation>` let one person act out every role."""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Sequence
from pathlib import Path

from adapters.console.render import Controls, plain, reply_text, visible
from adapters.runtime import Runtime
from bot.commands import Origin
from bot.grammar import parse
from bot.i18n import LANGUAGES, N_, Translator, translator
from bot.model import Incident
from bot.replies import Button, Card, File, Picker, Reply, Room

HELP = N_("""console commands:
  /as <person>        speak as someone else (e.g. /as carol)
  /in <conversation>  move to another conversation (e.g. /in press-room)
  /click N [text]     press button N (text answers what it asks; for a picker, the choice: @carol or 2)
  /lang en|fr         language of the replies
  /quit               leave
anything else is a crisisbot command; try `help`.""")

# Console commands in French too, as the help in French shows them.
CONSOLE_VERBS = {
    "as": "as", "comme": "as",
    "in": "in", "dans": "in",
    "click": "click", "clic": "click",
    "lang": "lang", "langue": "lang",
    "quit": "quit", "exit": "quit", "q": "quit", "quitter": "quit",
    "crisis": "crisis",
}
# The line of HELP each console command is explained on: a malformed one answers with its own line, in the
# session's language, as a malformed crisisbot command answers with its usage.
HELP_LINE = {"as": 1, "in": 2, "click": 3, "lang": 4}
# A person or a conversation is one name, as the grammar reads a person (`@carol`, `U07`, `press-room`), or for a
# person a work e-mail address, lowercased as the grammar does (`assign legal lina@acme.com`).
_NAME = re.compile(r"^[\w.\-]+$")
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


def person_named(typed: str) -> str | None:
    """The person `/as` (or `crisisbot console --as`) names, or None for anything that names nobody."""
    person = plain(typed.strip()).removeprefix("@")
    if _EMAIL.match(person) and person.isprintable():
        return person.lower()
    return person if _NAME.match(person) else None


def conversation_named(typed: str) -> str | None:
    conversation = typed.strip().removeprefix("#")
    return conversation if _NAME.match(conversation) else None


class ConsoleGateway:
    """Where the core's broadcasts land in a terminal: printed, tagged with their conversation."""

    platform = "console"

    def __init__(self, write: Callable[[str], None], controls: Controls, t: Callable[[], Translator]) -> None:
        self.write = write
        self.controls = controls
        # The session's language at the moment something is printed (`/lang` changes it).
        self.t = t
        self.refs = 0

    def _print(self, header: str, lines: Sequence[str]) -> None:
        self.write(header)
        for line in lines:
            self.write(f"  {line}")

    async def post(self, conversation: str, reply: Reply) -> str | None:
        self.refs += 1
        self._print(f"[#{conversation}]", reply_text(reply, self.controls, self.t()))
        return f"console-{self.refs}"

    async def update(self, conversation: str, message_ref: str, card: Card) -> None:
        t = self.t()
        self._print(f"[#{conversation}] {t('(card updated)')}", reply_text(Reply(cards=(card,)), self.controls, t))

    async def notify(self, person: str, reply: Reply) -> None:
        t = self.t()
        self._print(t("[direct message to @{person}]", person=person), reply_text(reply, self.controls, t))

    async def open_room(self, incident: Incident, members: Sequence[str]) -> Room | None:
        return None  # in the console a crisis lives where it was opened


def save_file(file: File, folder: Path) -> Path:
    """Writes a file answered by the core; only its base name is used, so it cannot land outside `folder`."""
    path = folder / Path(file.name).name
    path.write_text(file.content, encoding="utf-8")
    return path


class ConsoleSession:
    def __init__(
        self, runtime: Runtime, write: Callable[[str], None], person: str = "me", conversation: str = "general"
    ) -> None:
        self.runtime = runtime
        self.write: Callable[[str], None] = lambda line: write(visible(line))
        self.person = person
        self.conversation = conversation
        self.language: str | None = None
        # Files the core answers with (reports) land here: the folder the console was started in.
        self.folder = Path.cwd()
        self.controls = Controls()
        runtime.add_gateway(ConsoleGateway(self.write, self.controls, lambda: self.t))

    @property
    def t(self) -> Translator:
        return translator(self.language or self.runtime.settings.language)

    @property
    def prompt(self) -> str:
        return f"{self.person}@{self.conversation}> "

    async def handle(self, line: str) -> bool:
        """Runs one line; False when the person asked to quit."""
        line = line.strip()
        if not line:
            return True
        if line.startswith("/"):
            word, _, rest = line[1:].partition(" ")
            verb = CONSOLE_VERBS.get(word.lower(), "")
            action = {"as": self._as, "in": self._in, "click": self._click, "lang": self._lang}.get(verb)
            if verb == "quit":
                return False
            if verb == "crisis":
                # Slack habits: "/crisis open ..." works here too.
                await self.say(rest)
                return True
            if action is None:
                self.write(self.t(HELP))
                return True
            await action(rest.strip())
            return True
        await self.say(line)
        return True

    async def say(self, text: str) -> None:
        origin = Origin(self.person, "console", self.conversation, self.language)
        reply = await self.runtime.service.handle(parse(text), origin)
        # One person at a terminal, no rate limit to respect: every card as this command left it, before the reply.
        await self.runtime.service.drain()
        for out in reply_text(reply, self.controls, self.t):
            self.write(out)
        if reply.file is not None:
            try:
                self.write(f"→ {save_file(reply.file, self.folder)}")
            except OSError as error:
                # A folder without room or rights, a directory in the way: said, and the session goes on.
                name = Path(reply.file.name).name
                self.write(self.t(
                    "I could not upload {name} here ({reason}). `crisisbot export {key} --out {name}` writes it on the "
                    "server.", name=name, reason=error.strerror or error, key=reply.incident or "",
                ))

    def _usage(self, verb: str) -> None:
        self.write(self.t(HELP).splitlines()[HELP_LINE[verb]].strip())

    async def _as(self, who: str) -> None:
        if not who:
            self.write(self.t("speaking as @{person}", person=self.person))
            return
        person = person_named(who)
        if person is None:
            self._usage("as")
            return
        self.person = person
        self.write(self.t("now speaking as @{person}", person=self.person))

    async def _in(self, where: str) -> None:
        if not where:
            self.write(self.t("in #{conversation}", conversation=self.conversation))
            return
        conversation = conversation_named(where)
        if conversation is None:
            self._usage("in")
            return
        self.conversation = conversation
        self.write(self.t("now in #{conversation}", conversation=self.conversation))

    async def _lang(self, language: str) -> None:
        # Alone, it says the language, as `/as` and `/in` say who and where; an unknown one changes nothing.
        if language and language.lower() not in LANGUAGES:
            self._usage("lang")
            return
        if language:
            self.language = language.lower()
        self.write(self.t("language: {language}", language=self.t.language))

    async def _click(self, rest: str) -> None:
        try:
            words = shlex.split(rest)
        except ValueError:
            words = rest.split()
        number = words[0] if words else ""
        # ASCII digits only: str.isdigit also takes "¹" (which int() refuses) and "٣" (which no button shows).
        control = self.controls.shown.get(int(number)) if number.isascii() and number.isdigit() else None
        if control is None:
            self.write(self.t("no such button; use the number shown in brackets, e.g. /click 3"))
            return
        answer = rest[len(number) :].strip()
        if isinstance(control, Picker):
            if control.options:
                by_label = {label: value for label, value in control.options}
                answer = by_label.get(answer, answer)
            if not answer:
                choices = ", ".join(v for _, v in control.options) or self.t("@person")
                self.write(self.t("choose: /click {number} <{choices}>", number=number, choices=choices))
                return
        elif isinstance(control, Button) and control.ask and not answer:
            self.write(self.t("{question} (answer with: /click {number} <text>)", question=control.ask, number=number))
            return
        elif isinstance(control, Button) and control.confirm:
            # Slack and Teams ask before resolving or discarding; so does the console, with a button of its own that
            # runs the very command: a mistyped number must not resolve a crisis.
            confirmed = Button(self.t("Confirm"), f"{control.command} {answer}".strip(), style=control.style)
            self.write(f"{control.confirm}  [{self.controls.number(confirmed)}] {confirmed.label}")
            return
        await self.say(f"{control.command} {answer}".strip())
