"""Background jobs: a registry, a queue Protocol, enqueue-after-commit, and the in-process queue.

A job is `async def fn(context, **ids) -> None`, registered with `@job("domain.verb")`; the
context is the process's `Resources`. Payloads are ids only (JSON scalars); the database rows
are the truth and the queue is only a wake-up call, so every job must be safe to run twice.
Enqueue from inside a unit of work with `enqueue_after_commit(session, fn, **ids)`: the jobs are
handed to the queue by `dispatch_after_commit(session)` once the commit has succeeded, and
dropped on rollback. Engines: `InProcessQueue` (here, embedded mode and tests) and
`ProcrastinateQueue` (`kit/queue_procrastinate.py`, production on PostgreSQL).
The enqueuer's correlation id rides along as the `_correlation_id` kwarg; every engine runs a
job through `run_with_context()`, which binds it again so the job's logs share the webhook's id.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from hotelbot.kit.logging import bind_correlation_id, current_correlation_id

JobFn = Callable[..., Awaitable[None]]
JsonScalar = str | int | float | bool | None
Sleep = Callable[[float], Awaitable[None]]
#: Called once per job run with (job name, outcome): "ok", "retry" or "failed".
OnOutcome = Callable[[str, str], None]

_PENDING = "hotelbot.pending_jobs"
_QUEUE = "hotelbot.queue"
#: Job kwarg carrying the enqueuer's correlation id; `run_with_context()` removes it.
CORRELATION_KWARG = "_correlation_id"

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    fn: JobFn
    #: How many times a failed run is retried (with exponential backoff) before giving up.
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


def is_retryable(exc: BaseException) -> bool:
    """Our errors say whether a retry can help; an unknown exception is given the benefit."""
    retryable = getattr(exc, "retryable", None)
    return retryable is None or bool(retryable)


def backoff_seconds(attempt: int, *, base: float = 1.0, cap: float = 60.0) -> float:
    """Delay before retry number `attempt` (1, 2, 3 …): base, 2·base, 4·base …, capped."""
    return float(min(cap, base * 2 ** (attempt - 1)))


def coalescing_key(job_: Job, kwargs: dict[str, JsonScalar]) -> str:
    """Two enqueues with the same key are the same wake-up call (engines coalesce on it)."""
    # `_`-prefixed kwargs (correlation id, retry count) are context, not identity: two
    # requests' wake-ups are still one job.
    ids = {k: v for k, v in kwargs.items() if not k.startswith("_")}
    return job_.name + ":" + json.dumps(ids, sort_keys=True, separators=(",", ":"))


async def run_with_context(job_: Job, kwargs: Mapping[str, JsonScalar], context: Any) -> None:
    """Run `job_` as every queue engine must: under the correlation id it was enqueued with.

    Pops `_correlation_id` from (a copy of) `kwargs`, binds it (or a fresh id for jobs enqueued
    outside a request, e.g. by the sweeper) and awaits `job_.fn(context, **ids)`.
    """
    ids = dict(kwargs)
    correlation = ids.pop(CORRELATION_KWARG, None)
    with bind_correlation_id(str(correlation) if correlation else None):
        await job_.fn(context, **ids)


class JobQueue(Protocol):
    """What the app needs of a queue engine (in-process, procrastinate, ...)."""

    async def enqueue(self, job: Job, /, **kwargs: JsonScalar) -> None:
        """Hand a job to the engine. May coalesce with an identical job not yet started."""
        ...

    async def schedule(self, job: Job, delay_seconds: float, /, **kwargs: JsonScalar) -> None:
        """Like `enqueue`, but the job does not start before `delay_seconds` have passed."""
        ...

    async def start(self) -> None:
        """Open the engine's connections: from now on `enqueue` works (API and worker)."""
        ...

    async def work(
        self,
        context: Any,
        stop: asyncio.Event,
        *,
        periodic: Sequence[tuple[Job, float]] = (),
    ) -> None:
        """Run jobs in this process, each called with `context`, until `stop` is set.

        `periodic` lists jobs to enqueue every so many seconds (without arguments).
        """
        ...

    async def stop(self) -> None: ...


def bind_queue(session_info: dict[str, Any], queue: JobQueue) -> None:
    """Attach `queue` to sessions made with `info=session_info` (see kit.db)."""
    session_info[_QUEUE] = queue


def enqueue_after_commit(session: AsyncSession, fn: JobFn, /, **kwargs: JsonScalar) -> None:
    """Queue `fn(**kwargs)` to be handed to the queue once this session commits."""
    schedule_after_commit(session, fn, 0.0, **kwargs)


def schedule_after_commit(
    session: AsyncSession, fn: JobFn, delay_seconds: float, /, **kwargs: JsonScalar
) -> None:
    """Like `enqueue_after_commit`, but the job does not start before `delay_seconds`."""
    pending: list[tuple[Job, dict[str, JsonScalar], float]] = session.info.setdefault(_PENDING, [])
    correlation = current_correlation_id()
    if correlation is not None:
        kwargs = {**kwargs, CORRELATION_KWARG: correlation}
    item = (job_for(fn), kwargs, delay_seconds)
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
    pending: list[tuple[Job, dict[str, JsonScalar], float]] = session.info.pop(_PENDING, [])
    if not pending:
        return
    queue: JobQueue = session.info[_QUEUE]
    for job_, kwargs, delay in pending:
        if delay > 0:
            await queue.schedule(job_, delay, **kwargs)
        else:
            await queue.enqueue(job_, **kwargs)


class InProcessQueue:
    """Jobs as asyncio tasks in this process: the embedded engine (`hotelbot run`) and tests.

    Same contract as the production engine, so tests exercise the real semantics: payloads
    round-trip through JSON (a non-serialisable payload fails at enqueue), an identical job not
    yet started absorbs a new enqueue, a failure whose `retryable` is true or unknown is retried
    with exponential backoff up to the job's `retries`, and at most `concurrency` jobs run at
    once. Nothing survives the process: the sweep re-enqueues what the rows say is pending.
    """

    def __init__(
        self,
        *,
        concurrency: int = 10,
        sleep: Sleep = asyncio.sleep,
        backoff_base_seconds: float = 1.0,
        backoff_cap_seconds: float = 60.0,
        on_outcome: OnOutcome | None = None,
    ) -> None:
        self._semaphore = asyncio.Semaphore(concurrency)
        self._sleep = sleep
        self._backoff = (backoff_base_seconds, backoff_cap_seconds)
        self._on_outcome = on_outcome
        self._context: Any = None
        self._ready = asyncio.Event()
        self._waiting: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    def bind(self, context: Any) -> None:
        """Set the first argument of every job and let queued jobs start (tests call this)."""
        self._context = context
        self._ready.set()

    async def start(self) -> None:
        """Nothing to open: enqueues are accepted at once and run once `bind`/`work` is called."""

    async def enqueue(self, job: Job, /, **kwargs: JsonScalar) -> None:
        await self.schedule(job, 0.0, **kwargs)

    async def schedule(self, job: Job, delay_seconds: float, /, **kwargs: JsonScalar) -> None:
        # Round-trip through JSON, as a real engine would store it: payload bugs fail here.
        payload: dict[str, JsonScalar] = json.loads(json.dumps(kwargs))
        key = coalescing_key(job, payload)
        if key in self._waiting:
            log.debug("jobs.coalesced", job=job.name)
            return
        self._waiting.add(key)
        task = asyncio.create_task(self._run(job, payload, key, delay_seconds))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, job: Job, payload: dict[str, JsonScalar], key: str, delay: float) -> None:
        attempt = 0
        while True:
            if delay > 0:
                await self._sleep(delay)
            await self._ready.wait()
            async with self._semaphore:
                self._waiting.discard(key)
                failure = await self._attempt(job, payload)
            if failure is None:
                return
            attempt += 1
            if attempt > job.retries or not is_retryable(failure):
                self._outcome(job, "failed")
                log.error("jobs.failed", job=job.name, attempts=attempt, exc_info=failure)
                return
            if key in self._waiting:
                # An identical job is already waiting to run: it will do this one's work.
                self._outcome(job, "retry")
                return
            self._waiting.add(key)
            delay = backoff_seconds(attempt, base=self._backoff[0], cap=self._backoff[1])
            self._outcome(job, "retry")
            log.warning(
                "jobs.retry",
                job=job.name,
                attempt=attempt,
                delay=delay,
                error=type(failure).__name__,
            )

    async def _attempt(self, job: Job, payload: dict[str, JsonScalar]) -> Exception | None:
        try:
            await run_with_context(job, payload, self._context)
        except Exception as exc:
            return exc
        self._outcome(job, "ok")
        return None

    def _outcome(self, job: Job, outcome: str) -> None:
        if self._on_outcome is not None:
            self._on_outcome(job.name, outcome)

    async def drain(self) -> None:
        """Wait until no job is waiting, backing off or running (tests)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def work(
        self,
        context: Any,
        stop: asyncio.Event,
        *,
        periodic: Sequence[tuple[Job, float]] = (),
    ) -> None:
        """Run jobs with `context` until `stop` is set, enqueuing `periodic` jobs on their beat."""
        self.bind(context)
        async with asyncio.TaskGroup() as group:
            for job_, every in periodic:
                group.create_task(self._beat(job_, every, stop))
            group.create_task(stop.wait())

    async def _beat(self, job: Job, every: float, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await self.enqueue(job)
            try:
                await asyncio.wait_for(stop.wait(), timeout=every)
            except TimeoutError:
                continue

    async def stop(self) -> None:
        """Cancel what has not finished; the rows keep it pending for the next start's sweep."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)
        self._waiting.clear()
