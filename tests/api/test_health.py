"""`/healthz` says the process is up; `/readyz` says whether the database answers."""

from __future__ import annotations

from pathlib import Path

import httpx

from hotelbot.api.app import create_api_app
from hotelbot.kit.jobs import InProcessQueue
from hotelbot.resources import open_resources
from hotelbot.settings import DbSettings, Settings


async def get(settings: Settings, path: str) -> httpx.Response:
    async with open_resources(settings, InProcessQueue()) as resources:
        transport = httpx.ASGITransport(app=create_api_app(resources))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.get(path)


async def test_healthz_answers_while_the_process_runs(settings: Settings) -> None:
    response = await get(settings, "/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_is_ok_when_the_database_answers(settings: Settings) -> None:
    response = await get(settings, "/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}


async def test_readyz_is_503_when_sqlite_file_cannot_be_opened(
    settings: Settings, tmp_path: Path
) -> None:
    missing = tmp_path / "no" / "such" / "dir" / "hotelbot.db"
    broken = settings.model_copy(update={"db": DbSettings(url=f"sqlite+aiosqlite:///{missing}")})

    response = await get(broken, "/readyz")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "checks": {"database": "failed"}}


async def test_readyz_is_503_when_postgres_is_unreachable(settings: Settings) -> None:
    # Port 1 on loopback: nothing listens there, so the connection is refused at once.
    url = "postgresql+asyncpg://postgres@127.0.0.1:1/hotelbot"
    broken = settings.model_copy(update={"db": DbSettings(url=url)})

    response = await get(broken, "/readyz")

    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "failed"}
    # Liveness does not depend on the database.
    assert (await get(broken, "/healthz")).status_code == 200
