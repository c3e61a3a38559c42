"""Rate limits over the `limits` library: moving windows per (scope, key), in Redis when a URL
is given (every process shares the count) or in this process's memory (embedded mode).

Rules are `limits` strings per scope (`"20/minute;200/hour"`: every part must allow). Keys never
carry guest data or secrets: callers pass an opaque id (a guest's uuid, a token's hash, a client
address). A Redis outage never locks everyone out: the hit is allowed and logged.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass

import structlog
from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    #: Whole seconds until the refused window frees a slot (0 when allowed).
    retry_after_seconds: int = 0


def storage_from_url(url: str, *, key_prefix: str) -> Storage:
    """`redis://…` (or `rediss://`) → Redis through redis-py's asyncio client; empty → memory."""
    if not url:
        return MemoryStorage()
    return RedisStorage(f"async+{url}", implementation="redispy", key_prefix=key_prefix)


class RateLimiter:
    """Counts hits per (scope, key) against the scope's rule; unknown scopes are never limited."""

    def __init__(self, storage: Storage, rules: Mapping[str, str]) -> None:
        self._storage = storage
        self._strategy = MovingWindowRateLimiter(storage)
        # Parsed once: a malformed rule fails at start-up, not on the first request.
        self._rules: dict[str, list[RateLimitItem]] = {
            scope: parse_many(rule) for scope, rule in rules.items() if rule
        }

    async def hit(self, scope: str, key: str, *, cost: int = 1) -> Decision:
        """Count one hit (or `cost`) for `key` in `scope`; refused when any window is full."""
        for item in self._rules.get(scope, []):
            try:
                allowed = await self._strategy.hit(item, scope, key, cost=cost)
                if not allowed:
                    stats = await self._strategy.get_window_stats(item, scope, key)
            except Exception as exc:  # the limiter is a guard, never a single point of failure
                log.warning("ratelimit.storage_failed", scope=scope, error=type(exc).__name__)
                return Decision(True)
            if not allowed:
                wait = max(1, math.ceil(stats.reset_time - time.time()))
                return Decision(False, retry_after_seconds=wait)
        return Decision(True)

    async def reset(self) -> None:
        """Forget every count (tests, and an operator lifting a block)."""
        await self._storage.reset()
