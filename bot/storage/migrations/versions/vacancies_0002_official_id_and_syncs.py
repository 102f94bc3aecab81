"""Vacancies: the offer's official id (the same offer from two sources), the last sync of
each source (vacancy_syncs).

Revision ID: vacancies_0002
Revises: 839d5ea70c43
Create Date: 2026-12-07 21:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "vacancies_0002"
down_revision = "839d5ea70c43"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("vacancies", sa.Column("official_id", sa.String(length=160), nullable=True))
    op.create_table(
        "vacancy_syncs",
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ok", sa.Boolean(create_constraint=False), nullable=False),
        sa.Column("added", sa.Integer(), server_default="0", nullable=False),
        sa.Column("updated", sa.Integer(), server_default="0", nullable=False),
        sa.Column("removed", sa.Integer(), server_default="0", nullable=False),
        sa.Column("rejected", sa.Integer(), server_default="0", nullable=False),
        sa.Column("error", sa.String(length=300), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("source", name=op.f("pk_vacancy_syncs")),
    )


def downgrade() -> None:
    op.drop_table("vacancy_syncs")
    with op.batch_alter_table("vacancies") as batch:
        batch.drop_column("official_id")
