"""operating it for real: the admins' audit trail, and people's own data

Revision ID: 0011
Revises: 0010
Create Date: 2027-02-01 12:00:00

* ``admin_actions``: every admin action (and an operator's ``bidgram replay``), who,
  when, what and why, and whom it concerns; append-only (core.services.audit).
* ``users.deleted_at``: the person deleted their account (core.services.privacy); the
  row stays under an anonymous name for what others and the books still need.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))

    op.create_table(
        "admin_actions",
        sa.Column("id", _ID, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", _ID, nullable=True),
        sa.Column("by", sa.String(length=20), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("subject_kind", sa.String(length=20), nullable=False),
        sa.Column("subject_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", _ID, nullable=True),
        sa.Column("other_user_id", _ID, nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_admin_actions_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["other_user_id"], ["users.id"], name=op.f("fk_admin_actions_other_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_admin_actions_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_actions")),
    )
    with op.batch_alter_table("admin_actions", schema=None) as batch_op:
        batch_op.create_index("ix_admin_actions_actor", ["actor_id", "id"], unique=False)
        batch_op.create_index("ix_admin_actions_user", ["user_id", "id"], unique=False)
        batch_op.create_index("ix_admin_actions_other_user", ["other_user_id", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("admin_actions", schema=None) as batch_op:
        batch_op.drop_index("ix_admin_actions_other_user")
        batch_op.drop_index("ix_admin_actions_user")
        batch_op.drop_index("ix_admin_actions_actor")
    op.drop_table("admin_actions")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("deleted_at")
