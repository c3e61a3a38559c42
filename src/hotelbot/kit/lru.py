"""A small bounded, expiring LRU map for per-process caches of immutable lookups.

Used for answers that do not change once created (a guest's id for a phone hash, a
conversation's id for a guest and property): a hit saves a database round trip, the bound keeps
memory flat, and the expiry limits how long an entry deleted elsewhere can be believed.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class TtlLru(Generic[K, V]):
    """At most `size` entries, each trusted for `ttl` seconds after it was last stored."""

    def __init__(
        self, size: int, ttl: float, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._size = size
        self._ttl = ttl
        self._clock = clock
        self._items: OrderedDict[K, tuple[V, float]] = OrderedDict()

    def get(self, key: K) -> V | None:
        hit = self._items.get(key)
        if hit is None:
            return None
        if hit[1] <= self._clock():
            del self._items[key]
            return None
        self._items.move_to_end(key)
        return hit[0]

    def put(self, key: K, value: V) -> None:
        self._items[key] = (value, self._clock() + self._ttl)
        self._items.move_to_end(key)
        while len(self._items) > self._size:
            self._items.popitem(last=False)

    def clear(self) -> None:
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)
