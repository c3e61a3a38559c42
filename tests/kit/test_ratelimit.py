"""Token-bucket pacing on fake time: sends stay under the configured rate, per key."""

import asyncio

from hotelbot.kit.ratelimit import KeyedRateLimiter, TokenBucket


class FakeClock:
    """Monotonic fake time that only moves when someone sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


async def test_160_sends_at_80_per_second_take_at_least_one_second() -> None:
    clock = FakeClock()
    bucket = TokenBucket(80, clock=clock, sleep=clock.sleep)
    start = clock.now
    for _ in range(160):
        await bucket.acquire()
    assert 1.0 <= clock.now - start < 1.05


async def test_first_second_of_sends_goes_out_without_waiting() -> None:
    clock = FakeClock()
    bucket = TokenBucket(80, clock=clock, sleep=clock.sleep)
    for _ in range(80):
        await bucket.acquire()
    assert clock.now == 1000.0


async def test_concurrent_callers_are_paced_too() -> None:
    clock = FakeClock()
    deadlines: list[float] = []

    async def sleep(seconds: float) -> None:
        deadlines.append(clock.now + seconds)

    bucket = TokenBucket(80, clock=clock, sleep=sleep)
    await asyncio.gather(*(bucket.acquire() for _ in range(160)))
    # The 80 callers beyond the burst are spread one 1/80 s apart, the last at +1 s.
    assert len(deadlines) == 80
    assert deadlines == sorted(deadlines)
    assert abs(max(deadlines) - clock.now - 1.0) < 1e-9


async def test_bucket_refills_after_idle_time() -> None:
    clock = FakeClock()
    bucket = TokenBucket(10, clock=clock, sleep=clock.sleep)
    for _ in range(10):
        await bucket.acquire()
    clock.now += 1.0
    before = clock.now
    for _ in range(10):
        await bucket.acquire()
    assert clock.now == before


async def test_each_key_has_its_own_budget() -> None:
    clock = FakeClock()
    limiter = KeyedRateLimiter(5, clock=clock, sleep=clock.sleep)
    for _ in range(5):
        await limiter.acquire("number-a")
    for _ in range(5):
        await limiter.acquire("number-b")
    assert clock.now == 1000.0
    await limiter.acquire("number-a")
    assert clock.now > 1000.0
