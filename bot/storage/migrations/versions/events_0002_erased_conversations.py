"""Erased conversations: the consumer drops their events still queued in RabbitMQ.

Revision ID: events_0002
Revises: events_0001
Create Date: 2026-12-07 22:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "events_0002"
down_revision = "events_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "erased_conversations",
        sa.Column("sender_key", sa.String(length=64), nullable=False),
        sa.Column("erased_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("sender_key", name=op.f("pk_erased_conversations")),
    )
    op.create_index(
        "ix_erased_conversations_erased_at", "erased_conversations", ["erased_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_erased_conversations_erased_at", table_name="erased_conversations")
    op.drop_table("erased_conversations")
