"""The chatbot's Alembic migrations, applied at start-up, by the tests and `hotelbot migrate`."""

from __future__ import annotations

from pathlib import Path

from hotelbot.kit.migrations import MigrationSet

MIGRATIONS = MigrationSet(Path(__file__).parent / "migrations")
upgrade = MIGRATIONS.upgrade
downgrade = MIGRATIONS.downgrade
