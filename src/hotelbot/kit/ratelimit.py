"""Async token buckets: pace calls to at most `rate` per second, per key.

Each caller reserves its token synchronously (no lock: asyncio runs the reservation without a
switch) and then sleeps off its deficit, so concurrent callers are served in arrival order and the
long-run rate never exceeds `rate`. Clock and sleep are injected so tests run on fake time.
Buckets live in one process: N processes sending for one number share the budget only if each is
configured with its share of it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class TokenBucket:
    """`rate` tokens per second, holding at most `burst` (default: one second's worth)."""

    def __init__(
        self,
        rate: float,
        *,
        burst: float | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.burst = max(1.0, burst if burst is not None else rate)
        self._clock = clock
        self._sleep = sleep
        self._tokens = self.burst
        self._updated = clock()

    def reserve(self) -> float:
        """Take one token now; return how many seconds the caller must wait before using it."""
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._updated) * self.rate)
        self._updated = now
        self._tokens -= 1.0
        return 0.0 if self._tokens >= 0 else -self._tokens / self.rate

    async def acquire(self) -> None:
        """Wait until one call may proceed."""
        wait = self.reserve()
        if wait > 0:
            await self._sleep(wait)


class KeyedRateLimiter:
    """One `TokenBucket` per key (e.g. per WhatsApp phone_number_id), created on first use."""

    def __init__(
        self,
        rate: float,
        *,
        burst: float | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._make = lambda: TokenBucket(rate, burst=burst, clock=clock, sleep=sleep)
        self._buckets: dict[str, TokenBucket] = {}

    async def acquire(self, key: str) -> None:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = self._make()
        await bucket.acquire()
