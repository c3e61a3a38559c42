"""The webhook tests' API: the real app over fresh resources, reached through httpx."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from hotelbot.api.app import create_api_app
from hotelbot.resources import open_resources
from hotelbot.settings import Settings
from tests.api.helpers import Api
from tests.factories.property import make_property
from tests.fakes.queue import RecordingQueue


@pytest.fixture
async def api_factory(
    settings: Settings, session: AsyncSession
) -> AsyncIterator[Callable[..., Any]]:
    """Build the API over fresh resources; `wrap` lets a test sit between client and app."""
    await make_property(session)
    await session.commit()
    stack: list[Any] = []

    async def build(wrap: Callable[[Any], Any] | None = None, root_path: str = "") -> Api:
        queue = RecordingQueue()
        resources_cm = open_resources(settings, queue)
        resources = await resources_cm.__aenter__()
        stack.append(resources_cm)
        app = create_api_app(resources)
        transport = httpx.ASGITransport(app=wrap(app) if wrap else app, root_path=root_path)
        client = httpx.AsyncClient(transport=transport, base_url="http://hotelbot.test")
        stack.append(client)
        secret = settings.whatsapp.app_secret.get_secret_value()
        return Api(client=client, queue=queue, resources=resources, secret=secret)

    yield build
    for item in reversed(stack):
        await item.__aexit__(None, None, None)


@pytest.fixture
async def api(api_factory: Callable[..., Any]) -> Api:
    built: Api = await api_factory()
    return built
