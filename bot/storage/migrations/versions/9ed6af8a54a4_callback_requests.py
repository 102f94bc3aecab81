"""Callback requests: one row per request for a consultant, unique by (sender id, message id).

Revision ID: 9ed6af8a54a4
Revises:
Create Date: 2026-12-02 07:48:18.280006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "9ed6af8a54a4"
down_revision = None
branch_labels = ("handoff",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "callback_requests",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("sender_id", sa.String(length=255), nullable=False),
        sa.Column("message_id", sa.String(length=255), nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=True),
        sa.Column(
            "live", sa.Boolean(create_constraint=False), server_default=sa.false(), nullable=False
        ),
        sa.Column("name", sa.String(length=120), nullable=True),
        sa.Column("phone", sa.String(length=16), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("preferred_moment", sa.String(length=200), nullable=True),
        sa.Column("topic", sa.String(length=200), nullable=True),
        sa.Column("consent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("consent_version", sa.String(length=40), nullable=True),
        sa.Column("status", sa.String(length=16), server_default="new", nullable=False),
        sa.Column("consultant", sa.String(length=120), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("language IN ('fr', 'nl')", name=op.f("ck_callback_requests_language")),
        sa.CheckConstraint(
            "status IN ('new', 'in_progress', 'done', 'no_answer')",
            name=op.f("ck_callback_requests_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_callback_requests")),
        sa.UniqueConstraint("sender_id", "message_id", name="uq_callback_requests_sender_message"),
    )
    op.create_index("ix_callback_requests_email", "callback_requests", ["email"])
    op.create_index("ix_callback_requests_phone", "callback_requests", ["phone"])
    op.create_index(
        "ix_callback_requests_status_created", "callback_requests", ["status", "created_at"]
    )


def downgrade() -> None:
    op.drop_table("callback_requests")  # drops its indexes too
