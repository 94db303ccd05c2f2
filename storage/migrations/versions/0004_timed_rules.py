"""timed rules: award decision window, review publication, reminders

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 12:10:00

``projects.award_by`` is the end of the employer's time to award once bidding has
ended (the new ``bidding_ended`` status needs no schema change: statuses are
strings). ``contracts.reviews_published_at`` records that the double-blind reviews
were published, once. ``reminders`` holds each reminder stage dealt with, under a
unique key, so no stage is ever sent twice.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.add_column(sa.Column("award_by", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_projects_award_by", ["status", "award_by"], unique=False)
    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("reviews_published_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(
            "ix_contracts_reviews_due",
            ["status", "reviews_published_at", "ended_at"],
            unique=False,
        )
    # Contracts completed before this revision are not announced: most of their reviews
    # have long been visible, and a late "reviews are published" would only confuse.
    op.execute(
        "UPDATE contracts SET reviews_published_at = ended_at "
        "WHERE status = 'completed' AND ended_at IS NOT NULL"
    )
    op.create_table(
        "reminders",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("subject_kind", sa.String(length=20), nullable=False),
        sa.Column("subject_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("target_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seq", sa.SmallInteger(), nullable=False),
        sa.Column("announced", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders")),
        sa.UniqueConstraint(
            "subject_kind",
            "subject_id",
            "kind",
            "target_at",
            "seq",
            name=op.f("uq_reminders_subject_kind_subject_id_kind_target_at_seq"),
        ),
    )


def downgrade() -> None:
    op.drop_table("reminders")
    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.drop_index("ix_contracts_reviews_due")
        batch_op.drop_column("reviews_published_at")
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_index("ix_projects_award_by")
        batch_op.drop_column("award_by")
    op.execute(
        "UPDATE projects SET status = 'closed', ended_at = updated_at "
        "WHERE status = 'bidding_ended'"
    )
