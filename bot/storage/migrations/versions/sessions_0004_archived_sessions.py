"""A past or test session can be archived: hidden from lists and candidates, kept for the
statistics.

Revision ID: sessions_0004
Revises: sessions_0003
Create Date: 2026-12-07 23:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "sessions_0004"
down_revision = "sessions_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("info_sessions") as batch:
        batch.add_column(sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("info_sessions") as batch:
        batch.drop_column("archived_at")
