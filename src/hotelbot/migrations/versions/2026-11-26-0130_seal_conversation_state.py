"""seal conversation state

The engine's state holds what a guest typed mid-flow (a surname with a booking reference, the
name and e-mail for a booking), so it is encrypted at rest like every other guest field. Rows
are re-encrypted in place with the process's installed field cipher (`hotelbot migrate` and
`hotelbot run` install it before migrating).

Revision ID: 5c1d7e9a2b34
Revises: 23b8e3762482
Create Date: 2026-11-26 01:30:00
"""

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

from hotelbot.kit import crypto

revision: str = "5c1d7e9a2b34"
down_revision: str | None = "23b8e3762482"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_conversations = sa.table(
    "conversations", sa.column("id", sa.Uuid()), sa.column("state", sa.Text())
)


def upgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.alter_column(
            "state", type_=sa.Text(), existing_nullable=False, postgresql_using="state::text"
        )
    _rewrite(lambda cipher, value: cipher.encrypt(value))


def downgrade() -> None:
    _rewrite(lambda cipher, value: cipher.decrypt(value))
    with op.batch_alter_table("conversations") as batch:
        batch.alter_column(
            "state", type_=sa.JSON(), existing_nullable=False, postgresql_using="state::json"
        )


def _rewrite(change: Callable[[crypto.FieldCipher, str], str]) -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.select(_conversations.c.id, _conversations.c.state)).all()
    if not rows:
        return
    cipher = crypto.installed()  # a clear RuntimeError when run without the keys
    for row_id, value in rows:
        connection.execute(
            _conversations.update()
            .where(_conversations.c.id == row_id)
            .values(state=change(cipher, str(value)))
        )
