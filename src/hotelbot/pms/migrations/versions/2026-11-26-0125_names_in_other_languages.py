"""room type and rate plan names in other languages

Revision ID: 8e2f4c6a1d90
Revises: de421392af78
Create Date: 2026-11-26 01:25:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8e2f4c6a1d90"
down_revision: str | None = "de421392af78"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = ("pms_room_types", "pms_rate_plans")


# Plain ADD/DROP COLUMN, no batch mode: on SQLite a batch rebuilds the table, and dropping
# pms_room_types while rooms and prices point at it breaks their foreign keys.


def upgrade() -> None:
    for table in _TABLES:
        op.add_column(table, sa.Column("names", sa.JSON(), nullable=False, server_default="{}"))


def downgrade() -> None:
    for table in _TABLES:
        op.drop_column(table, "names")
