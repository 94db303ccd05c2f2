"""message relay references

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 09:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("relay_chat_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("relay_message_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            "ix_messages_relay", ["relay_chat_id", "relay_message_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index("ix_messages_relay")
        batch_op.drop_column("relay_message_id")
        batch_op.drop_column("relay_chat_id")
