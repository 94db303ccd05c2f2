"""fair terms: award terms, capped revisions, protected deliveries, specific disputes

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-10 09:00:00

* ``awards`` and ``contracts`` carry the terms accepted with an offer: deliverables (a
  JSON list of short lines), the revision rounds each milestone includes, and (awards)
  the due date. Existing ones get the project's title as their one deliverable, two
  rounds (the default) and, for pending offers, the due date the bid promised.
* ``milestones.revisions_used`` counts change requests; existing milestones count the
  ones they already had (which may be past the cap: no more are then accepted).
* ``milestone_events.protected`` marks deliveries sent as a protected preview, and
  ``outbox_messages.protect`` sends a message with Telegram's ``protect_content``.
* ``disputes.deliverables`` names what the employer says is missing or wrong;
  ``dispute_evidence`` holds the files either side attached, with the stage.
* ``reviews.ending`` says how the contract ended (worked out for existing reviews from
  the money their contract moved and any admin's verdict).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_REVISION_ROUNDS = 2  # the default of REVISION_ROUNDS when this revision was written
_LINE = 100  # the default of DELIVERABLE_TEXT_MAX

_awards = sa.table(
    "awards",
    sa.column("id", sa.BigInteger),
    sa.column("project_id", sa.BigInteger),
    sa.column("bid_id", sa.BigInteger),
    sa.column("offered_at", sa.DateTime(timezone=True)),
    sa.column("deliverables", sa.JSON),
    sa.column("revision_rounds", sa.SmallInteger),
    sa.column("due_at", sa.DateTime(timezone=True)),
)
_contracts = sa.table(
    "contracts",
    sa.column("id", sa.BigInteger),
    sa.column("project_id", sa.BigInteger),
    sa.column("deliverables", sa.JSON),
    sa.column("revision_rounds", sa.SmallInteger),
)
_projects = sa.table("projects", sa.column("id", sa.BigInteger), sa.column("title", sa.String))
_bids = sa.table("bids", sa.column("id", sa.BigInteger), sa.column("delivery_days", sa.Integer))
_disputes = sa.table(
    "disputes",
    sa.column("id", sa.BigInteger),
    sa.column("contract_id", sa.BigInteger),
    sa.column("resolution", sa.String),
    sa.column("deliverables", sa.JSON),
)
_milestones = sa.table(
    "milestones",
    sa.column("id", sa.BigInteger),
    sa.column("contract_id", sa.BigInteger),
    sa.column("released_amount", sa.BigInteger),
    sa.column("refunded_amount", sa.BigInteger),
)
_reviews = sa.table(
    "reviews",
    sa.column("id", sa.BigInteger),
    sa.column("contract_id", sa.BigInteger),
    sa.column("ending", sa.String),
)


def _ending(released: int, refunded: int, verdict: bool) -> str:
    money = "refunded" if not released else "split" if refunded else "paid"
    return f"verdict_{money}" if verdict else money


def _backfill() -> None:
    conn = op.get_bind()
    titles = dict(conn.execute(sa.select(_projects.c.id, _projects.c.title)).tuples().all())
    days = dict(conn.execute(sa.select(_bids.c.id, _bids.c.delivery_days)).tuples().all())
    awards = sa.select(_awards.c.id, _awards.c.project_id, _awards.c.bid_id, _awards.c.offered_at)
    for award_id, project_id, bid_id, offered_at in conn.execute(awards).all():
        conn.execute(
            _awards.update()
            .where(_awards.c.id == award_id)
            .values(
                deliverables=[titles[project_id][:_LINE]],
                revision_rounds=_REVISION_ROUNDS,
                due_at=offered_at + timedelta(days=days[bid_id]),
            )
        )
    contracts = sa.select(_contracts.c.id, _contracts.c.project_id)
    for contract_id, project_id in conn.execute(contracts).all():
        conn.execute(
            _contracts.update()
            .where(_contracts.c.id == contract_id)
            .values(deliverables=[titles[project_id][:_LINE]], revision_rounds=_REVISION_ROUNDS)
        )
    conn.execute(_disputes.update().values(deliverables=[]))
    op.execute(
        "UPDATE milestones SET revisions_used = (SELECT COUNT(*) FROM milestone_events e "
        "WHERE e.milestone_id = milestones.id AND e.kind = 'changes_requested')"
    )
    reviewed = sa.select(_reviews.c.id, _reviews.c.contract_id)
    for review_id, contract_id in conn.execute(reviewed).all():
        money = sa.select(
            sa.func.coalesce(sa.func.sum(_milestones.c.released_amount), 0),
            sa.func.coalesce(sa.func.sum(_milestones.c.refunded_amount), 0),
        ).where(_milestones.c.contract_id == contract_id)
        released, refunded = conn.execute(money).one()
        verdicts = sa.select(sa.func.count()).where(
            _disputes.c.contract_id == contract_id,
            _disputes.c.resolution.in_(["release", "refund", "split"]),
        )
        verdict = bool(conn.execute(verdicts).scalar_one())
        conn.execute(
            _reviews.update()
            .where(_reviews.c.id == review_id)
            .values(ending=_ending(int(released), int(refunded), verdict))
        )


_ENDING = sa.Enum(
    "paid",
    "split",
    "refunded",
    "verdict_paid",
    "verdict_split",
    "verdict_refunded",
    name="contractending",
    native_enum=False,
    length=20,
)


def upgrade() -> None:
    with op.batch_alter_table("awards", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deliverables", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("revision_rounds", sa.SmallInteger(), nullable=True))
        batch_op.add_column(sa.Column("due_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deliverables", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("revision_rounds", sa.SmallInteger(), nullable=True))
    with op.batch_alter_table("milestones", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("revisions_used", sa.SmallInteger(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("milestone_events", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("protected", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("disputes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deliverables", sa.JSON(), nullable=True))
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ending", _ENDING, nullable=True))
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("protect", sa.Boolean(), nullable=False, server_default=sa.false())
        )

    _backfill()

    with op.batch_alter_table("awards", schema=None) as batch_op:
        batch_op.alter_column("deliverables", existing_type=sa.JSON(), nullable=False)
        batch_op.alter_column("revision_rounds", existing_type=sa.SmallInteger(), nullable=False)
        batch_op.alter_column("due_at", existing_type=sa.DateTime(timezone=True), nullable=False)
    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.alter_column("deliverables", existing_type=sa.JSON(), nullable=False)
        batch_op.alter_column("revision_rounds", existing_type=sa.SmallInteger(), nullable=False)
    with op.batch_alter_table("milestones", schema=None) as batch_op:
        batch_op.alter_column("revisions_used", server_default=None)
    with op.batch_alter_table("milestone_events", schema=None) as batch_op:
        batch_op.alter_column("protected", server_default=None)
    with op.batch_alter_table("disputes", schema=None) as batch_op:
        batch_op.alter_column("deliverables", existing_type=sa.JSON(), nullable=False)
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.alter_column("ending", existing_type=_ENDING, nullable=False)
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.alter_column("protect", server_default=None)

    op.create_table(
        "dispute_evidence",
        sa.Column("id", _ID, nullable=False),
        sa.Column("dispute_id", _ID, nullable=False),
        sa.Column("author_id", _ID, nullable=False),
        sa.Column("file_id", sa.String(length=255), nullable=False),
        sa.Column("file_kind", sa.String(length=16), nullable=False),
        sa.Column("caption", sa.Text(), nullable=True),
        sa.Column(
            "stage",
            sa.Enum(
                "filed",
                "response",
                "negotiation",
                "arbitration",
                name="evidencestage",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_dispute_evidence_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["dispute_id"], ["disputes.id"], name=op.f("fk_dispute_evidence_dispute_id_disputes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispute_evidence")),
    )
    op.create_index(
        "ix_dispute_evidence_dispute",
        "dispute_evidence",
        ["dispute_id", "author_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_dispute_evidence_dispute", table_name="dispute_evidence")
    op.drop_table("dispute_evidence")
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_column("protect")
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.drop_column("ending")
    with op.batch_alter_table("disputes", schema=None) as batch_op:
        batch_op.drop_column("deliverables")
    with op.batch_alter_table("milestone_events", schema=None) as batch_op:
        batch_op.drop_column("protected")
    with op.batch_alter_table("milestones", schema=None) as batch_op:
        batch_op.drop_column("revisions_used")
    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.drop_column("revision_rounds")
        batch_op.drop_column("deliverables")
    with op.batch_alter_table("awards", schema=None) as batch_op:
        batch_op.drop_column("due_at")
        batch_op.drop_column("revision_rounds")
        batch_op.drop_column("deliverables")
