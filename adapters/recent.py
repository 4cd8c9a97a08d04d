"""Delivery ids a door already took in this process, so a redelivery or a double click gets no second answer.

The core's request log is what makes a repeat harmless across processes; this only spares a second reply.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")

# Ids are chosen by whoever sends the request: a long one is kept as its digest, so the memory held is bounded
# (size × ~100 bytes) whatever the ids' length.
LONGEST_KEPT = 64


class RecentIds:
    def __init__(self, size: int = 10_000) -> None:
        self._seen: Bounded[str, None] = Bounded(size)

    def first(self, delivery_id: str | None) -> bool:
        """True the first time an id is seen (and for a missing id, which cannot be told apart)."""
        if not delivery_id:
            return True
        if len(delivery_id) > LONGEST_KEPT:
            delivery_id = "#" + hashlib.sha256(delivery_id.encode("utf-8", "surrogatepass")).hexdigest()
        if delivery_id in self._seen:
            return False
        self._seen[delivery_id] = None
        return True


class Bounded(OrderedDict[K, V]):
    """A cache in front of the database that forgets its oldest entries beyond `size`: its keys (conversation
    and person ids) come with the requests, so an unbounded one would grow with every id ever sent."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def __setitem__(self, key: K, value: V) -> None:
        super().__setitem__(key, value)
        if len(self) > self.size:
            self.popitem(last=False)
