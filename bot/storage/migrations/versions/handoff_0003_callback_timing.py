"""Callback and live requests keep when a consultant first acted and when they were closed:
the statistics' waiting and answer times.

Rows older than this migration have neither and are left out of the times (never guessed
from ``updated_at``, which any later change moves).

Revision ID: handoff_0003
Revises: handoff_0002
Create Date: 2026-12-07 23:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "handoff_0003"
down_revision = "handoff_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("callback_requests") as batch:
        batch.add_column(sa.Column("taken_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("callback_requests") as batch:
        batch.drop_column("closed_at")
        batch.drop_column("taken_at")
