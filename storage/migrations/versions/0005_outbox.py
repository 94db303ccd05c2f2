"""outbox: alerts stored with the change that caused them

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 12:10:00

``outbox_events`` holds each committed event until the delivery loop expands it into
``outbox_messages`` (one per chat), which are sent under leases and rate limits.
``users.blocked_bot_at`` records a 403 "bot was blocked" so nothing more is queued.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("blocked_bot_at", UTC_TIME, nullable=True))
    op.create_table(
        "outbox_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("expanded_at", UTC_TIME, nullable=True),
        sa.Column("claimed_until", UTC_TIME, nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_events")),
    )
    op.create_index(
        "ix_outbox_events_pending",
        "outbox_events",
        ["id"],
        unique=False,
        sqlite_where=sa.text("expanded_at IS NULL"),
        postgresql_where=sa.text("expanded_at IS NULL"),
    )
    op.create_table(
        "outbox_messages",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("chat", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("keyboard", sa.Text(), nullable=True),
        sa.Column("file_id", sa.String(length=256), nullable=True),
        sa.Column("file_kind", sa.String(length=16), nullable=True),
        sa.Column("after_sent", sa.String(length=64), nullable=True),
        sa.Column("digest", sa.String(length=32), nullable=True),
        sa.Column("ref_id", sa.BigInteger(), nullable=True),
        sa.Column("priority", sa.SmallInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("not_before", UTC_TIME, nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("claimed_until", UTC_TIME, nullable=True),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("sent_at", UTC_TIME, nullable=True),
        sa.Column("telegram_message_id", sa.BigInteger(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["outbox_events.id"],
            name=op.f("fk_outbox_messages_event_id_outbox_events"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_messages")),
    )
    op.create_index(
        "ix_outbox_messages_ready",
        "outbox_messages",
        ["priority", "id"],
        unique=False,
        sqlite_where=sa.text("status = 'pending'"),
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_index(
        "ix_outbox_messages_chat",
        "outbox_messages",
        ["chat", "status", "priority", "id"],
        unique=False,
    )
    op.create_index(
        "ix_outbox_messages_chat_created", "outbox_messages", ["chat", "created_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_messages_chat_created", table_name="outbox_messages")
    op.drop_index("ix_outbox_messages_chat", table_name="outbox_messages")
    op.drop_index("ix_outbox_messages_ready", table_name="outbox_messages")
    op.drop_table("outbox_messages")
    op.drop_index("ix_outbox_events_pending", table_name="outbox_events")
    op.drop_table("outbox_events")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("blocked_bot_at")
