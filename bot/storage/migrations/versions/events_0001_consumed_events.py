"""Consumed events: the event consumer's record of what it wrote (dedupe on redelivery).

Revision ID: events_0001
Revises:
Create Date: 2026-12-04 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "events_0001"
down_revision = None
branch_labels = ("events",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "consumed_events",
        sa.Column("event_key", sa.String(length=64), nullable=False),
        sa.Column("sender_id", sa.String(length=255), nullable=False),
        sa.Column("type_name", sa.String(length=64), nullable=False),
        sa.Column("timestamp", sa.Float(), nullable=False),
        sa.Column("consumed_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("event_key", name=op.f("pk_consumed_events")),
    )
    op.create_index(
        "ix_consumed_events_consumed_at", "consumed_events", ["consumed_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_consumed_events_consumed_at", table_name="consumed_events")
    op.drop_table("consumed_events")
