"""payment receipts, pending refunds, dead letters

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 03:00:00

* ``payment_receipts`` journals money a gateway took before anything else runs, so a
  failure later in the update cannot lose it (the sweep credits what is left).
* ``payments.refund_*`` record a refund to the source as pending before the gateway is
  asked, so a lost reply can never pay the same money back twice.
* ``dead_letters`` keep updates that failed with a bug, to be replayed.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_PENDING = sa.text("refund_status = 'pending'")
_UNCREDITED = sa.text("credited_at IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "refund_status",
                sa.Enum(
                    "pending",
                    "done",
                    "refused",
                    name="refundstatus",
                    native_enum=False,
                    length=20,
                ),
                nullable=True,
            )
        )
        batch_op.add_column(
            sa.Column("refund_started_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("refund_next_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("refund_attempts", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("refund_error", sa.Text(), nullable=True))
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.alter_column("refund_attempts", server_default=None)
        batch_op.create_index(
            "ix_payments_refunds_due",
            ["refund_next_at"],
            unique=False,
            sqlite_where=_PENDING,
            postgresql_where=_PENDING,
        )

    op.create_table(
        "payment_receipts",
        sa.Column("id", _ID, nullable=False),
        sa.Column("charge_id", sa.String(length=255), nullable=False),
        sa.Column("payload", sa.String(length=128), nullable=False),
        sa.Column("payment_id", sa.BigInteger(), nullable=True),
        sa.Column("telegram_user_id", sa.BigInteger(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=8), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("credited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_receipts")),
        sa.UniqueConstraint("charge_id", name=op.f("uq_payment_receipts_charge_id")),
    )
    op.create_index(
        "ix_payment_receipts_uncredited",
        "payment_receipts",
        ["received_at"],
        unique=False,
        sqlite_where=_UNCREDITED,
        postgresql_where=_UNCREDITED,
    )

    op.create_table(
        "dead_letters",
        sa.Column("id", _ID, nullable=False),
        sa.Column("bot_id", sa.BigInteger(), nullable=False),
        sa.Column("update_id", sa.BigInteger(), nullable=False),
        sa.Column("update", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("replayed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dead_letters")),
        sa.UniqueConstraint("bot_id", "update_id", name=op.f("uq_dead_letters_bot_id_update_id")),
    )


def downgrade() -> None:
    op.drop_table("dead_letters")
    op.drop_index("ix_payment_receipts_uncredited", table_name="payment_receipts")
    op.drop_table("payment_receipts")
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_index("ix_payments_refunds_due")
        batch_op.drop_column("refund_error")
        batch_op.drop_column("refund_attempts")
        batch_op.drop_column("refund_next_at")
        batch_op.drop_column("refund_started_at")
        batch_op.drop_column("refund_status")
