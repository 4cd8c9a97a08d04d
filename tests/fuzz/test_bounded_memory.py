"""What the doors keep per delivery id or conversation id (chosen by the sender) stays bounded."""

from __future__ import annotations

import sys
from pathlib import Path

from adapters.recent import Bounded, RecentIds
from adapters.teams.outbound import ConversationPacer
from adapters.teams.references import Directory


def test_an_id_is_first_once_and_a_missing_id_always() -> None:
    seen = RecentIds(size=3)
    assert seen.first("a") and not seen.first("a")
    assert seen.first(None) and seen.first(None) and seen.first("")


def test_the_oldest_ids_are_forgotten_beyond_the_size() -> None:
    seen = RecentIds(size=2)
    for delivery_id in ("a", "b", "c"):
        seen.first(delivery_id)
    assert seen.first("a") and not seen.first("c")


def test_long_ids_are_told_apart_and_recognised_but_kept_small() -> None:
    seen = RecentIds(size=1_000)
    long_ids = [f"{n:04d}" + "x" * 10_000 for n in range(1_000)]
    assert all(seen.first(delivery_id) for delivery_id in long_ids)
    assert not seen.first(long_ids[-1])
    assert seen.first("x" * 10_000 + "different ending")
    held = sum(sys.getsizeof(key) for key in seen._seen)
    assert held < 200_000, f"{held} bytes held for 1,000 ids"


async def test_the_teams_pacer_forgets_conversations_quiet_for_a_second() -> None:
    """Conversation ids come from activities (any id, without an app id): the pacer must not keep them all."""
    now = [0.0]

    async def sleep(seconds: float) -> None:
        now[0] += seconds

    pacer = ConversationPacer(2, clock=lambda: now[0], sleep=sleep)
    for batch in range(5):
        for n in range(1_000):
            await pacer.wait(f"19:forged-{batch}-{n}")
        now[0] += 1.5
    assert len(pacer._sent) <= ConversationPacer.REMEMBERED + 1 and len(pacer._locks) == len(pacer._sent)
    await pacer.wait("busy")
    await pacer.wait("busy")
    await pacer.wait("busy")  # still paced: a third call in the same second waits
    assert now[0] == 8.5


async def test_the_teams_directory_caches_a_bounded_number_of_conversations_and_still_finds_the_others(
    tmp_path: Path,
) -> None:
    directory = Directory.from_url(f"sqlite:///{tmp_path}/directory.db")
    try:
        directory._references = Bounded(10)
        for n in range(25):
            await directory.save_conversation(f"19:c{n}", {"conversation": {"id": f"19:c{n}"}})
        assert len(directory._references) == 10 and "19:c0" not in directory._references
        assert await directory.conversation("19:c0") == {"conversation": {"id": "19:c0"}}
    finally:
        directory.engine.dispose()
