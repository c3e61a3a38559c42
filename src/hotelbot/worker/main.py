"""`run_worker(settings)` for `hotelbot worker` (and `hotelbot run`'s worker process);
`start_background(resources)` runs the jobs inside another process (tests, a lone `hotelbot api`).

Assembly only: build resources and the queue engine, import the job modules so they register,
run jobs and the periodic sweep until SIGTERM/SIGINT. Several workers may run at once on
PostgreSQL: the conversation lock orders turns, the outbox stops double sends, the queue
coalesces wake-ups. `hotelbot run` starts exactly one, fed through a pipe (`kit/queue_pipe.py`):
on SQLite the conversation lock is process-local.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Iterator
from dataclasses import dataclass

import structlog

from hotelbot import metrics
from hotelbot.kit.jobs import REGISTRY, Job, job_for
from hotelbot.kit.metrics import serve_metrics
from hotelbot.resources import Resources, open_resources, queue_from
from hotelbot.settings import Settings

log = structlog.get_logger(__name__)


def periodic_jobs(settings: Settings) -> list[tuple[Job, float]]:
    """Importing the job modules registers every job; returns the ones to run on a beat."""
    from hotelbot.conversation import backlog
    from hotelbot.conversation import jobs as conversation_jobs

    periodic = [
        (job_for(conversation_jobs.sweep), settings.queue.sweep_interval_seconds),
        (job_for(backlog.measure_backlog), settings.queue.backlog_interval_seconds),
    ]
    # Every job's outcomes from zero, so failure alerts have a series before the first failure.
    for name in REGISTRY:
        for status in ("ok", "retry", "failed"):
            metrics.JOB_RUNS.labels(job=name, status=status)
    return periodic


def warm_engine() -> None:
    """Load the language detector and the FAQ model now, so the first guest does not wait."""
    from hotelbot.engine.understand import faq, language

    language.warm_up()
    faq.warm_faq_model()


async def _warm_voice(resources: Resources) -> None:
    """`voice.preload`: load the transcription model before the first voice note needs it."""
    transcriber = resources.voice.transcriber if resources.voice else None
    warm_up = getattr(transcriber, "warm_up", None)
    if warm_up is not None:
        await warm_up()


@dataclass
class BackgroundWorker:
    """Jobs running as a task of this process (embedded mode). Call `stop()` before closing
    the resources."""

    task: asyncio.Task[None]
    stopping: asyncio.Event

    async def stop(self) -> None:
        self.stopping.set()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task


def start_background(resources: Resources) -> BackgroundWorker:
    """Run `resources.queue`'s jobs (and the sweep) in this process until `stop()`."""
    stopping = asyncio.Event()
    periodic = periodic_jobs(resources.settings)
    task = asyncio.create_task(
        resources.queue.work(resources, stopping, periodic=periodic), name="hotelbot-worker"
    )
    log.info("worker.started", engine=resources.settings.queue.engine.value, embedded=True)
    return BackgroundWorker(task=task, stopping=stopping)


async def run_worker(settings: Settings, *, wake_ups_on_stdin: bool = False) -> None:
    """The `hotelbot worker` process: run jobs until SIGTERM or SIGINT, then stop cleanly.

    `wake_ups_on_stdin`: `hotelbot run`'s worker; jobs arrive as lines on stdin from the server
    process, and the end of stdin (the server is gone) stops the worker too.
    """
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    warm_engine()
    with _metrics_server(settings):
        async with open_resources(settings, queue_from(settings)) as resources:
            log.info(
                "worker.started", engine=settings.queue.engine.value, embedded=wake_ups_on_stdin
            )
            if settings.voice.preload:
                await _warm_voice(resources)
            feeding = None
            if wake_ups_on_stdin:
                feeding = asyncio.create_task(_feed_from_stdin(resources, stopping))
            await resources.queue.work(resources, stopping, periodic=periodic_jobs(settings))
            if feeding is not None:
                feeding.cancel()
    log.info("worker.stopped")


async def _feed_from_stdin(resources: Resources, stopping: asyncio.Event) -> None:
    from hotelbot.kit.queue_pipe import feed_queue, stdin_reader

    await feed_queue(await stdin_reader(), resources.queue)
    log.info("worker.server_gone")
    stopping.set()


@contextlib.contextmanager
def _metrics_server(settings: Settings) -> Iterator[None]:
    """The worker's `/metrics` on `observability.worker_metrics_port` while it runs.

    A taken port is logged, not fatal: a second worker on the same host still does its work
    (give each its own port, or share one with `PROMETHEUS_MULTIPROC_DIR`).
    """
    port = settings.observability.worker_metrics_port
    stop = None
    if port:
        try:
            stop = serve_metrics(settings.host, port)
            log.info("worker.metrics.serving", host=settings.host, port=port)
        except OSError as exc:
            log.warning("worker.metrics.port_busy", port=port, error=type(exc).__name__)
    try:
        yield
    finally:
        if stop is not None:
            stop()
