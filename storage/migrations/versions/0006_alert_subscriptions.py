"""alert subscriptions: skills and a minimum budget per freelancer

Existing freelancers keep the alerts they had: everyone with profile skills is
subscribed to those skills, any budget (as profile-skill matching did before).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 12:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

USER_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "alert_subscriptions",
        sa.Column("user_id", USER_ID, nullable=False),
        sa.Column("min_budget", sa.BigInteger(), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("active_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("min_budget >= 0", name=op.f("ck_alert_subscriptions_min_budget")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_alert_subscriptions_user_id_users")
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_alert_subscriptions")),
    )
    op.create_table(
        "alert_subscription_skills",
        sa.Column("user_id", USER_ID, nullable=False),
        sa.Column("skill_id", sa.Integer(), nullable=False),
        sa.Column("telegram_id", sa.BigInteger(), nullable=False),
        sa.Column("min_budget", sa.BigInteger(), nullable=False),
        sa.Column("active_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("banned", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["skill_id"], ["skills.id"], name=op.f("fk_alert_subscription_skills_skill_id_skills")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["alert_subscriptions.user_id"],
            name=op.f("fk_alert_subscription_skills_user_id_alert_subscriptions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "skill_id", name=op.f("pk_alert_subscription_skills")),
    )
    with op.batch_alter_table("alert_subscription_skills", schema=None) as batch_op:
        batch_op.create_index(
            "ix_alert_subscription_skills_match",
            [
                "skill_id",
                "paused",
                "banned",
                "min_budget",
                "user_id",
                "telegram_id",
                "active_at",
            ],
            unique=False,
        )
    _subscribe_profile_skills()


def _subscribe_profile_skills() -> None:
    users = sa.table("users", sa.column("id"), sa.column("telegram_id"), sa.column("is_banned"))
    profiles = sa.table("freelancer_profiles", sa.column("user_id"), sa.column("updated_at"))
    profile_skills = sa.table("profile_skills", sa.column("user_id"), sa.column("skill_id"))
    subscriptions = sa.table(
        "alert_subscriptions",
        sa.column("user_id"),
        sa.column("min_budget"),
        sa.column("paused"),
        sa.column("created_at"),
        sa.column("updated_at"),
        sa.column("active_at"),
    )
    skills = sa.table(
        "alert_subscription_skills",
        sa.column("user_id"),
        sa.column("skill_id"),
        sa.column("telegram_id"),
        sa.column("min_budget"),
        sa.column("active_at"),
        sa.column("paused"),
        sa.column("banned"),
    )
    having_skills = sa.exists().where(profile_skills.c.user_id == profiles.c.user_id)
    op.execute(
        subscriptions.insert().from_select(
            ["user_id", "min_budget", "paused", "created_at", "updated_at", "active_at"],
            sa.select(
                profiles.c.user_id,
                sa.literal(0),
                sa.false(),
                profiles.c.updated_at,
                profiles.c.updated_at,
                profiles.c.updated_at,
            ).where(having_skills),
        )
    )
    op.execute(
        skills.insert().from_select(
            ["user_id", "skill_id", "telegram_id", "min_budget", "active_at", "paused", "banned"],
            sa.select(
                profile_skills.c.user_id,
                profile_skills.c.skill_id,
                users.c.telegram_id,
                sa.literal(0),
                profiles.c.updated_at,
                sa.false(),
                users.c.is_banned,
            )
            .select_from(profile_skills)
            .join(profiles, profiles.c.user_id == profile_skills.c.user_id)
            .join(users, users.c.id == profile_skills.c.user_id),
        )
    )


def downgrade() -> None:
    with op.batch_alter_table("alert_subscription_skills", schema=None) as batch_op:
        batch_op.drop_index("ix_alert_subscription_skills_match")
    op.drop_table("alert_subscription_skills")
    op.drop_table("alert_subscriptions")
