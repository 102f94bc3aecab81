"""Job alerts: saved searches e-mailed to the candidate (job_alerts).

Revision ID: alerts_0001
Revises:
Create Date: 2026-12-07 22:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "alerts_0001"
down_revision = None
branch_labels = ("alerts",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "job_alerts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("sender_id", sa.String(length=255), nullable=True),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("occupation_id", sa.String(length=64), nullable=True),
        sa.Column("place_id", sa.String(length=64), nullable=True),
        sa.Column("radius_km", sa.Float(), nullable=True),
        sa.Column("contract_types", sa.String(length=200), server_default="", nullable=False),
        sa.Column("consented_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_vacancy_id", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_alerts")),
    )
    op.create_index("ix_job_alerts_status", "job_alerts", ["status"])
    op.create_index("ix_job_alerts_email", "job_alerts", ["email"])
    op.create_index("ix_job_alerts_sender_id", "job_alerts", ["sender_id"])


def downgrade() -> None:
    op.drop_table("job_alerts")
