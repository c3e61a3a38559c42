"""The bounded, expiring LRU behind the inbox's id caches."""

from __future__ import annotations

from hotelbot.kit.lru import TtlLru


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_least_recently_used_entry_goes_first() -> None:
    cache: TtlLru[str, int] = TtlLru(2, 60, clock=Clock())
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # "b" is now the least recently used
    cache.put("c", 3)
    assert (cache.get("a"), cache.get("b"), cache.get("c"), len(cache)) == (1, None, 3, 2)


def test_entries_expire() -> None:
    clock = Clock()
    cache: TtlLru[str, int] = TtlLru(10, 60, clock=clock)
    cache.put("a", 1)
    clock.now = 59.9
    assert cache.get("a") == 1
    clock.now = 60.0
    assert cache.get("a") is None
    assert len(cache) == 0
