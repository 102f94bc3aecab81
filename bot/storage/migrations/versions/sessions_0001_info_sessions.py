"""Information sessions, bookings and their audit trail.

Revision ID: sessions_0001
Revises:
Create Date: 2026-12-02 07:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "sessions_0001"
down_revision = None
branch_labels = ("sessions",)
depends_on = None

_ACTIVE = sa.text("status <> 'cancelled'")


def _timestamp(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "info_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(80), nullable=True),
        sa.Column("title_fr", sa.String(200), nullable=False),
        sa.Column("title_nl", sa.String(200), nullable=False),
        sa.Column("topic", sa.String(40), nullable=False),
        _timestamp("starts_at"),
        _timestamp("ends_at"),
        sa.Column("venue", sa.String(200), nullable=False),
        sa.Column("address", sa.String(300), nullable=True),
        sa.Column("place_id", sa.String(60), nullable=True),
        sa.Column("city", sa.String(100), nullable=True),
        sa.Column("online", sa.Boolean(), nullable=False),
        sa.Column("language", sa.String(5), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("seats_taken", sa.Integer(), nullable=False),
        _timestamp("registration_deadline"),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("demo", sa.Boolean(), nullable=False),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        sa.CheckConstraint("capacity > 0", name="ck_info_sessions_capacity_positive"),
        sa.CheckConstraint(
            "seats_taken >= 0 AND seats_taken <= capacity",
            name="ck_info_sessions_seats_within_capacity",
        ),
        sa.CheckConstraint("ends_at > starts_at", name="ck_info_sessions_ends_after_start"),
        sa.CheckConstraint(
            "status IN ('scheduled', 'full', 'cancelled', 'done')", name="ck_info_sessions_status"
        ),
        sa.CheckConstraint("language IN ('fr', 'nl', 'fr+nl')", name="ck_info_sessions_language"),
        sa.PrimaryKeyConstraint("id", name="pk_info_sessions"),
        sa.UniqueConstraint("slug", name="uq_info_sessions_slug"),
    )
    op.create_index("ix_info_sessions_starts_at", "info_sessions", ["starts_at"])

    op.create_table(
        "session_bookings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(9), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("candidate_name", sa.String(120), nullable=False),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("phone", sa.String(16), nullable=True),
        sa.Column("language", sa.String(2), nullable=False),
        _timestamp("consent_at"),
        sa.Column("consent_version", sa.String(40), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        _timestamp("waitlisted_at", nullable=True),
        sa.Column("sender_id", sa.String(255), nullable=True),
        sa.Column("message_id", sa.String(255), nullable=True),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        _timestamp("cancelled_at", nullable=True),
        _timestamp("promoted_at", nullable=True),
        _timestamp("erased_at", nullable=True),
        sa.CheckConstraint(
            "status IN ('confirmed', 'waitlisted', 'cancelled')", name="ck_session_bookings_status"
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["info_sessions.id"],
            name="fk_session_bookings_session_id_info_sessions",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_session_bookings"),
        sa.UniqueConstraint("reference", name="uq_session_bookings_reference"),
        sa.UniqueConstraint("sender_id", "message_id", name="uq_session_bookings_sender_message"),
    )
    op.create_index(
        "uq_session_bookings_active_email",
        "session_bookings",
        ["session_id", "email"],
        unique=True,
        sqlite_where=_ACTIVE,
        postgresql_where=_ACTIVE,
    )
    op.create_index(
        "ix_session_bookings_session_status", "session_bookings", ["session_id", "status"]
    )
    op.create_index("ix_session_bookings_email", "session_bookings", ["email"])
    op.create_index("ix_session_bookings_phone", "session_bookings", ["phone"])

    op.create_table(
        "session_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        _timestamp("at"),
        sa.Column("actor", sa.String(80), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("booking_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_session_audit"),
    )
    op.create_index("ix_session_audit_session_id", "session_audit", ["session_id"])
    op.create_index("ix_session_audit_booking_id", "session_audit", ["booking_id"])


def downgrade() -> None:
    op.drop_table("session_audit")
    op.drop_table("session_bookings")
    op.drop_table("info_sessions")
