"""The built-in PMS's migrations build exactly the tables its models describe, both ways."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from hotelbot.pms import migrate
from hotelbot.pms.adapters.builtin.models import PmsBase
from tests.migrations.schema import schema_diff, table_names


async def test_migrated_pms_schema_matches_the_models(pms_engine: AsyncEngine) -> None:
    assert (
        await schema_diff(pms_engine, PmsBase.metadata, version_table=migrate.VERSION_TABLE) == []
    )


async def test_pms_downgrade_to_base_and_upgrade_again(pms_engine: AsyncEngine) -> None:
    await migrate.downgrade(pms_engine, "base")
    assert not await table_names(pms_engine) & set(PmsBase.metadata.tables)
    await migrate.upgrade(pms_engine)
    assert (
        await schema_diff(pms_engine, PmsBase.metadata, version_table=migrate.VERSION_TABLE) == []
    )
