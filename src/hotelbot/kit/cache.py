"""A small async cache: Redis when configured, memory otherwise (embedded mode, tests).

Values are bytes with a TTL. Invalidation is by generation counter (`incr`): callers put the
current generation in their keys, so bumping it orphans every older entry at once without
scanning keys (old entries simply expire).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Protocol


class Cache(Protocol):
    async def get(self, key: str) -> bytes | None: ...

    async def set(self, key: str, value: bytes, *, ttl_seconds: float) -> None: ...

    async def generation(self, key: str) -> int:
        """The current value of a counter (0 when never bumped)."""
        ...

    async def bump(self, key: str) -> int:
        """Increment a counter and return the new value."""
        ...

    async def aclose(self) -> None: ...


class MemoryCache:
    """Process-local cache; `clock` is injectable so tests expire entries without sleeping."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic, max_items: int = 10_000):
        self._clock = clock
        self._max_items = max_items
        self._items: dict[str, tuple[float, bytes]] = {}
        self._counters: dict[str, int] = {}

    async def get(self, key: str) -> bytes | None:
        found = self._items.get(key)
        if found is None:
            return None
        expires, value = found
        if self._clock() >= expires:
            del self._items[key]
            return None
        return value

    async def set(self, key: str, value: bytes, *, ttl_seconds: float) -> None:
        if len(self._items) >= self._max_items:
            # Dropping everything is crude but bounded; entries live seconds anyway.
            self._items.clear()
        self._items[key] = (self._clock() + ttl_seconds, value)

    async def generation(self, key: str) -> int:
        return self._counters.get(key, 0)

    async def bump(self, key: str) -> int:
        self._counters[key] = self._counters.get(key, 0) + 1
        return self._counters[key]

    async def aclose(self) -> None:
        self._items.clear()


class RedisCache:
    """Cache shared by every process of a deployment."""

    def __init__(self, url: str, *, prefix: str = "hotelbot:") -> None:
        from redis.asyncio import Redis

        self._redis: Any = Redis.from_url(url)
        self._prefix = prefix

    async def get(self, key: str) -> bytes | None:
        value: bytes | None = await self._redis.get(self._prefix + key)
        return value

    async def set(self, key: str, value: bytes, *, ttl_seconds: float) -> None:
        await self._redis.set(self._prefix + key, value, px=max(int(ttl_seconds * 1000), 1))

    async def generation(self, key: str) -> int:
        value = await self._redis.get(self._prefix + key)
        return int(value or 0)

    async def bump(self, key: str) -> int:
        return int(await self._redis.incr(self._prefix + key))

    async def aclose(self) -> None:
        await self._redis.aclose()


def cache_from_url(url: str) -> Cache:
    """Redis for a `redis://` URL, memory for an empty one."""
    return RedisCache(url) if url else MemoryCache()
