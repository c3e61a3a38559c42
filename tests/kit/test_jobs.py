"""The in-process queue keeps the production queue's contract: JSON payloads, coalescing,
retries with exponential backoff, bounded concurrency, delays; enqueue happens after commit."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotelbot.errors import ExternalServiceError, InvalidInput
from hotelbot.kit import jobs
from hotelbot.kit.db import create_sessionmaker, session_scope
from hotelbot.kit.jobs import InProcessQueue, Job

CALLS: list[tuple[str, dict[str, Any]]] = []


class Sleeps:
    """An injected sleep: records each delay and returns at once."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        await asyncio.sleep(0)


def make_job(name: str, fn: jobs.JobFn, retries: int = 5) -> Job:
    return Job(name=name, fn=fn, retries=retries)


async def record(context: Any, **kwargs: Any) -> None:
    CALLS.append((context, kwargs))


@pytest.fixture(autouse=True)
def _clear_calls() -> None:
    CALLS.clear()


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def outcomes() -> list[tuple[str, str]]:
    return []


@pytest.fixture
def queue(sleeps: Sleeps, outcomes: list[tuple[str, str]]) -> InProcessQueue:
    queue = InProcessQueue(concurrency=2, sleep=sleeps, on_outcome=lambda *a: outcomes.append(a))
    queue.bind("ctx")
    return queue


async def test_job_receives_context_and_json_round_tripped_payload(queue: InProcessQueue) -> None:
    await queue.enqueue(make_job("t.record", record), conversation_id="c1", n=3)
    await queue.drain()
    assert CALLS == [("ctx", {"conversation_id": "c1", "n": 3})]


async def test_enqueue_fails_when_payload_is_not_json_serialisable(
    queue: InProcessQueue,
) -> None:
    with pytest.raises(TypeError):
        await queue.enqueue(make_job("t.record", record), when=dt.datetime.now())  # type: ignore[arg-type]


async def test_identical_job_not_yet_started_is_coalesced(queue: InProcessQueue) -> None:
    job_ = make_job("t.record", record)
    for _ in range(5):
        await queue.enqueue(job_, conversation_id="c1")
    await queue.enqueue(job_, conversation_id="c2")
    await queue.drain()
    assert sorted(kw["conversation_id"] for _, kw in CALLS) == ["c1", "c2"]


async def test_job_enqueued_while_identical_one_runs_runs_again(queue: InProcessQueue) -> None:
    started, release = asyncio.Event(), asyncio.Event()
    runs: list[int] = []

    async def slow(context: Any, **kwargs: Any) -> None:
        runs.append(1)
        started.set()
        await release.wait()

    job_ = make_job("t.slow", slow)
    await queue.enqueue(job_, conversation_id="c1")
    await started.wait()
    # The running job may already have read the rows: a new wake-up must not be lost.
    await queue.enqueue(job_, conversation_id="c1")
    release.set()
    await queue.drain()
    assert len(runs) == 2


async def test_retryable_failure_is_retried_with_exponential_backoff(
    queue: InProcessQueue, sleeps: Sleeps, outcomes: list[tuple[str, str]]
) -> None:
    failures = 3

    async def flaky(context: Any, **kwargs: Any) -> None:
        nonlocal failures
        if failures:
            failures -= 1
            raise ExternalServiceError("graph api throttled", retryable=True)

    await queue.enqueue(make_job("t.flaky", flaky), conversation_id="c1")
    await queue.drain()
    assert sleeps.delays == [1.0, 2.0, 4.0]
    assert outcomes == [("t.flaky", "retry")] * 3 + [("t.flaky", "ok")]


async def test_unknown_exception_is_retried_until_retries_run_out(
    queue: InProcessQueue, sleeps: Sleeps, outcomes: list[tuple[str, str]]
) -> None:
    async def broken(context: Any, **kwargs: Any) -> None:
        raise RuntimeError("bug")

    await queue.enqueue(make_job("t.broken", broken, retries=2))
    await queue.drain()
    assert sleeps.delays == [1.0, 2.0]
    assert outcomes[-1] == ("t.broken", "failed")
    assert len(outcomes) == 3


async def test_failure_marked_not_retryable_is_not_retried(
    queue: InProcessQueue, sleeps: Sleeps, outcomes: list[tuple[str, str]]
) -> None:
    async def refused(context: Any, **kwargs: Any) -> None:
        raise InvalidInput("bad reply")

    await queue.enqueue(make_job("t.refused", refused))
    await queue.drain()
    assert sleeps.delays == []
    assert outcomes == [("t.refused", "failed")]


async def test_backoff_is_capped() -> None:
    assert [jobs.backoff_seconds(n, base=1, cap=10) for n in (1, 2, 3, 4, 5, 6)] == [
        1,
        2,
        4,
        8,
        10,
        10,
    ]


async def test_scheduled_job_waits_its_delay(queue: InProcessQueue, sleeps: Sleeps) -> None:
    await queue.schedule(make_job("t.record", record), 1.5, conversation_id="c1")
    await queue.drain()
    assert sleeps.delays == [1.5]
    assert len(CALLS) == 1


async def test_concurrency_is_bounded(sleeps: Sleeps) -> None:
    queue = InProcessQueue(concurrency=2, sleep=sleeps)
    queue.bind(None)
    running = peak = 0

    async def busy(context: Any, **kwargs: Any) -> None:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        for _ in range(3):
            await asyncio.sleep(0)
        running -= 1

    for n in range(6):
        await queue.enqueue(make_job("t.busy", busy), n=n)
    await queue.drain()
    assert peak == 2


async def test_jobs_wait_until_the_queue_is_bound(sleeps: Sleeps) -> None:
    queue = InProcessQueue(sleep=sleeps)
    await queue.enqueue(make_job("t.record", record), n=1)
    await asyncio.sleep(0)
    assert CALLS == []
    queue.bind("later")
    await queue.drain()
    assert CALLS == [("later", {"n": 1})]


async def test_work_runs_periodic_jobs_until_stopped(sleeps: Sleeps) -> None:
    queue = InProcessQueue(sleep=sleeps)
    stop = asyncio.Event()
    beat = make_job("t.beat", record)
    worker = asyncio.create_task(queue.work("ctx", stop, periodic=[(beat, 3600.0)]))
    while not CALLS:
        await asyncio.sleep(0)
    stop.set()
    await worker
    await queue.stop()
    assert CALLS == [("ctx", {})]


@jobs.job("tests.kit.after_commit")
async def after_commit_job(context: Any, *, n: int) -> None:
    CALLS.append((context, {"n": n}))


async def _scoped(sessionmaker: async_sessionmaker[AsyncSession], *, fail: bool) -> None:
    async with session_scope(sessionmaker) as session:
        jobs.enqueue_after_commit(session, after_commit_job, n=1)
        jobs.enqueue_after_commit(session, after_commit_job, n=1)
        if fail:
            raise RuntimeError("rolled back")


async def test_enqueue_after_commit_dispatches_once_on_commit_and_never_on_rollback(
    engine: Any, queue: InProcessQueue
) -> None:
    info: dict[str, Any] = {}
    jobs.bind_queue(info, queue)
    sessionmaker = create_sessionmaker(engine, info=info)
    with pytest.raises(RuntimeError):
        await _scoped(sessionmaker, fail=True)
    await queue.drain()
    assert CALLS == []
    await _scoped(sessionmaker, fail=False)
    await queue.drain()
    assert CALLS == [("ctx", {"n": 1})]
