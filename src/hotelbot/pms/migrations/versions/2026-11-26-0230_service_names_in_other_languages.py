"""service and room-service menu names in other languages

Revision ID: 3b7d9e1f5a24
Revises: 8e2f4c6a1d90
Create Date: 2026-11-26 02:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3b7d9e1f5a24"
down_revision: str | None = "8e2f4c6a1d90"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ADD/DROP COLUMN, no batch mode: on SQLite a batch rebuilds the table, which breaks the
# foreign keys of rows pointing at it.


def upgrade() -> None:
    op.add_column(
        "pms_services", sa.Column("names", sa.JSON(), nullable=False, server_default="{}")
    )


def downgrade() -> None:
    op.drop_column("pms_services", "names")
