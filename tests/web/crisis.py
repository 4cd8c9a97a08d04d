"""A crisis in every state, played through the core on a SQLite file, for the dashboard's tests and screenshots."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from adapters.runtime import Runtime, build_runtime
from bot.commands import Origin
from bot.grammar import parse
from bot.replies import Reply
from tests.fakes import FakeClock

SECRET = "test-secret-key-0123456789abcdef"


def environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'crisis.db'}",
        "CRISISBOT_SECRET_KEY": SECRET,
        "CRISISBOT_PUBLIC_URL": "http://127.0.0.1:3000",
        "CRISISBOT_SCHEDULER": "off",
        "CRISISBOT_LANGUAGE": "en",
        **extra,
    }


def runtime_for(env: Mapping[str, str], clock: FakeClock | None = None) -> Runtime:
    return build_runtime(env, clock=clock)


def say(runtime: Runtime, text: str, person: str = "alice", conversation: str = "general",
        language: str | None = None, names: tuple[tuple[str, str], ...] = ()) -> Reply:
    """One message through the core, as a door hands it over (synchronously: no broadcast, no door here)."""
    origin = Origin(person, "console", conversation, language, names=names)
    return runtime.dispatcher.dispatch(parse(text), origin).reply


def play_crisis(runtime: Runtime, clock: FakeClock | None = None) -> None:
    """CRI-1 resolved after drafts, approvals and a publication; CRI-2 monitoring; CRI-3 active, overdue, with a
    draft waiting for legal. Names as a door would tell them, and user text that HTML must escape."""
    def later(minutes: int) -> None:
        if clock is not None:
            clock.advance(minutes=minutes)

    names = (("alice", "Alice Lead"), ("bob", "Bob Comms"), ("carol", "Carol Legal"))
    say(runtime, "open Delivery delays in the north --sev 2", names=names)
    say(runtime, "assign lead @alice")
    say(runtime, "assign comms @bob")
    say(runtime, "assign legal @carol")
    later(10)
    say(runtime, "draft We know parcels are late. Next update by 18:00.", person="alice")
    later(5)
    say(runtime, "approve", person="bob")
    later(7)
    say(runtime, "approve", person="carol")
    later(3)
    say(runtime, "publish 1 X and website", person="bob")
    later(50)
    say(runtime, "update Carrier confirmed <b>48 h</b> delay & a fix", person="alice")
    later(90)
    say(runtime, "resolve Deliveries back to normal", person="alice")
    say(runtime, "open Rumour about a data leak --sev 3", person="dan", conversation="rumour")
    say(runtime, "CRI-2 monitor", person="dan")
    say(runtime, "open Product recall <script>alert(1)</script> --sev 1", person="erin", conversation="recall")
    say(runtime, "CRI-3 assign lead @erin", person="erin")
    say(runtime, "CRI-3 assign comms @bob", person="erin")
    say(runtime, "CRI-3 draft We are recalling batch 42.", person="erin")
    say(runtime, "CRI-3 approve", person="bob")
    later(45)
