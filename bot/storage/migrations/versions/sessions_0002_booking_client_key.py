"""Bookings keep the keyed hash of their client's address (limits per client address).

Revision ID: sessions_0002
Revises: sessions_0001
Create Date: 2026-12-07 22:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "sessions_0002"
down_revision = "sessions_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("session_bookings") as batch:
        batch.add_column(sa.Column("client_key", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("session_bookings") as batch:
        batch.drop_column("client_key")
