"""seal conversation state

The engine's state holds what a guest typed mid-flow (a surname with a booking reference, the
name and e-mail for a booking), so it is encrypted at rest like every other guest field. The
values are re-encrypted into a new text column with the process's installed field cipher
(`hotelbot migrate` and `hotelbot run` install it before migrating), which then takes the old
column's name. Only ADD, DROP and RENAME COLUMN are used: on SQLite anything else rebuilds the
table, and dropping `conversations` while messages point at it breaks their foreign keys.

Revision ID: 5c1d7e9a2b34
Revises: 23b8e3762482
Create Date: 2026-11-26 01:30:00
"""

from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from hotelbot.kit import crypto

revision: str = "5c1d7e9a2b34"
down_revision: str | None = "23b8e3762482"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NEW = "state_rewritten"


def upgrade() -> None:
    _rewrite(sa.Text(), lambda cipher, value: cipher.encrypt(value))


def downgrade() -> None:
    _rewrite(sa.JSON(), lambda cipher, value: cipher.decrypt(value))


def _rewrite(
    type_: sa.types.TypeEngine[Any], change: Callable[[crypto.FieldCipher, str], str]
) -> None:
    """Copy `state` through `change` into a new column of `type_`, then put it in its place."""
    op.add_column("conversations", sa.Column(_NEW, type_, nullable=True))
    table = sa.table(
        "conversations",
        sa.column("id", sa.Uuid()),
        sa.column("state", sa.Text()),
        sa.column(_NEW, sa.Text()),
    )
    connection = op.get_bind()
    rows = connection.execute(sa.select(table.c.id, sa.cast(table.c.state, sa.Text()))).all()
    # PostgreSQL wants text cast to JSON explicitly; SQLite stores JSON as text anyway.
    typed = connection.dialect.name == "postgresql" and not isinstance(type_, sa.Text)
    cipher = crypto.installed() if rows else None  # a clear RuntimeError without the keys
    for row_id, value in rows:
        if value is None or cipher is None:
            continue
        new = change(cipher, str(value))
        connection.execute(
            table.update()
            .where(table.c.id == row_id)
            .values({_NEW: sa.cast(sa.literal(new, sa.Text()), type_) if typed else new})
        )
    op.drop_column("conversations", "state")
    op.alter_column("conversations", _NEW, new_column_name="state")
