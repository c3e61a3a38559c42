"""Background jobs: a registry, a queue Protocol, and enqueue-after-commit.

A job is `async def fn(resources, **ids) -> None`, registered with `@job("domain.verb")`.
Payloads are ids only (JSON scalars); the database rows are the truth and the queue is only a
wake-up call, so every job must be safe to run twice. Enqueue from inside a unit of work with
`enqueue_after_commit(session, fn, **ids)`: the jobs are handed to the queue by
`dispatch_after_commit(session)` once the commit has succeeded, and dropped on rollback.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

JobFn = Callable[..., Awaitable[None]]
JsonScalar = str | int | float | bool | None

_PENDING = "hotelbot.pending_jobs"
_QUEUE = "hotelbot.queue"


@dataclass(frozen=True)
class Job:
    name: str
    fn: JobFn
    retries: int = 5


REGISTRY: dict[str, Job] = {}


def job(name: str, *, retries: int = 5) -> Callable[[JobFn], JobFn]:
    """Register `fn` under a dotted name (`conversation.process_inbound`)."""

    def register(fn: JobFn) -> JobFn:
        if name in REGISTRY and REGISTRY[name].fn is not fn:
            raise ValueError(f"job {name!r} registered twice")
        REGISTRY[name] = Job(name=name, fn=fn, retries=retries)
        fn.job_name = name  # type: ignore[attr-defined]
        return fn

    return register


def job_for(fn: JobFn) -> Job:
    return REGISTRY[fn.job_name]  # type: ignore[attr-defined]


class JobQueue(Protocol):
    """What the app needs of a queue engine (in-process, procrastinate, ...)."""

    async def enqueue(self, job: Job, /, **kwargs: JsonScalar) -> None:
        """Hand a job to the engine. May coalesce with an identical job not yet started."""
        ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


def bind_queue(session_info: dict[str, Any], queue: JobQueue) -> None:
    """Attach `queue` to sessions made with `info=session_info` (see kit.db)."""
    session_info[_QUEUE] = queue


def enqueue_after_commit(session: AsyncSession, fn: JobFn, /, **kwargs: JsonScalar) -> None:
    """Queue `fn(**kwargs)` to be handed to the queue once this session commits."""
    pending: list[tuple[Job, dict[str, JsonScalar]]] = session.info.setdefault(_PENDING, [])
    item = (job_for(fn), kwargs)
    if item not in pending:
        pending.append(item)


def discard_enqueued(session: AsyncSession) -> None:
    """Forget jobs enqueued in this session (call on rollback)."""
    session.info.pop(_PENDING, None)


async def dispatch_after_commit(session: AsyncSession) -> None:
    """Hand this session's enqueued jobs to its queue. Call only after a successful commit.

    If this fails (queue down, process killed), nothing is lost: the periodic sweep finds the
    rows still pending and enqueues them again.
    """
    pending: list[tuple[Job, dict[str, JsonScalar]]] = session.info.pop(_PENDING, [])
    if not pending:
        return
    queue: JobQueue = session.info[_QUEUE]
    for job_, kwargs in pending:
        await queue.enqueue(job_, **kwargs)
