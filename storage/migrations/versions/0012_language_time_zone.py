"""each person's language and time zone (core.locales)

Revision ID: 0012
Revises: 0011
Create Date: 2027-02-15 12:00:00

* ``users.language``: the language the person chose with /language; NULL follows the
  language their Telegram client reports (``language_code``), else the default.
* ``users.time_zone``: the IANA zone their times are written in; NULL shows UTC.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("time_zone", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("time_zone")
        batch_op.drop_column("language")
