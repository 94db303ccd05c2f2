"""search terms ordered by publication

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 10:50:00

``project_terms`` gets the project's ``published_at`` (backfilled from ``projects``)
and an index on (term, published_at, project_id), so a word's open projects are
walked newest first; ``ix_project_terms_project`` gains ``term`` so that the other
words of a query are probed per project by a range on that index.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("project_terms", schema=None) as batch_op:
        batch_op.add_column(sa.Column("published_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE project_terms SET published_at = ("
        "SELECT projects.published_at FROM projects WHERE projects.id = project_terms.project_id)"
    )
    # Only published projects are indexed; terms of one without a date cannot be found.
    op.execute("DELETE FROM project_terms WHERE published_at IS NULL")
    with op.batch_alter_table("project_terms", schema=None) as batch_op:
        batch_op.alter_column(
            "published_at", existing_type=sa.DateTime(timezone=True), nullable=False
        )
        batch_op.drop_index("ix_project_terms_project")
        batch_op.create_index("ix_project_terms_project", ["project_id", "term"], unique=False)
        batch_op.create_index(
            "ix_project_terms_order", ["term", "published_at", "project_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("project_terms", schema=None) as batch_op:
        batch_op.drop_index("ix_project_terms_order")
        batch_op.drop_index("ix_project_terms_project")
        batch_op.create_index("ix_project_terms_project", ["project_id"], unique=False)
        batch_op.drop_column("published_at")
