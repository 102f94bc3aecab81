"""Console: users, sign-in throttling, audit, conversation projection, inbox, tags, notes.

Revision ID: console_0001
Revises:
Create Date: 2026-12-02 07:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "console_0001"
down_revision = None
branch_labels = ("console",)
depends_on = None

FLAG = sa.Boolean(create_constraint=False)


def upgrade() -> None:
    _users_and_audit()
    _projection()
    _consultant_work()


def _users_and_audit() -> None:
    op.create_table(
        "console_users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("active", FLAG, server_default=sa.true(), nullable=False),
        sa.Column("demo", FLAG, server_default=sa.false(), nullable=False),
        sa.Column("session_epoch", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("language IN ('fr', 'nl')", name=op.f("ck_console_users_language")),
        sa.CheckConstraint("role IN ('consultant', 'admin')", name=op.f("ck_console_users_role")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_users")),
        sa.UniqueConstraint("email", name="uq_console_users_email"),
    )
    op.create_table(
        "console_login_failures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("failed_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_login_failures")),
    )
    op.create_index(
        "ix_console_login_failures_key_failed_at", "console_login_failures", ["key", "failed_at"]
    )
    op.create_table(
        "console_audit",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=254), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("details", sa.Text(), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_audit")),
    )
    op.create_index("ix_console_audit_at", "console_audit", ["at"])


def _projection() -> None:
    op.create_table(
        "conversations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("sender_id", sa.String(length=255), nullable=False),
        sa.Column("first_at", sa.Float(), nullable=False),
        sa.Column("last_at", sa.Float(), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("channel", sa.String(length=32), nullable=True),
        sa.Column("events", sa.Integer(), server_default="0", nullable=False),
        sa.Column("user_messages", sa.Integer(), server_default="0", nullable=False),
        sa.Column("bot_messages", sa.Integer(), server_default="0", nullable=False),
        sa.Column("fallbacks", sa.Integer(), server_default="0", nullable=False),
        sa.Column("fallback", FLAG, server_default=sa.false(), nullable=False),
        sa.Column("handoff", FLAG, server_default=sa.false(), nullable=False),
        sa.Column("booking", FLAG, server_default=sa.false(), nullable=False),
        sa.Column("intents", sa.Text(), server_default="", nullable=False),
        sa.Column("state", sa.Text(), server_default="{}", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversations")),
        sa.UniqueConstraint("sender_id", name="uq_conversations_sender_id"),
    )
    op.create_index("ix_conversations_last_at", "conversations", ["last_at", "id"])
    for column in ("language", "channel", "fallback", "handoff", "booking"):
        op.create_index(f"ix_conversations_{column}_last_at", "conversations", [column, "last_at"])
    op.create_index("ix_conversations_first_day", "conversations", ["first_day"])
    op.create_table(
        "conversation_intents",
        sa.Column("sender_id", sa.String(length=255), nullable=False),
        sa.Column("intent", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("sender_id", "intent", name=op.f("pk_conversation_intents")),
    )
    op.create_index(
        "ix_conversation_intents_intent", "conversation_intents", ["intent", "sender_id"]
    )
    op.create_table(
        "conversation_words",
        sa.Column("word", sa.String(length=40), nullable=False),
        sa.Column("sender_id", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("word", "sender_id", name=op.f("pk_conversation_words")),
    )
    op.create_index("ix_conversation_words_sender_id", "conversation_words", ["sender_id"])
    op.create_table(
        "projection_state",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("last_event_id", sa.Integer(), server_default="0", nullable=False),
        sa.Column("gaps", sa.Text(), server_default="{}", nullable=False),
        sa.Column("updated_at", sa.Float(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_projection_state")),
    )


def _consultant_work() -> None:
    op.create_table(
        "inbox_messages",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("sender_id", sa.String(length=255), nullable=False),
        sa.Column("message_key", sa.String(length=120), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.Float(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("intent", sa.String(length=120), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("suggested_intent", sa.String(length=120), nullable=True),
        sa.Column("fallback", FLAG, server_default=sa.false(), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="open", nullable=False),
        sa.Column("label", sa.String(length=120), nullable=True),
        sa.Column("labelled_by", sa.String(length=254), nullable=True),
        sa.Column("labelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('open', 'labelled', 'ignored')", name=op.f("ck_inbox_messages_status")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_messages")),
        sa.UniqueConstraint("sender_id", "message_key", name="uq_inbox_messages_sender_id"),
    )
    op.create_index("ix_inbox_messages_status_at", "inbox_messages", ["status", "at"])
    op.create_table(
        "conversation_tags",
        sa.Column("sender_id", sa.String(length=255), nullable=False),
        sa.Column("tag", sa.String(length=40), nullable=False),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sender_id", "tag", name=op.f("pk_conversation_tags")),
    )
    op.create_index("ix_conversation_tags_tag", "conversation_tags", ["tag", "sender_id"])
    op.create_table(
        "conversation_notes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("sender_id", sa.String(length=255), nullable=False),
        sa.Column("author", sa.String(length=254), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_notes")),
    )
    op.create_index("ix_conversation_notes_sender_id", "conversation_notes", ["sender_id"])
    op.create_table(
        "conversation_reviews",
        sa.Column("sender_id", sa.String(length=255), nullable=False),
        sa.Column("reviewed_by", sa.String(length=254), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sender_id", name=op.f("pk_conversation_reviews")),
    )


def downgrade() -> None:
    for table in (
        "conversation_reviews",
        "conversation_notes",
        "conversation_tags",
        "inbox_messages",
        "projection_state",
        "conversation_words",
        "conversation_intents",
        "conversations",
        "console_audit",
        "console_login_failures",
        "console_users",
    ):
        op.drop_table(table)  # drops its indexes too
