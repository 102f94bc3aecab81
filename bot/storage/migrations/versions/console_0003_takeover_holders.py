"""Console: who holds a live takeover (conversation_takeovers).

Revision ID: console_0003
Revises: console_0002
Create Date: 2026-12-07 19:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "console_0003"
down_revision = "console_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conversation_takeovers",
        sa.Column("sender_id", sa.String(length=255), nullable=False),
        sa.Column("held_by", sa.String(length=254), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sender_id", name=op.f("pk_conversation_takeovers")),
    )


def downgrade() -> None:
    op.drop_table("conversation_takeovers")
