"""on the record: who ended a contract, flagged messages, reports, mutes, safety notes

Revision ID: 0010
Revises: 0009
Create Date: 2027-01-10 12:00:00

* ``contracts.ended_by_id``: a cancelled contract counts against the side that ended it
  only (completion rates). Contracts ended before this stay unattributed.
* ``messages.flags``: red flags found in relayed text (core.redflags), for the record;
  ``ix_messages_sender`` / ``ix_messages_recipient`` read a person's latest messages
  (reply times).
* ``ix_disputes_contract``: disputes of a person's contracts (disputes lost).
* ``reports``, ``mutes``, ``safety_notes``: reports to admins, muted bidders, and the
  safety note shown once per conversation.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_OPEN = sa.text("status = 'open'")


def _state(*values: str, name: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=20)


def upgrade() -> None:
    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ended_by_id", _ID, nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_contracts_ended_by_id_users"), "users", ["ended_by_id"], ["id"]
        )
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("flags", sa.String(length=100), nullable=True))
        batch_op.create_index("ix_messages_sender", ["sender_id", "id"], unique=False)
        batch_op.create_index("ix_messages_recipient", ["recipient_id", "id"], unique=False)
    with op.batch_alter_table("disputes", schema=None) as batch_op:
        batch_op.create_index("ix_disputes_contract", ["contract_id"], unique=False)

    op.create_table(
        "reports",
        sa.Column("id", _ID, nullable=False),
        sa.Column("reporter_id", _ID, nullable=False),
        sa.Column("subject_id", _ID, nullable=False),
        sa.Column(
            "target_kind",
            _state("message", "bid", "project", "profile", name="reporttarget"),
            nullable=False,
        ),
        sa.Column("target_id", sa.BigInteger(), nullable=False),
        sa.Column("project_id", _ID, nullable=True),
        sa.Column(
            "reason",
            _state("scam", "off_platform", "abuse", "spam", "other", name="reportreason"),
            nullable=False,
        ),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("context", sa.Text(), nullable=False),
        sa.Column("flags", sa.String(length=100), nullable=True),
        sa.Column(
            "status",
            _state("open", "dismissed", "warned", "banned", name="reportstatus"),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", _ID, nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_reports_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_reports_project_id_projects")
        ),
        sa.ForeignKeyConstraint(
            ["reporter_id"], ["users.id"], name=op.f("fk_reports_reporter_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["users.id"], name=op.f("fk_reports_subject_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
    )
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.create_index("ix_reports_queue", ["status", "created_at", "id"], unique=False)
        batch_op.create_index("ix_reports_reporter", ["reporter_id", "created_at"], unique=False)
        batch_op.create_index("ix_reports_subject", ["subject_id", "status"], unique=False)
        batch_op.create_index(
            "ix_reports_open_once",
            ["reporter_id", "target_kind", "target_id"],
            unique=True,
            sqlite_where=_OPEN,
            postgresql_where=_OPEN,
        )

    op.create_table(
        "mutes",
        sa.Column("user_id", _ID, nullable=False),
        sa.Column("muted_id", _ID, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["muted_id"], ["users.id"], name=op.f("fk_mutes_muted_id_users")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_mutes_user_id_users")),
        sa.PrimaryKeyConstraint("user_id", "muted_id", name=op.f("pk_mutes")),
    )
    op.create_table(
        "safety_notes",
        sa.Column("project_id", _ID, nullable=False),
        sa.Column("user_id", _ID, nullable=False),
        sa.Column("other_id", _ID, nullable=False),
        sa.Column("message_id", _ID, nullable=False),
        sa.Column("shown_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"], ["messages.id"], name=op.f("fk_safety_notes_message_id_messages")
        ),
        sa.ForeignKeyConstraint(
            ["other_id"], ["users.id"], name=op.f("fk_safety_notes_other_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_safety_notes_project_id_projects")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_safety_notes_user_id_users")
        ),
        sa.PrimaryKeyConstraint("project_id", "user_id", "other_id", name=op.f("pk_safety_notes")),
    )


def downgrade() -> None:
    op.drop_table("safety_notes")
    op.drop_table("mutes")
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_index("ix_reports_open_once")
        batch_op.drop_index("ix_reports_subject")
        batch_op.drop_index("ix_reports_reporter")
        batch_op.drop_index("ix_reports_queue")
    op.drop_table("reports")
    with op.batch_alter_table("disputes", schema=None) as batch_op:
        batch_op.drop_index("ix_disputes_contract")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index("ix_messages_recipient")
        batch_op.drop_index("ix_messages_sender")
        batch_op.drop_column("flags")
    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.drop_constraint("fk_contracts_ended_by_id_users", type_="foreignkey")
        batch_op.drop_column("ended_by_id")
