"""`ProcrastinateQueue`: the production `JobQueue`, on PostgreSQL with procrastinate 3.10.

Every job of `kit.jobs.REGISTRY` becomes a procrastinate task of the same name. An enqueue
carries a `queueing_lock` (the job's coalescing key), so an identical job still waiting absorbs
it; delays are `schedule_in`. Periodic jobs use procrastinate's periodic tasks, deferred once
per tick across all workers. Why procrastinate: docs/decisions/0001-queue-engine.md.

Retries are re-deferrals, not procrastinate's RetryStrategy: retrying a job in place sets it
back to `todo`, which violates the queueing-lock index whenever an identical job is already
waiting (procrastinate issues #1446, #1543). A fresh deferral with the same lock either waits
with backoff or is absorbed by the waiting twin, which does the same work (the rows are the
truth). Stalled jobs of killed workers are recovered the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Sequence
from typing import Any

import psycopg
import structlog
from procrastinate import App, JobContext, PsycopgConnector, exceptions
from procrastinate.jobs import Status
from procrastinate.schema import SchemaManager

from hotelbot.kit.jobs import (
    REGISTRY,
    Job,
    JsonScalar,
    OnOutcome,
    backoff_seconds,
    coalescing_key,
    is_retryable,
    run_with_context,
)

log = structlog.get_logger(__name__)

#: Job kwarg counting retries of one wake-up (not part of its identity).
ATTEMPT_KWARG = "_attempt"
#: Any fixed number: serialises schema creation between workers starting together.
_SCHEMA_LOCK_ID = 0x686F74656C626F74
_STALLED_TASK = "hotelbot.recover_stalled_jobs"


def cron_every(seconds: float) -> str:
    """A procrastinate cron (6th field = seconds) for "every `seconds`", rounded to what cron
    can say: a divisor of 60 below a minute, whole minutes above."""
    whole = max(1, round(seconds))
    if whole < 60:
        step = next(d for d in (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30) if d >= whole)
        return f"* * * * * */{step}"
    return f"*/{max(1, whole // 60)} * * * *"


class ProcrastinateQueue:
    """`JobQueue` over procrastinate. `start()` opens the pool and applies the schema once."""

    def __init__(
        self,
        conninfo: str,
        *,
        concurrency: int = 10,
        on_outcome: OnOutcome | None = None,
        stalled_worker_seconds: float = 30.0,
        backoff_base_seconds: float = 1.0,
        backoff_cap_seconds: float = 60.0,
    ) -> None:
        self._conninfo = conninfo
        self._concurrency = concurrency
        self._on_outcome = on_outcome
        self._stalled_seconds = stalled_worker_seconds
        self._backoff = (backoff_base_seconds, backoff_cap_seconds)
        self._context: Any = None
        # Jobs use the app's own database pool; procrastinate needs connections only to fetch,
        # finish, defer, listen and heartbeat, so a small pool keeps N processes under the
        # server's connection limit.
        self.app = App(connector=PsycopgConnector(conninfo=conninfo, min_size=1, max_size=6))

    async def start(self) -> None:
        await self.apply_schema()
        await self.app.open_async()

    async def stop(self) -> None:
        await self.app.close_async()

    async def apply_schema(self) -> None:
        """Create procrastinate's tables unless they exist (several workers may race here)."""
        async with await psycopg.AsyncConnection.connect(self._conninfo, autocommit=True) as conn:
            await conn.execute("SELECT pg_advisory_lock(%s)", (_SCHEMA_LOCK_ID,))
            try:
                found = await (
                    await conn.execute("SELECT to_regclass('procrastinate_jobs')")
                ).fetchone()
                if found is None or found[0] is None:
                    await conn.execute(SchemaManager.get_schema())
                    log.info("jobs.procrastinate.schema_applied")
            finally:
                await conn.execute("SELECT pg_advisory_unlock(%s)", (_SCHEMA_LOCK_ID,))

    async def enqueue(self, job: Job, /, **kwargs: JsonScalar) -> None:
        await self.schedule(job, 0.0, **kwargs)

    async def schedule(self, job: Job, delay_seconds: float, /, **kwargs: JsonScalar) -> None:
        payload: dict[str, JsonScalar] = json.loads(json.dumps(kwargs))
        await self._defer(job.name, payload, delay_seconds)

    async def _defer(self, name: str, payload: dict[str, Any], delay: float) -> None:
        identity = {k: v for k, v in payload.items() if k != ATTEMPT_KWARG}
        options: dict[str, Any] = {"queueing_lock": coalescing_key(REGISTRY[name], identity)}
        if delay > 0:
            options["schedule_in"] = {"seconds": delay}
        try:
            await self.app.configure_task(name, **options).defer_async(**payload)
        except exceptions.AlreadyEnqueued:
            log.debug("jobs.coalesced", job=name)

    async def work(
        self,
        context: Any,
        stop: asyncio.Event,
        *,
        periodic: Sequence[tuple[Job, float]] = (),
    ) -> None:
        """Run a procrastinate worker in this process until `stop` is set."""
        self._context = context
        self._register(periodic)
        worker = asyncio.create_task(
            self.app.run_worker_async(
                concurrency=self._concurrency,
                install_signal_handlers=False,
                delete_jobs="successful",
                update_heartbeat_interval=max(1.0, self._stalled_seconds / 3),
                stalled_worker_timeout=self._stalled_seconds,
                fetch_job_polling_interval=1.0,
                shutdown_graceful_timeout=10.0,
            )
        )
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait({worker, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        worker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await worker

    def _register(self, periodic: Sequence[tuple[Job, float]]) -> None:
        every = {job_.name: seconds for job_, seconds in periodic}
        for job_ in REGISTRY.values():
            if job_.name in self.app.tasks:
                continue
            task = self.app.task(name=job_.name, pass_context=True)(self._runner(job_))
            if job_.name in every:
                lock = coalescing_key(job_, {})
                self.app.periodic(cron=cron_every(every[job_.name]), queueing_lock=lock)(task)
        if _STALLED_TASK not in self.app.tasks:
            stalled = self.app.task(name=_STALLED_TASK, pass_context=True)(self._recover_stalled)
            self.app.periodic(cron=cron_every(self._stalled_seconds), queueing_lock=_STALLED_TASK)(
                stalled
            )

    def _runner(self, job_: Job) -> Any:
        async def run(context: JobContext, **kwargs: Any) -> None:
            await self._run(job_, kwargs)

        return run

    async def _run(self, job_: Job, kwargs: dict[str, Any]) -> None:
        kwargs.pop("timestamp", None)  # added by procrastinate to periodic jobs
        attempt = int(kwargs.pop(ATTEMPT_KWARG, 0) or 0)
        try:
            await run_with_context(job_, kwargs, self._context)
        except Exception as exc:
            attempt += 1
            if attempt > job_.retries or not is_retryable(exc):
                self._outcome(job_, "failed")
                log.error("jobs.failed", job=job_.name, attempts=attempt, exc_info=exc)
                raise
            delay = backoff_seconds(attempt, base=self._backoff[0], cap=self._backoff[1])
            self._outcome(job_, "retry")
            log.warning(
                "jobs.retry",
                job=job_.name,
                attempt=attempt,
                delay=delay,
                error=type(exc).__name__,
            )
            await self._defer(job_.name, {**kwargs, ATTEMPT_KWARG: attempt}, delay)
            return
        self._outcome(job_, "ok")

    async def _recover_stalled(self, context: JobContext, timestamp: int) -> None:
        """Jobs left `doing` by a worker that stopped sending heartbeats (killed): run again."""
        manager = self.app.job_manager
        stalled = await manager.get_stalled_jobs(seconds_since_heartbeat=self._stalled_seconds)
        for job_ in stalled:
            if job_.task_name == _STALLED_TASK or job_.task_name not in REGISTRY:
                continue
            await manager.finish_job(job_, status=Status.FAILED, delete_job=False)
            await self._defer(job_.task_name, dict(job_.task_kwargs), 0.0)
            log.warning("jobs.stalled.recovered", job=job_.task_name)

    def _outcome(self, job_: Job, outcome: str) -> None:
        if self._on_outcome is not None:
            self._on_outcome(job_.name, outcome)
