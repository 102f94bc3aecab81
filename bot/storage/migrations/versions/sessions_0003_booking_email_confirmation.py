"""Bookings held until the candidate confirms them from the e-mail (double opt-in).

Revision ID: sessions_0003
Revises: sessions_0002
Create Date: 2026-12-07 22:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "sessions_0003"
down_revision = "sessions_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("session_bookings") as batch:
        batch.add_column(sa.Column("hold_expires_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("confirm_token", sa.String(length=64), nullable=True))
        batch.create_unique_constraint("uq_session_bookings_confirm_token", ["confirm_token"])
    op.create_index("ix_session_bookings_hold_expires_at", "session_bookings", ["hold_expires_at"])


def downgrade() -> None:
    op.drop_index("ix_session_bookings_hold_expires_at", table_name="session_bookings")
    with op.batch_alter_table("session_bookings") as batch:
        batch.drop_constraint("uq_session_bookings_confirm_token", type_="unique")
        batch.drop_column("confirm_token")
        batch.drop_column("hold_expires_at")
