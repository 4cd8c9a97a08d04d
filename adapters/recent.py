"""Delivery ids a door already took in this process, so a redelivery or a double click gets no second answer.

The core's request log is what makes a repeat harmless across processes; this only spares a second reply.
"""

from __future__ import annotations

from collections import OrderedDict


class RecentIds:
    def __init__(self, size: int = 10_000) -> None:
        self.size = size
        self._seen: OrderedDict[str, None] = OrderedDict()

    def first(self, delivery_id: str | None) -> bool:
        """True the first time an id is seen (and for a missing id, which cannot be told apart)."""
        if not delivery_id:
            return True
        if delivery_id in self._seen:
            return False
        self._seen[delivery_id] = None
        if len(self._seen) > self.size:
            self._seen.popitem(last=False)
        return True
