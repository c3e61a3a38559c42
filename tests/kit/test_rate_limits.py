"""Moving-window limits in memory and in the real Redis at 127.0.0.1:6379 (CI starts it): a key
is refused once over its rule, told how long to wait, and other keys and scopes are not."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import AsyncIterator

import pytest

from hotelbot.kit.rate_limits import RateLimiter, storage_from_url

REDIS_URL = "redis://127.0.0.1:6379/0"


def _redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture(params=["memory", "redis"])
async def limiter(request: pytest.FixtureRequest) -> AsyncIterator[RateLimiter]:
    url = ""
    if request.param == "redis":
        # CI always runs it; a laptop without Redis skips it (and says so).
        if not (os.environ.get("CI") or _redis_answers()):
            pytest.skip("no Redis at 127.0.0.1:6379")
        url = REDIS_URL
    # A prefix of its own: parallel runs and other tests never share a count.
    storage = storage_from_url(url, key_prefix=f"hotelbot-test-{uuid.uuid4().hex}")
    limiter = RateLimiter(storage, {"login": "3/minute", "pair": "2/second;4/minute"})
    yield limiter
    await limiter.reset()


async def test_a_key_is_refused_once_over_its_rule_and_told_when_to_retry(
    limiter: RateLimiter,
) -> None:
    decisions = [await limiter.hit("login", "client-a") for _ in range(4)]

    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert 1 <= decisions[-1].retry_after_seconds <= 60
    assert (await limiter.hit("login", "client-b")).allowed, "another key has its own count"
    assert (await limiter.hit("unlimited-scope", "client-a")).allowed


async def test_every_window_of_a_rule_must_allow(limiter: RateLimiter) -> None:
    assert [(await limiter.hit("pair", "k")).allowed for _ in range(3)] == [True, True, False]
    refused = await limiter.hit("pair", "k", cost=5)
    assert not refused.allowed


async def test_a_cost_counts_as_that_many_hits(limiter: RateLimiter) -> None:
    assert (await limiter.hit("login", "burst", cost=3)).allowed
    assert not (await limiter.hit("login", "burst")).allowed


async def test_an_unreachable_store_lets_requests_through() -> None:
    """The limiter guards; it must not take the service down with Redis."""
    storage = storage_from_url("redis://127.0.0.1:1/0", key_prefix="unreachable")
    limiter = RateLimiter(storage, {"login": "1/minute"})

    assert (await limiter.hit("login", "a")).allowed
    assert (await limiter.hit("login", "a")).allowed
