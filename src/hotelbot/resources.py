"""Long-lived objects a process holds for its lifetime (DB engine, queue, HTTP clients).

Built once by `open_resources()` and passed down explicitly: the API keeps them on
`app.state.hotelbot`, the worker hands them to every job as its first argument.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import structlog
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from hotelbot import metrics
from hotelbot.embedded import cipher_from
from hotelbot.engine.llm.provider import LlmProvider, provider_from
from hotelbot.kit import crypto
from hotelbot.kit.db import create_engine, create_sessionmaker
from hotelbot.kit.jobs import InProcessQueue, JobQueue, bind_queue
from hotelbot.kit.rate_limits import RateLimiter
from hotelbot.kit.wal import checkpointing
from hotelbot.pms.client import PmsClient
from hotelbot.rate_limits import limiter_from
from hotelbot.settings import QueueEngine, Settings
from hotelbot.voice.engines import Voice, voice_from
from hotelbot.whatsapp.client import GraphClient

log = structlog.get_logger(__name__)


@dataclass
class Resources:
    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    queue: JobQueue
    #: The WhatsApp Cloud API client (the sandbox's Graph endpoints in embedded mode).
    graph: GraphClient
    #: The PMS service's client (the PMS mounted in this process in embedded mode).
    pms: PmsClient
    #: Rate limits (`hotelbot.rate_limits`): guests in the worker, clients in the API.
    limiter: RateLimiter | None = None
    #: Transport for outbound HTTP (tests pass an ASGI transport to reach in-process fakes).
    http_transport: httpx.AsyncBaseTransport | None = None
    #: The model the engine may use; None = the offline engine alone.
    llm: LlmProvider | None = None
    extras: dict[str, Any] = field(default_factory=dict)
    #: Transcriber and voice for voice notes (`hotelbot.voice`); None when voice is not set up.
    voice: Voice | None = None


@asynccontextmanager
async def open_resources(
    settings: Settings,
    queue: JobQueue,
    *,
    http_transport: httpx.AsyncBaseTransport | None = None,
    pms_transport: httpx.AsyncBaseTransport | None = None,
) -> AsyncIterator[Resources]:
    """Build the process's resources; dispose of them on exit.

    `pms_transport` reaches an in-process PMS app in tests; otherwise `http_transport` is used.
    """
    crypto.install(cipher_from(settings))
    engine = create_engine(
        settings.database_url,
        pool_size=settings.db.pool_size,
        max_overflow=settings.db.max_overflow,
        echo=settings.db.echo,
    )
    info: dict[str, Any] = {}
    bind_queue(info, queue)
    resources = Resources(
        settings=settings,
        engine=engine,
        sessionmaker=create_sessionmaker(engine, info=info),
        queue=queue,
        graph=graph_client_from(settings, transport=http_transport),
        pms=PmsClient.from_settings(settings, transport=pms_transport or http_transport),
        limiter=limiter_from(settings),
        http_transport=http_transport,
        llm=provider_from(settings.llm, base_url=settings.base_url),
        voice=voice_from(settings.voice),
    )
    # Every process that sends (api, worker, run) says where, once: host only, never the token.
    log.info(
        "whatsapp.send_target",
        host=settings.graph_host,
        api_version=settings.whatsapp.api_version,
        sandbox=settings.sends_to_sandbox,
    )
    try:
        # Started here so every process (API, worker, run) can enqueue as soon as it serves.
        await queue.start()
        # SQLite: the log is checkpointed in the background, not inside commits (kit/wal.py).
        async with checkpointing(engine):
            yield resources
    finally:
        await queue.stop()
        await resources.graph.aclose()
        await resources.pms.aclose()
        if resources.llm is not None:
            await resources.llm.aclose()
        await engine.dispose()


def graph_client_from(
    settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None
) -> GraphClient:
    return GraphClient(
        settings.graph_url,
        settings.whatsapp.access_token.get_secret_value(),
        transport=transport,
        messages_per_second=settings.whatsapp.messages_per_second,
        timeout=settings.whatsapp.send_timeout_seconds,
    )


def queue_from(settings: Settings) -> JobQueue:
    """The queue engine `settings.queue.engine` names (jobs are registered when they run)."""
    if settings.queue.engine is QueueEngine.PROCRASTINATE:
        from hotelbot.kit.queue_procrastinate import ProcrastinateQueue

        return ProcrastinateQueue(
            procrastinate_url(settings),
            concurrency=settings.queue.concurrency,
            on_outcome=_count_job_run,
            stalled_worker_seconds=settings.queue.stalled_worker_seconds,
        )
    return InProcessQueue(concurrency=settings.queue.concurrency, on_outcome=_count_job_run)


def procrastinate_url(settings: Settings) -> str:
    """A libpq URL for procrastinate (psycopg 3): `queue.url`, else `db.url` minus the driver."""
    if settings.queue.url:
        return settings.queue.url
    from sqlalchemy.engine import make_url

    url = make_url(settings.database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _count_job_run(job_name: str, outcome: str) -> None:
    metrics.JOB_RUNS.labels(job=job_name, status=outcome).inc()
