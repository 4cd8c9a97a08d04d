"""What the frontline may say during an incident: approved answers to the questions people ask, and the moderation
line (what to hide, what to answer, what never to delete). Each is signed off four-eyes (`bot.signoff`) by the roles
of CRISISBOT_ANSWER_APPROVERS held in the incident; a revision waits for approval while the approved one stays shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.errors import CrisisError
from bot.i18n import N_
from bot.signoff import SignOff, clean

MAX_ANSWER_LENGTH = 1500
MAX_QUESTION_LENGTH = 300
# What the brief lists of what changed: a kind, and for an answer its question (shown as typed).
Change = tuple[str, str]


class UnknownAnswer(CrisisError):
    message = N_("This incident has no answer #{number}.")


@dataclass
class Answer:
    number: int
    # The question of each version, by position: a revision may word the question better too.
    questions: list[str]
    signoff: SignOff

    @property
    def question(self) -> str:
        return self.questions[-1]

    def approved_question(self) -> str:
        version = self.signoff.approved_version
        return self.questions[version - 1] if version else self.question


@dataclass
class Frontline:
    """The frontline material of one incident (`incident`: its number), saved whole like a small aggregate."""

    incident: int
    answers: list[Answer] = field(default_factory=list)
    line: SignOff | None = None
    # What the latest brief change was, and when: the brief shows it so agents see what is new.
    changed: list[Change] = field(default_factory=list)
    changed_at: datetime | None = None
    # Whether a brief went out to the frontline channels: a resolution then tells them it stops changing.
    posted: bool = False
    version: int = 0

    def answer(self, number: int) -> Answer:
        for answer in self.answers:
            if answer.number == number:
                return answer
        raise UnknownAnswer(number=number)

    def propose_answer(
        self, question: str, text: str, author: str, at: datetime, roles: tuple[str, ...], number: int | None = None
    ) -> Answer:
        """A new answer, or a revision of answer `number` (or of the one asked the same question)."""
        question = clean(question, MAX_QUESTION_LENGTH, "answer <question> | <answer>")
        text = clean(text, MAX_ANSWER_LENGTH, "answer <question> | <answer>")
        if number is None:
            number = next((a.number for a in self.answers if a.question.casefold() == question.casefold()), None)
        if number is not None:
            found = self.answer(number)
            found.signoff.revise(text, author, at, roles)
            found.questions.append(question)
            return found
        number = max((a.number for a in self.answers), default=0) + 1
        created = Answer(number, [question], SignOff.start("answer", str(number), text, author, at, roles))
        self.answers.append(created)
        return created

    def propose_line(self, text: str, author: str, at: datetime, roles: tuple[str, ...]) -> SignOff:
        text = clean(text, MAX_ANSWER_LENGTH, "line <text>")
        if self.line is None:
            self.line = SignOff.start("line", "", text, author, at, roles)
        else:
            self.line.revise(text, author, at, roles)
        return self.line

    def approved_answers(self) -> list[Answer]:
        return [a for a in self.answers if a.signoff.approved is not None]

    @property
    def has_items(self) -> bool:
        return bool(self.approved_answers()) or (self.line is not None and self.line.approved is not None)

    def note_change(self, changes: list[Change], at: datetime) -> None:
        self.changed, self.changed_at = list(changes), at
