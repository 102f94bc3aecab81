"""``consumed_events``: which Rasa events the event consumer has written (branch ``events``).

RabbitMQ delivers at least once: after a crash between the write and the ack, or a
reconnection, the same event comes again. The consumer inserts each event's key here in the
transaction that writes the console's tables, and skips an event whose key is already
present, so that a redelivery changes nothing.
"""

from __future__ import annotations

from sqlalchemy import Column, Float, Index, String, Table

from bot.storage.db import metadata

consumed_events = Table(
    "consumed_events",
    metadata,
    # sha256 of sender_id, event type, timestamp and the event's canonical JSON.
    Column("event_key", String(64), primary_key=True),
    Column("sender_id", String(255), nullable=False),
    Column("type_name", String(64), nullable=False),
    Column("timestamp", Float, nullable=False),
    Column("consumed_at", Float, nullable=False),
    Index("ix_consumed_events_consumed_at", "consumed_at"),
)

# Conversations erased (privacy erasure), so that the consumer drops their events still
# waiting in the queue instead of writing them back. Keyed by a hash of the sender id (a
# WhatsApp id is a phone number), forgotten after a week by the retention purge.
erased_conversations = Table(
    "erased_conversations",
    metadata,
    Column("sender_key", String(64), primary_key=True),
    Column("erased_at", Float, nullable=False),
    Index("ix_erased_conversations_erased_at", "erased_at"),
)
