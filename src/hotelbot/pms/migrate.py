"""The PMS service's own Alembic migrations (version table `pms_alembic_version`)."""

from __future__ import annotations

from pathlib import Path

from hotelbot.kit.migrations import MigrationSet

VERSION_TABLE = "pms_alembic_version"
MIGRATIONS = MigrationSet(Path(__file__).parent / "migrations", version_table=VERSION_TABLE)
upgrade = MIGRATIONS.upgrade
downgrade = MIGRATIONS.downgrade
