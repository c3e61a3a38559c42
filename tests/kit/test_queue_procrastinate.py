"""The production queue on PostgreSQL: schema applied idempotently, coalescing by queueing lock,
jobs run by a worker in this process, retryable failures retried."""

from __future__ import annotations

import asyncio
from typing import Any

import psycopg
import pytest

from hotelbot.errors import ExternalServiceError
from hotelbot.kit import jobs
from hotelbot.kit.queue_procrastinate import ProcrastinateQueue, cron_every
from hotelbot.resources import procrastinate_url
from hotelbot.settings import Settings
from tests.conftest import POSTGRES_URL

postgres = pytest.mark.skipif(
    not POSTGRES_URL, reason="needs HOTELBOT_TEST_DATABASE_URL pointing at PostgreSQL"
)

SEEN: list[tuple[Any, dict[str, Any]]] = []
FAILURES: list[int] = []


@jobs.job("tests.procrastinate.record")
async def record(context: Any, **kwargs: Any) -> None:
    SEEN.append((context, kwargs))


@jobs.job("tests.procrastinate.flaky")
async def flaky(context: Any, **kwargs: Any) -> None:
    if FAILURES:
        FAILURES.pop()
        raise ExternalServiceError("upstream busy", retryable=True)
    SEEN.append((context, kwargs))


def test_cron_every_rounds_to_what_cron_can_say() -> None:
    assert cron_every(30) == "* * * * * */30"
    assert cron_every(7) == "* * * * * */10"
    assert cron_every(120) == "*/2 * * * *"


@pytest.fixture
async def queue(settings: Settings) -> Any:
    SEEN.clear()
    FAILURES.clear()
    queue = ProcrastinateQueue(
        procrastinate_url(settings), concurrency=2, backoff_base_seconds=0.01
    )
    await queue.start()
    # The run's database is shared: jobs another test left behind must not count here.
    async with await psycopg.AsyncConnection.connect(procrastinate_url(settings)) as conn:
        await conn.execute("TRUNCATE procrastinate_jobs CASCADE")
    yield queue
    await queue.stop()


async def _todo(settings: Settings) -> int:
    async with await psycopg.AsyncConnection.connect(procrastinate_url(settings)) as conn:
        row = await (
            await conn.execute("SELECT count(*) FROM procrastinate_jobs WHERE status = 'todo'")
        ).fetchone()
        return int(row[0]) if row else 0


async def _work_until(queue: ProcrastinateQueue, runs: int) -> None:
    stop = asyncio.Event()
    worker = asyncio.create_task(queue.work("ctx", stop))

    async def seen_enough() -> None:
        while len(SEEN) < runs:
            await asyncio.sleep(0.02)

    await asyncio.wait_for(seen_enough(), timeout=30)
    stop.set()
    await worker


@postgres
@pytest.mark.postgres
async def test_schema_is_applied_once_however_often_workers_start(
    queue: ProcrastinateQueue,
) -> None:
    await asyncio.gather(queue.apply_schema(), queue.apply_schema())


@postgres
@pytest.mark.postgres
async def test_identical_waiting_jobs_coalesce_and_run_once(
    queue: ProcrastinateQueue, settings: Settings
) -> None:
    for _ in range(3):
        await queue.enqueue(jobs.job_for(record), conversation_id="c1")
    await queue.enqueue(jobs.job_for(record), conversation_id="c2")
    assert await _todo(settings) == 2
    await _work_until(queue, 2)
    assert sorted(kw["conversation_id"] for _, kw in SEEN) == ["c1", "c2"]
    assert {ctx for ctx, _ in SEEN} == {"ctx"}


@postgres
@pytest.mark.postgres
async def test_retryable_failure_is_run_again(queue: ProcrastinateQueue) -> None:
    FAILURES.extend([1, 1])
    await queue.enqueue(jobs.job_for(flaky), conversation_id="c1")
    await _work_until(queue, 1)
    assert SEEN == [("ctx", {"conversation_id": "c1"})]
    assert FAILURES == []
