"""`hotelbot run`'s wake-ups cross a real OS pipe: what the server enqueues, the worker runs,
in order; lines written while no worker listens reach the next one; end of file ends the feed."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest

from hotelbot.kit import jobs
from hotelbot.kit.jobs import InProcessQueue
from hotelbot.kit.queue_pipe import PipeQueue, feed_queue

RUNS: list[dict[str, Any]] = []


@jobs.job("tests.pipe.record")
async def record(context: Any, **kwargs: Any) -> None:
    RUNS.append(kwargs)


@dataclass
class Pipe:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter


async def _open_pipe() -> Pipe:
    loop = asyncio.get_running_loop()
    read_fd, write_fd = os.pipe()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(reader), os.fdopen(read_fd, "rb")
    )
    transport, protocol = await loop.connect_write_pipe(
        asyncio.streams.FlowControlMixin, os.fdopen(write_fd, "wb")
    )
    writer = asyncio.StreamWriter(transport, protocol, None, loop)
    return Pipe(reader, writer)


@pytest.fixture
async def pipe() -> AsyncIterator[Pipe]:
    RUNS.clear()
    pipe = await _open_pipe()
    yield pipe
    if not pipe.writer.is_closing():
        pipe.writer.close()


async def test_jobs_enqueued_in_one_process_run_in_the_other(pipe: Pipe) -> None:
    sender = PipeQueue()
    sender.attach(pipe.writer)
    worker = InProcessQueue(concurrency=1)
    worker.bind("worker-context")
    feeding = asyncio.create_task(feed_queue(pipe.reader, worker))
    for n in range(3):
        await sender.enqueue(jobs.job_for(record), conversation_id=f"c{n}")
    pipe.writer.close()
    await asyncio.wait_for(feeding, 5)  # end of file: the server is gone
    await worker.drain()
    assert RUNS == [{"conversation_id": "c0"}, {"conversation_id": "c1"}, {"conversation_id": "c2"}]


async def test_wake_ups_without_a_worker_wait_for_the_next_one(pipe: Pipe) -> None:
    sender = PipeQueue()
    await sender.enqueue(jobs.job_for(record), conversation_id="while-restarting")
    worker = InProcessQueue(concurrency=1)
    worker.bind("worker-context")
    sender.attach(pipe.writer)  # the restarted worker
    pipe.writer.close()
    await asyncio.wait_for(feed_queue(pipe.reader, worker), 5)
    await worker.drain()
    assert RUNS == [{"conversation_id": "while-restarting"}]


async def test_a_garbled_line_is_skipped_and_the_next_one_runs(pipe: Pipe) -> None:
    worker = InProcessQueue(concurrency=1)
    worker.bind("worker-context")
    pipe.writer.write(b"not json\n")
    pipe.writer.write(b'{"job": "no.such.job", "delay": 0, "kwargs": {}}\n')
    pipe.writer.write(b'{"job": "tests.pipe.record", "delay": 0, "kwargs": {"n": 1}}\n')
    pipe.writer.close()
    await asyncio.wait_for(feed_queue(pipe.reader, worker), 5)
    await worker.drain()
    assert RUNS == [{"n": 1}]


async def test_the_sending_side_runs_no_jobs() -> None:
    with pytest.raises(TypeError):
        await PipeQueue().work(None, asyncio.Event())
