"""The migrations build exactly the schema the models describe (what `alembic check` checks)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from hotelbot import migrate, models  # noqa: F401  (models registers every table)
from hotelbot.kit.db import Base
from tests.migrations.schema import schema_diff, table_names


async def test_migrated_schema_matches_the_models(engine: AsyncEngine) -> None:
    assert await schema_diff(engine, Base.metadata) == []


async def test_downgrade_to_base_and_upgrade_again(engine: AsyncEngine) -> None:
    await migrate.downgrade(engine, "base")
    assert not await table_names(engine) & set(Base.metadata.tables)
    await migrate.upgrade(engine)
    assert await schema_diff(engine, Base.metadata) == []
