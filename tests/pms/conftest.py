"""PMS fixtures: a database with the PMS migrations applied, the demo hotel, the PMS app.

SQLite: a migrated + seeded template file copied per test. Postgres: one database per run
(migrated and seeded once); every PMS table is truncated after each test and the demo hotel
re-seeded, so tests stay independent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from hotelbot.kit.db import create_engine, create_sessionmaker, session_scope
from hotelbot.pms import migrate
from hotelbot.pms.adapters.builtin import demo
from hotelbot.pms.adapters.builtin.adapter import BuiltinAdapter
from hotelbot.pms.adapters.builtin.models import PmsBase
from hotelbot.pms.app import create_pms_app
from hotelbot.pms.service import PmsRuntime
from hotelbot.settings import CryptoSettings, PmsSettings, Settings, WhatsAppSettings
from tests.conftest import (
    POSTGRES_URL,
    TEST_BLIND_KEY,
    TEST_FIELD_KEYS,
    database_copy,
    template_database,
)

#: A fixed "now" (UTC) for the PMS clock: the demo calendar starts on its local date.
NOW = dt.datetime(2031, 3, 3, 9, 0, tzinfo=dt.UTC)
TODAY = dt.date(2031, 3, 3)
TOKEN = "test-token-all-properties"
SCOPED_TOKEN = "test-token-other-hotel"
OTHER_PROPERTY = "00000000-0000-4000-8000-00000000beef"


class Clock:
    """A settable clock injected into the built-in adapter."""

    def __init__(self, now: dt.datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


async def _migrate_and_seed(url: str) -> None:
    engine = create_engine(url)
    await migrate.upgrade(engine)
    async with session_scope(create_sessionmaker(engine)) as session:
        await demo.ensure_demo_hotel(session, now=NOW)
    await engine.dispose()


@pytest.fixture(scope="session")
def pms_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from template_database(tmp_path_factory, "hotelbot_pms_test", _migrate_and_seed)


@pytest.fixture
def pms_db_url(pms_template: str, tmp_path: Path) -> str:
    return database_copy(pms_template, tmp_path, "pms.db")


@pytest.fixture
async def pms_engine(pms_db_url: str) -> AsyncIterator[AsyncEngine]:
    # 25 connections: enough for real races, and the shared server has others to serve.
    engine = create_engine(pms_db_url, pool_size=10, max_overflow=15)
    yield engine
    if POSTGRES_URL:
        async with engine.begin() as conn:
            names = ", ".join(f'"{t.name}"' for t in PmsBase.metadata.sorted_tables)
            await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        async with session_scope(create_sessionmaker(engine)) as session:
            await demo.ensure_demo_hotel(session, now=NOW)
    await engine.dispose()


@pytest.fixture
def pms_sessionmaker(pms_engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_sessionmaker(pms_engine)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def pms_settings(pms_db_url: str, tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path,
        whatsapp=WhatsAppSettings(sandbox=True),
        crypto=CryptoSettings(field_keys=TEST_FIELD_KEYS, blind_index_key=TEST_BLIND_KEY),
        pms=PmsSettings(
            database_url=pms_db_url,
            token=SecretStr(TOKEN),
            tokens=SecretStr(f'{{"{SCOPED_TOKEN}": ["{OTHER_PROPERTY}"]}}'),
        ),
    )


@pytest.fixture
def runtime(
    pms_settings: Settings, pms_sessionmaker: async_sessionmaker[AsyncSession], clock: Clock
) -> PmsRuntime:
    return PmsRuntime(
        settings=pms_settings.pms,
        sessionmaker=pms_sessionmaker,
        builtin=BuiltinAdapter(pms_sessionmaker, clock=clock),
    )


@pytest.fixture
def pms_app(pms_settings: Settings, runtime: PmsRuntime):  # type: ignore[no-untyped-def]
    return create_pms_app(pms_settings, runtime=runtime)


@asynccontextmanager
async def authenticated_client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on an in-process PMS app, authenticated with the all-properties token."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://pms.test",
        headers={"Authorization": f"Bearer {TOKEN}"},
    ) as client:
        yield client


@pytest.fixture
async def pms_http(pms_app) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    """An HTTP client on the in-process PMS app, authenticated with the all-properties token."""
    async with authenticated_client(pms_app) as client:
        yield client
