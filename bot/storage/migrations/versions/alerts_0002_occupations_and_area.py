"""A job alert keeps every occupation the search named and the country or region it was
limited to ("soudeur ou chaudronnier", "seulement en Belgique").

Revision ID: alerts_0002
Revises: alerts_0001
Create Date: 2026-12-08 02:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "alerts_0002"
down_revision = "alerts_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("job_alerts") as batch:
        batch.add_column(
            sa.Column("other_occupation_ids", sa.String(400), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("area", sa.String(80), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("job_alerts") as batch:
        batch.drop_column("area")
        batch.drop_column("other_occupation_ids")
