"""The in-process stack the end-to-end tests share: API, in-process worker and sandbox in one
event loop, wired through ASGI transports (no sockets)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from hotelbot.api.app import create_api_app
from hotelbot.kit.db import session_scope
from hotelbot.kit.jobs import InProcessQueue
from hotelbot.resources import Resources, open_resources
from hotelbot.sandbox.app import build_sandbox, install_sandbox
from hotelbot.sandbox.state import Faults, Sandbox
from hotelbot.settings import Settings
from hotelbot.worker.main import start_background
from tests.factories.property import make_property


class LateApp:
    """An ASGI app set after the resources that need a transport to it are built."""

    app: Any = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)


@dataclass
class Stack:
    resources: Resources
    queue: InProcessQueue
    sandbox: Sandbox
    client: httpx.AsyncClient

    async def settle(self) -> None:
        """Wait until no job and no status webhook is in flight."""
        while self.queue._tasks or self.sandbox._tasks:
            await self.queue.drain()
            await self.sandbox.drain()


@pytest.fixture
async def stack(settings: Settings, engine: Any) -> AsyncIterator[Stack]:
    settings.queue.burst_window_seconds = 0.05
    late = LateApp()
    transport = httpx.ASGITransport(app=late)
    queue = InProcessQueue(concurrency=4, backoff_base_seconds=0.01, backoff_cap_seconds=0.05)
    async with open_resources(settings, queue, http_transport=transport) as resources:
        async with session_scope(resources.sessionmaker) as session:
            await make_property(session)
        app = create_api_app(resources)
        sandbox = build_sandbox(settings, webhook_transport=transport)
        sandbox.set_faults(Faults(status_delay_ms=0, seed=11))
        install_sandbox(app, sandbox)
        late.app = app
        worker = start_background(resources)
        async with httpx.AsyncClient(transport=transport, base_url="http://hotelbot") as client:
            yield Stack(resources, queue, sandbox, client)
        await worker.stop()
        await sandbox.aclose()
