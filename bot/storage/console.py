"""Tables of the consultant console (migration branch ``console``).

- ``console_users``, ``console_login_failures``: sign-in, roles, throttling.
- ``conversations``, ``conversation_intents``, ``conversation_words``, ``projection_state``:
  the projection of Rasa's ``events`` table, one row per conversation (bot.console.summary).
- ``inbox_messages``: user messages the assistant understood poorly, and their labels.
- ``conversation_tags``, ``conversation_notes``, ``conversation_reviews``: consultants' work.
- ``conversation_takeovers``: which consultant holds a live takeover.
- ``canned_replies``: replies per language that consultants send in a click.
- ``saved_filters``: each consultant's saved filters of the conversation list.
- ``console_audit``: who did what and when, never whose data.

Console data about a conversation is keyed by the Rasa ``sender_id``, so that it survives a
rebuild of the projection; the projection's integer ``id`` is what URLs show, because a
sender id may be a phone number (WhatsApp) and URLs end up in logs and browser histories.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    true,
)

from bot.storage.db import metadata

ROLES = ("consultant", "admin")
LANGUAGES = ("fr", "nl")
INBOX_STATUSES = ("open", "labelled", "ignored")

_flag = Boolean(create_constraint=False)

users = Table(
    "console_users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("email", String(254), nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("role", String(16), nullable=False),
    Column("language", String(2), nullable=False),
    Column("active", _flag, nullable=False, server_default=true()),
    # Printed by the launcher on first start: the console asks to change its password.
    Column("demo", _flag, nullable=False, server_default=false()),
    # Part of every session: raised on logout, password change or deactivation, which
    # ends every session of that user (the session cookie alone cannot be revoked).
    Column("session_epoch", Integer, nullable=False, server_default="0"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_login_at", DateTime(timezone=True), nullable=True),
    UniqueConstraint("email", name="uq_console_users_email"),
    CheckConstraint("role IN ('consultant', 'admin')", name="role"),
    CheckConstraint("language IN ('fr', 'nl')", name="language"),
)

# One row per failed sign-in; keys are hashes ("account:<sha256>", "ip:<sha256>").
login_failures = Table(
    "console_login_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(80), nullable=False),
    Column("failed_at", Float, nullable=False),
    Index("ix_console_login_failures_key_failed_at", "key", "failed_at"),
)

audit = Table(
    "console_audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    # The consultant's e-mail (the actor is not the data subject), or "system"/"cli".
    Column("actor", String(254), nullable=False),
    Column("action", String(40), nullable=False),
    # Counts and projection ids only: never a candidate's e-mail, phone or sender id.
    Column("details", Text, nullable=False, server_default=""),
    Index("ix_console_audit_at", "at"),
)

conversations = Table(
    "conversations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sender_id", String(255), nullable=False),
    Column("first_at", Float, nullable=False),
    Column("last_at", Float, nullable=False),
    Column("first_day", Date, nullable=False),
    Column("language", String(8), nullable=True),
    Column("channel", String(32), nullable=True),
    Column("events", Integer, nullable=False, server_default="0"),
    Column("user_messages", Integer, nullable=False, server_default="0"),
    Column("bot_messages", Integer, nullable=False, server_default="0"),
    Column("fallbacks", Integer, nullable=False, server_default="0"),
    Column("fallback", _flag, nullable=False, server_default=false()),
    Column("handoff", _flag, nullable=False, server_default=false()),
    Column("booking", _flag, nullable=False, server_default=false()),
    Column("intents", Text, nullable=False, server_default=""),
    # What a later batch of events needs to know (the last user message), as JSON.
    Column("state", Text, nullable=False, server_default="{}"),
    UniqueConstraint("sender_id", name="uq_conversations_sender_id"),
    # The list is read newest first, filtered on one of these at a time.
    Index("ix_conversations_last_at", "last_at", "id"),
    Index("ix_conversations_language_last_at", "language", "last_at"),
    Index("ix_conversations_channel_last_at", "channel", "last_at"),
    Index("ix_conversations_fallback_last_at", "fallback", "last_at"),
    Index("ix_conversations_handoff_last_at", "handoff", "last_at"),
    Index("ix_conversations_booking_last_at", "booking", "last_at"),
    Index("ix_conversations_first_day", "first_day"),
)

conversation_intents = Table(
    "conversation_intents",
    metadata,
    Column("sender_id", String(255), primary_key=True),
    Column("intent", String(120), primary_key=True),
    Index("ix_conversation_intents_intent", "intent", "sender_id"),
)

# The words of the user messages (folded), so that the list search is an index lookup:
# a LIKE '%word%' over 100,000 conversations' texts took seconds (benchmarks/console.py).
conversation_words = Table(
    "conversation_words",
    metadata,
    Column("word", String(40), primary_key=True),
    Column("sender_id", String(255), primary_key=True),
    Index("ix_conversation_words_sender_id", "sender_id"),
)

projection_state = Table(
    "projection_state",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("last_event_id", Integer, nullable=False, server_default="0"),
    # Event ids skipped over because their transaction had not committed yet (PostgreSQL
    # hands out ids before commit), with the time they were first missed, as JSON.
    Column("gaps", Text, nullable=False, server_default="{}"),
    Column("updated_at", Float, nullable=False, server_default="0"),
)

inbox_messages = Table(
    "inbox_messages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sender_id", String(255), nullable=False),
    # Rasa's message id of the user event (or "ts:<timestamp>"): unique per conversation.
    Column("message_key", String(120), nullable=False),
    Column("event_id", Integer, nullable=True),
    Column("at", Float, nullable=False),
    Column("text", Text, nullable=False),
    Column("language", String(8), nullable=True),
    Column("intent", String(120), nullable=True),
    Column("confidence", Float, nullable=True),
    # The intent the model would have picked (faq/<topic> for retrieval intents).
    Column("suggested_intent", String(120), nullable=True),
    Column("fallback", _flag, nullable=False, server_default=false()),
    # Why it is here: "low" confidence, "fallback", a random "sample" of confident messages,
    # or "reported" by a consultant ("this answer was wrong"); NULL for rows of before.
    Column("reason", String(16), nullable=True),
    Column("reported_by", String(254), nullable=True),
    Column("status", String(16), nullable=False, server_default="open"),
    Column("label", String(120), nullable=True),
    Column("labelled_by", String(254), nullable=True),
    Column("labelled_at", DateTime(timezone=True), nullable=True),
    UniqueConstraint("sender_id", "message_key", name="uq_inbox_messages_sender_id"),
    CheckConstraint("status IN ('open', 'labelled', 'ignored')", name="status"),
    Index("ix_inbox_messages_status_at", "status", "at"),
)

conversation_tags = Table(
    "conversation_tags",
    metadata,
    Column("sender_id", String(255), primary_key=True),
    Column("tag", String(40), primary_key=True),
    Column("created_by", String(254), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_conversation_tags_tag", "tag", "sender_id"),
)

conversation_notes = Table(
    "conversation_notes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sender_id", String(255), nullable=False),
    Column("author", String(254), nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_conversation_notes_sender_id", "sender_id"),
)

conversation_reviews = Table(
    "conversation_reviews",
    metadata,
    Column("sender_id", String(255), primary_key=True),
    Column("reviewed_by", String(254), nullable=False),
    Column("reviewed_at", DateTime(timezone=True), nullable=False),
)

# Who holds a live takeover (bot.console.takeovers): one row per paused conversation.
conversation_takeovers = Table(
    "conversation_takeovers",
    metadata,
    Column("sender_id", String(255), primary_key=True),
    Column("held_by", String(254), nullable=False),
    Column("since", DateTime(timezone=True), nullable=False),
)

# Replies consultants pick during a takeover, per language (bot.console.canned): no
# candidate data, managed by admins.
canned_replies = Table(
    "canned_replies",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("language", String(2), nullable=False),
    Column("title", String(80), nullable=False),
    Column("text", Text, nullable=False),
    Column("created_by", String(254), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("language", "title", name="uq_canned_replies_language_title"),
    CheckConstraint("language IN ('fr', 'nl')", name="language"),
)

# A consultant's saved filters of the conversation list (bot.console.saved_filters): the
# query string without its free-text search, which may name a candidate.
saved_filters = Table(
    "saved_filters",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("owner", String(254), nullable=False),
    Column("name", String(60), nullable=False),
    Column("query", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("owner", "name", name="uq_saved_filters_owner_name"),
)

# Every table that holds data about one conversation, keyed by sender_id (privacy tools).
PER_CONVERSATION = (
    conversations,
    conversation_intents,
    conversation_words,
    inbox_messages,
    conversation_tags,
    conversation_notes,
    conversation_reviews,
    conversation_takeovers,
)

__all__ = [
    "users",
    "login_failures",
    "audit",
    "conversations",
    "conversation_intents",
    "conversation_words",
    "projection_state",
    "inbox_messages",
    "conversation_tags",
    "conversation_notes",
    "conversation_reviews",
    "conversation_takeovers",
    "canned_replies",
    "saved_filters",
    "PER_CONVERSATION",
]
