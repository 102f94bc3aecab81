"""Vacancies: one row per offer, unique by (source, source id), indexed for search.

Revision ID: 839d5ea70c43
Revises:
Create Date: 2026-12-02 06:51:46.890493
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "839d5ea70c43"
down_revision = None
branch_labels = ("vacancies",)
depends_on = None

CONTRACT_TYPES = (
    "permanent",
    "fixed_term",
    "temp_agency",
    "apprenticeship",
    "internship",
    "student",
    "freelance",
)


def upgrade() -> None:
    contract_types = ", ".join(f"'{c}'" for c in CONTRACT_TYPES)
    op.create_table(
        "vacancies",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("source_id", sa.String(length=128), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("occupation_id", sa.String(length=64), nullable=True),
        sa.Column("isco08", sa.String(length=4), nullable=True),
        sa.Column("employer", sa.String(length=200), nullable=False),
        sa.Column("place_id", sa.String(length=64), nullable=True),
        sa.Column("town", sa.String(length=120), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("contract_type", sa.String(length=20), nullable=False),
        sa.Column("working_time", sa.String(length=4), nullable=False),
        sa.Column("required_languages", sa.String(length=32), server_default="", nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("posted_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column(
            "demo", sa.Boolean(create_constraint=False), server_default=sa.false(), nullable=False
        ),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            f"contract_type IN ({contract_types})", name=op.f("ck_vacancies_contract_type")
        ),
        sa.CheckConstraint("language IN ('fr', 'nl')", name=op.f("ck_vacancies_language")),
        sa.CheckConstraint(
            "working_time IN ('full', 'part')", name=op.f("ck_vacancies_working_time")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vacancies")),
        sa.UniqueConstraint("source", "source_id", name="uq_vacancies_source_source_id"),
    )
    op.create_index(
        "ix_vacancies_occupation_location",
        "vacancies",
        ["occupation_id", "lat", "lon", "posted_on", "source_id", "expires_on"],
    )
    op.create_index(
        "ix_vacancies_location", "vacancies", ["lat", "lon", "posted_on", "source_id", "expires_on"]
    )
    op.create_index(
        "ix_vacancies_occupation_posted", "vacancies", ["occupation_id", "posted_on", "source_id"]
    )
    op.create_index("ix_vacancies_expires_on", "vacancies", ["expires_on"])


def downgrade() -> None:
    op.drop_table("vacancies")  # drops its indexes too
