"""Approval reminders skip a draft's author, and say who else could approve when the author is the only holder."""

from bot import events as ev
from bot.config import Settings
from tests.scheduler.crisis import Crisis

ROSTER = {"lead": ("lea",), "comms": ("bob", "bert"), "legal": ("carol",)}


def opened(settings: Settings) -> Crisis:
    crisis = Crisis(settings)
    crisis.say("open Wave of complaints --sev 2", person="rita")
    return crisis


def posted(crisis: Crisis) -> list[str]:
    return [s.reply.text for s in crisis.gateway.posts if s.reply is not None and s.reply.text]


def test_the_author_is_not_reminded_to_approve_their_own_draft() -> None:
    crisis = opened(Settings(roster=ROSTER))
    crisis.say("draft We are aware of the delays.", person="bob")  # bob holds comms, which the draft needs
    crisis.wake(minutes=30)
    assert [p for p, _ in crisis.direct()] == ["carol"]
    [fact] = [e.event for e in crisis.incident().timeline if isinstance(e.event, ev.ApprovalReminderSent)]
    assert fact.people == ("carol",)
    crisis.wake(minutes=30)  # escalation: backups are asked, still never the author
    assert "bob" not in [p for p, _ in crisis.direct()]
    assert "bert" in [p for p, _ in crisis.direct()]


def test_the_channel_is_told_which_backup_could_approve_instead_of_the_author() -> None:
    crisis = opened(Settings(roster=ROSTER))
    crisis.say("draft We are aware of the delays.", person="bob")
    crisis.wake(minutes=30)
    [told] = [text for text in posted(crisis) if "wrote the draft" in text]
    assert told == (
        "CRI-1 · draft #1 has waited 30m for approval by comms, but <@bob> holds it and wrote the draft. "
        "Backups who could approve: <@bert>; the lead can assign one of them."
    )


def test_without_a_backup_the_channel_is_told_to_assign_a_new_holder() -> None:
    crisis = opened(Settings(roster={"lead": ("lea",), "comms": ("bob",), "legal": ("carol",)}))
    crisis.say("draft We are aware of the delays.", person="bob")
    crisis.wake(minutes=30)
    [told] = [text for text in posted(crisis) if "wrote the draft" in text]
    assert "Nobody else can approve it: the lead should assign a new holder." in told


def test_no_such_message_when_someone_else_holds_every_missing_role() -> None:
    crisis = opened(Settings(roster=ROSTER))
    crisis.say("draft We are aware of the delays.", person="lea")
    crisis.wake(minutes=30)
    assert not [text for text in posted(crisis) if "wrote the draft" in text]
    assert sorted(p for p, _ in crisis.direct()) == ["bob", "carol"]
