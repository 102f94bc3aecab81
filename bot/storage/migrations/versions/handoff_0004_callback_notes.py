"""Callback requests keep consultants' notes, call attempts and an outcome.

Revision ID: handoff_0004
Revises: handoff_0003
Create Date: 2026-12-07 23:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "handoff_0004"
down_revision = "handoff_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("callback_requests") as batch:
        batch.add_column(sa.Column("outcome", sa.String(length=16), nullable=True))
    op.create_table(
        "callback_notes",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "callback_id",
            sa.Integer(),
            sa.ForeignKey(
                "callback_requests.id", name=op.f("fk_callback_notes_callback_id_callback_requests")
            ),
            nullable=False,
        ),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("author", sa.String(length=254), nullable=False),
        sa.Column("reached", sa.Boolean(create_constraint=False), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.CheckConstraint("kind IN ('note', 'attempt')", name=op.f("ck_callback_notes_kind")),
    )
    op.create_index("ix_callback_notes_callback_id", "callback_notes", ["callback_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_callback_notes_callback_id", table_name="callback_notes")
    op.drop_table("callback_notes")
    with op.batch_alter_table("callback_requests") as batch:
        batch.drop_column("outcome")
