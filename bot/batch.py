"""Many commands in one transaction: what a door's queue hands the core under load.

`Dispatcher.dispatch` costs one transaction per command: the incident's row read, the card references read, the
request log, the incident, its timeline and the inbox written, one commit. A burst of notes into one incident pays
all of that once per note. `dispatch_together` runs a batch in one unit of work instead: the incident is loaded
once, each command changes it in turn, and one flush writes every row the batch produced (one statement per
table) before one commit.

Each command stays isolated. A command that raises (a refusal such as an unknown incident, or a bug) may have
changed the shared aggregate before raising, so the transaction is thrown away, the commands before it are run
together again, and it runs alone through `Dispatcher.dispatch`, with that method's refusal, retry and apology
rules; the batch goes on after it. A commit that fails (a redelivered request id colliding in the request log, or
a concurrent writer on PostgreSQL) sends the whole batch through `dispatch` one by one, which knows how to answer
both. So a batch answers exactly what the same commands run one by one would, each runs once, and every request id
the core finishes is finished in the transaction that stores its effect.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from bot import commands as c
from bot import telemetry
from bot.errors import ConcurrentChange
from bot.handlers import Outcome
from bot.plain_text import without_nul
from bot.service import Dispatcher

log = logging.getLogger(__name__)

Work = Sequence[tuple[c.Command, c.Origin]]


class _Stopped(Exception):
    """A command of the batch raised: the batch stops before it (`at`, its position)."""

    def __init__(self, at: int) -> None:
        self.at = at


def dispatch_together(dispatcher: Dispatcher, work: Work) -> list[Outcome]:
    """Outcomes in the order of `work`, as `Dispatcher.dispatch` would give them one by one (see the module)."""
    # Text as the core keeps it (`bot.plain_text`), as `Dispatcher.dispatch` does for a command alone.
    work = [(without_nul(command), without_nul(origin)) for command, origin in work]
    outcomes: list[Outcome] = []
    start = 0
    while start < len(work):
        rest = work[start:]
        try:
            outcomes += _in_one_transaction(dispatcher, rest)
            return outcomes
        except _Stopped as stopped:
            before = rest[: stopped.at]
        except ConcurrentChange:
            # The commit met a request id seen before (a retried delivery) or a concurrent writer: expected, and each
            # command alone, with its retries, sorts it out. No traceback for what is no fault.
            log.info("a batch of %d commands met a concurrent change; running them one by one", len(rest))
            return outcomes + [_alone(dispatcher, command, origin) for command, origin in rest]
        except Exception:
            log.warning("a batch of %d commands could not commit together; running them one by one", len(rest),
                        exc_info=True)
            return outcomes + [_alone(dispatcher, command, origin) for command, origin in rest]
        if before:
            try:
                outcomes += _in_one_transaction(dispatcher, before)
            except Exception:
                outcomes += [_alone(dispatcher, command, origin) for command, origin in before]
        command, origin = rest[len(before)]
        outcomes.append(_alone(dispatcher, command, origin))
        start += len(before) + 1
    return outcomes


def _alone(dispatcher: Dispatcher, command: c.Command, origin: c.Origin) -> Outcome:
    try:
        return dispatcher.dispatch(command, origin)
    except Exception:
        # Not answered, so not finished by the core: recovery decides whether to run it again.
        return Outcome(dispatcher.apology(command, origin))


def _in_one_transaction(dispatcher: Dispatcher, work: Work) -> list[Outcome]:
    """Every command of `work` in one unit of work, committed once; `_Stopped` at the first that raises."""
    outcomes: list[Outcome] = []
    request_ids: set[str] = set()
    # The card references of a set of places, read once per batch: nothing in a command changes them.
    cards: dict[frozenset[tuple[str, str]], Mapping[tuple[str, str, str], str]] = {}
    with dispatcher.uow_factory() as uow:
        for n, (command, origin) in enumerate(work):
            if origin.request_id in request_ids:
                raise _Stopped(n)  # the same delivery twice: alone, it meets the request log
            telemetry.about(command, origin)
            try:
                outcome, recognised = dispatcher.run_in(uow, command, origin, dispatcher.translator(origin))
            except Exception:
                raise _Stopped(n) from None
            outcomes.append(dispatcher.settle(uow, outcome, recognised, cards))
            if origin.request_id:
                request_ids.add(origin.request_id)
        uow.commit()
    for command, _ in work:
        dispatcher.meter.command(type(command).__name__, "ok")
    return outcomes
