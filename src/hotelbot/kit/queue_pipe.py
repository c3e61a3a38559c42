"""Wake-up calls over a pipe: `hotelbot run`'s server process and its worker process.

The server's `PipeQueue` writes every enqueue as one JSON line to the worker's stdin;
the worker's `feed_queue()` reads the lines and hands them to its in-process queue, which runs
the jobs. Why a pipe and not polling or a socket: docs/decisions/0006-embedded-worker-process.md.

The rows are the truth, so a lost line costs only time: when the worker dies with lines unread
(or none is running), its next start's sweep finds the rows still pending. Writing never
waits for the worker: a busy worker must not slow the webhook down.
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from collections.abc import Sequence
from typing import Any

import structlog

from hotelbot.kit.jobs import REGISTRY, Job, JobQueue, JsonScalar

log = structlog.get_logger(__name__)


class PipeQueue:
    """`JobQueue` whose jobs run in another process, reached through `attach(writer)`.

    Lines written while no worker is attached (starting, or restarting after a crash) wait in
    a bounded backlog and go to the next worker; beyond `backlog` the oldest are dropped.
    """

    def __init__(self, *, backlog: int = 10_000) -> None:
        self._writer: asyncio.StreamWriter | None = None
        self._backlog: deque[bytes] = deque(maxlen=backlog)

    def attach(self, writer: asyncio.StreamWriter | None) -> None:
        """Send from now on to `writer` (the worker's stdin; called on each worker start)."""
        self._writer = writer
        if writer is not None:
            while self._backlog:
                writer.write(self._backlog.popleft())

    async def start(self) -> None:
        """Nothing to open: the worker's pipe is attached when it starts."""

    async def stop(self) -> None:
        self._writer = None

    async def enqueue(self, job: Job, /, **kwargs: JsonScalar) -> None:
        await self.schedule(job, 0.0, **kwargs)

    async def schedule(self, job: Job, delay_seconds: float, /, **kwargs: JsonScalar) -> None:
        writer = self._writer
        line = json.dumps({"job": job.name, "delay": delay_seconds, "kwargs": kwargs}).encode()
        if writer is None or writer.is_closing():
            # No worker right now: the next one gets it (and its sweep finds anything lost).
            self._backlog.append(line + b"\n")
            return
        # No drain(): the transport buffers, the worker reads continuously.
        writer.write(line + b"\n")

    async def work(
        self,
        context: Any,
        stop: asyncio.Event,
        *,
        periodic: Sequence[tuple[Job, float]] = (),
    ) -> None:
        raise TypeError("PipeQueue only sends: its jobs run in the worker process")


async def feed_queue(reader: asyncio.StreamReader, queue: JobQueue) -> None:
    """Enqueue on `queue` every job line read from `reader`; returns at end of file (the
    server process is gone)."""
    while line := await reader.readline():
        try:
            call = json.loads(line)
            job = REGISTRY[call["job"]]
            kwargs: dict[str, JsonScalar] = call["kwargs"]
            delay = float(call["delay"])
        except (ValueError, KeyError, TypeError) as exc:
            log.error("jobs.pipe.bad_line", error=type(exc).__name__)
            continue
        await queue.schedule(job, delay, **kwargs)


async def stdin_reader() -> asyncio.StreamReader:
    """This process's stdin as an asyncio stream (the worker side of the pipe)."""
    import sys

    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=1 << 20)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    return reader
