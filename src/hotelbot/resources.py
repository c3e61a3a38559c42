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
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from hotelbot.kit import crypto
from hotelbot.embedded import cipher_from
from hotelbot.kit.db import create_engine, create_sessionmaker
from hotelbot.kit.jobs import JobQueue, bind_queue
from hotelbot.settings import Settings


@dataclass
class Resources:
    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    queue: JobQueue
    #: Transport for outbound HTTP (tests pass an ASGI transport to reach in-process fakes).
    http_transport: httpx.AsyncBaseTransport | None = None
    extras: dict[str, Any] = field(default_factory=dict)


@asynccontextmanager
async def open_resources(
    settings: Settings,
    queue: JobQueue,
    *,
    http_transport: httpx.AsyncBaseTransport | None = None,
) -> AsyncIterator[Resources]:
    """Build the process's resources; dispose of them on exit."""
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
        http_transport=http_transport,
    )
    try:
        yield resources
    finally:
        await engine.dispose()
