"""The signal volume of each open incident over the last hour, read through the watch's own store
(`UnitOfWork.signals`), in the words the incident card uses (`bot.signals.crisis`)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from bot.i18n import Translator
from bot.ports import UnitOfWork
from bot.signals.crisis import volume_of

log = logging.getLogger("crisisbot.dashboard")


def trend_reader(uow_factory: Callable[[], UnitOfWork]) -> Callable[[datetime, Translator], dict[int, str]]:
    """Incident number -> "4 in the last hour · rising", for the incidents with signals in the last two hours."""

    def read(now: datetime, t: Translator) -> dict[int, str]:
        try:
            with uow_factory() as uow:
                volumes = {incident.number: volume_of(uow.signals, incident.key, now) for incident in uow.incidents.list()}
        except Exception:  # a trend is a nicety: the board is shown without it rather than not at all
            log.warning("the dashboard could not read the signals", exc_info=True)
            return {}
        return {number: volume.line(t) for number, volume in volumes.items() if volume is not None}

    return read
