"""The whole product in one process, for scripted conversations.

One ASGI app carries the chatbot API (webhook), the PMS service (built-in adapter, demo hotel)
and the WhatsApp sandbox, exactly as `hotelbot run` assembles them; the in-process worker runs
the real jobs; every HTTP call between them (webhook delivery, Graph API sends, PMS calls) goes
through `httpx.ASGITransport` to that app. Chatbot tables use the shared DB fixtures (SQLite or
Postgres); the PMS gets its own database, seeded with the demo hotel as of the real today,
because the engine reads "today" from the wall clock (there is no clock seam in the jobs).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from hotelbot.kit.db import create_engine, create_sessionmaker, session_scope
from hotelbot.pms import migrate as pms_migrate
from hotelbot.pms.adapters.builtin import demo
from hotelbot.pms.adapters.builtin.models import PmsBase
from hotelbot.settings import Settings
from tests.conftest import POSTGRES_URL, _create_postgres_database, _drop_postgres_database
from tests.conversations.harness import Stack, open_stack

PMS_TOKEN = "conversations-pms-token"
#: Where the one in-process app is reached; the PMS client and webhooks use it too.
BASE_URL = "http://hotelbot.test"


async def _migrate_and_seed(url: str) -> None:
    engine = create_engine(url)
    await pms_migrate.upgrade(engine)
    async with session_scope(create_sessionmaker(engine)) as session:
        await demo.ensure_demo_hotel(session, now=dt.datetime.now(dt.UTC))
    await engine.dispose()


@pytest.fixture(scope="session")
def conversation_pms_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if POSTGRES_URL:
        name = f"hotelbot_conv_pms_{uuid.uuid4().hex[:10]}"
        url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
        asyncio.run(_create_postgres_database(POSTGRES_URL, name))
        asyncio.run(_migrate_and_seed(url))
        yield url
        asyncio.run(_drop_postgres_database(POSTGRES_URL, name))
        return
    path = tmp_path_factory.mktemp("conversation-pms") / "pms.db"
    asyncio.run(_migrate_and_seed(f"sqlite+aiosqlite:///{path}"))
    yield str(path)


@pytest.fixture
async def conversation_pms_engine(
    conversation_pms_template: str, tmp_path: Path
) -> AsyncIterator[AsyncEngine]:
    if POSTGRES_URL:
        url = conversation_pms_template
    else:
        target = tmp_path / "pms.db"
        shutil.copyfile(conversation_pms_template, target)
        url = f"sqlite+aiosqlite:///{target}"
    engine = create_engine(url, pool_size=5, max_overflow=5)
    yield engine
    if POSTGRES_URL:
        # One database per run: empty it and re-seed so the next script starts from the demo.
        async with engine.begin() as conn:
            names = ", ".join(f'"{t.name}"' for t in PmsBase.metadata.sorted_tables)
            await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        async with session_scope(create_sessionmaker(engine)) as session:
            await demo.ensure_demo_hotel(session, now=dt.datetime.now(dt.UTC))
    await engine.dispose()


@pytest.fixture
async def stack(
    settings: Settings, engine: AsyncEngine, conversation_pms_engine: AsyncEngine
) -> AsyncIterator[Stack]:
    async with open_stack(settings, create_sessionmaker(conversation_pms_engine)) as opened:
        yield opened
