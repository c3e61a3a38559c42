"""`run_worker(settings)` for `hotelbot worker`; `start_background(resources)` for `hotelbot run`.

Assembly only: build resources and the queue engine, import the job modules so they register,
run jobs and the periodic sweep until SIGTERM/SIGINT. Several workers may run at once: the
conversation lock orders turns, the outbox stops double sends, the queue coalesces wake-ups.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from dataclasses import dataclass

import structlog

from hotelbot.kit.jobs import Job, job_for
from hotelbot.resources import Resources, open_resources, queue_from
from hotelbot.settings import Settings

log = structlog.get_logger(__name__)


def periodic_jobs(settings: Settings) -> list[tuple[Job, float]]:
    """Importing the job modules registers every job; returns the ones to run on a beat."""
    from hotelbot.conversation import jobs as conversation_jobs

    return [(job_for(conversation_jobs.sweep), settings.queue.sweep_interval_seconds)]


def warm_engine() -> None:
    """Load the language detector and the FAQ model now, so the first guest does not wait."""
    from hotelbot.engine.understand import faq, language

    language.warm_up()
    faq.warm_faq_model()


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


async def run_worker(settings: Settings) -> None:
    """The `hotelbot worker` process: run jobs until SIGTERM or SIGINT, then stop cleanly."""
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    warm_engine()
    async with open_resources(settings, queue_from(settings)) as resources:
        log.info("worker.started", engine=settings.queue.engine.value, embedded=False)
        await resources.queue.work(resources, stopping, periodic=periodic_jobs(settings))
    log.info("worker.stopped")
