"""Shared fixtures: settings, a migrated database per test, the field cipher.

SQLite by default (a copy of a migrated template file per test). When
HOTELBOT_TEST_DATABASE_URL points at PostgreSQL (`postgresql+asyncpg://...`), a fresh database
is created for the run, migrated once, and every table is truncated after each test.
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import logging
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

import pytest
import structlog
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from hotelbot import migrate
from hotelbot.kit import crypto
from hotelbot.kit.db import Base, create_engine, create_sessionmaker
from hotelbot.kit.logging import configure_logging
from hotelbot.settings import CryptoSettings, DbSettings, Settings, WhatsAppSettings

#: The sandbox OpenAI server on a loopback port (`openai_server`, `openai_model`, `dead_url`).
pytest_plugins = ["tests.llm_server"]

TEST_FIELD_KEYS = "1:" + base64.b64encode(b"k" * 32).decode()
TEST_BLIND_KEY = base64.b64encode(b"b" * 32).decode()
POSTGRES_URL = os.environ.get("HOTELBOT_TEST_DATABASE_URL", "")


def test_cipher() -> crypto.FieldCipher:
    return crypto.FieldCipher(
        keys=crypto.parse_keys(TEST_FIELD_KEYS), blind_index_key=base64.b64decode(TEST_BLIND_KEY)
    )


@pytest.fixture(autouse=True, scope="session")
def _cipher() -> None:
    crypto.install(test_cipher())


async def _create_postgres_database(admin_url: str, name: str) -> None:
    engine = create_engine(admin_url)
    async with engine.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await engine.dispose()


async def _drop_postgres_database(admin_url: str, name: str) -> None:
    engine = create_engine(admin_url)
    async with engine.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await engine.dispose()


async def _migrate(url: str) -> None:
    engine = create_engine(url)
    await migrate.upgrade(engine)
    await engine.dispose()


def template_database(
    tmp_path_factory: pytest.TempPathFactory,
    prefix: str,
    prepare: Callable[[str], Coroutine[Any, Any, None]],
) -> Iterator[str]:
    """Body of a session fixture: a database `prepare`d once for the run.

    Postgres: a fresh database named `<prefix>_<random>`, dropped at the end; yields its URL.
    SQLite: a template file; yields its path, for `database_copy` to copy per test.
    """
    if POSTGRES_URL:
        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
        asyncio.run(_create_postgres_database(POSTGRES_URL, name))
        asyncio.run(prepare(url))
        yield url
        asyncio.run(_drop_postgres_database(POSTGRES_URL, name))
        return
    path = tmp_path_factory.mktemp(prefix) / "template.db"
    asyncio.run(prepare(f"sqlite+aiosqlite:///{path}"))
    yield str(path)


def database_copy(template: str, tmp_path: Path, filename: str) -> str:
    """A clean database for one test: a copy of the SQLite template, or the run's Postgres
    database (whose fixtures truncate it after each test)."""
    if POSTGRES_URL:
        return template
    target = tmp_path / filename
    shutil.copyfile(template, target)
    return f"sqlite+aiosqlite:///{target}"


@pytest.fixture(scope="session")
def migrated_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of a migrated database (Postgres) or template file (SQLite) for this run."""
    yield from template_database(tmp_path_factory, "hotelbot_test", _migrate)


@pytest.fixture
def db_url(migrated_db: str, tmp_path: Path) -> str:
    """A clean migrated database for this test."""
    return database_copy(migrated_db, tmp_path, "hotelbot.db")


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path,
        db=DbSettings(url=db_url),
        whatsapp=WhatsAppSettings(sandbox=True),
        crypto=CryptoSettings(field_keys=TEST_FIELD_KEYS, blind_index_key=TEST_BLIND_KEY),
    )


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(db_url)
    yield engine
    if POSTGRES_URL:
        async with engine.begin() as conn:
            names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    await engine.dispose()


@pytest.fixture
def sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_sessionmaker(engine)


@pytest.fixture
async def session(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """A session for arranging and asserting; the test commits when the code under test needs it."""
    async with sessionmaker() as session:
        yield session


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    """JSON logs into a buffer, as in production; the previous setup is restored afterwards."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    stream = io.StringIO()
    configure_logging("INFO", "json", stream=stream)
    yield stream
    root.handlers, _ = saved
    root.setLevel(saved[1])
    structlog.reset_defaults()


def log_lines(stream: io.StringIO) -> list[dict[str, Any]]:
    """The JSON log lines written to `log_output`, in order."""
    return [json.loads(line) for line in stream.getvalue().splitlines() if line]
