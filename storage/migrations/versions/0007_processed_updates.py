"""processed updates

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 12:20:00

``processed_updates`` remembers which Telegram updates were handled, so an update
delivered twice (a webhook retry) is handled once, on any process.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "processed_updates",
        sa.Column("bot_id", sa.BigInteger(), nullable=False),
        sa.Column("update_id", sa.BigInteger(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("bot_id", "update_id", name=op.f("pk_processed_updates")),
    )
    op.create_index(
        "ix_processed_updates_received", "processed_updates", ["received_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_processed_updates_received", table_name="processed_updates")
    op.drop_table("processed_updates")
