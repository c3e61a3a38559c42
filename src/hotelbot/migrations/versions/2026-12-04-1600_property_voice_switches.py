"""property voice switches

Two per-property switches for voice notes (issue 12): `voice_replies` (answer a guest who spoke
with a voice note beside the text, on by default) and `keep_voice_audio` (keep the guest's
audio after transcription, off by default). ADD COLUMN only, with server defaults for the rows
that exist.

Revision ID: 39848cf49452
Revises: 8e41c0d7a9f2
Create Date: 2026-12-04 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "39848cf49452"
down_revision: str | None = "8e41c0d7a9f2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "properties",
        sa.Column("voice_replies", sa.Boolean(), server_default=sa.true(), nullable=False),
    )
    op.add_column(
        "properties",
        sa.Column("keep_voice_audio", sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade() -> None:
    # Plain DROP COLUMN: on SQLite a batch rebuild would break the conversations' foreign keys.
    op.drop_column("properties", "keep_voice_audio")
    op.drop_column("properties", "voice_replies")
