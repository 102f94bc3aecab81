"""Rasa's events from the event broker, written into the console's tables exactly once.

In production mode every Rasa process publishes each new tracker event to RabbitMQ (Rasa's
``PikaEventBroker``: a fanout exchange bound to a durable queue, persistent messages). The
consumer (``python -m bot.events``, :mod:`bot.events.consumer`) reads that queue and calls
:func:`write_batch`, which, in one transaction:

1. records each event's key in ``consumed_events`` (``INSERT ... ON CONFLICT DO NOTHING``):
   the key is a hash of the sender id, the event type, the timestamp and the event itself,
   so a redelivered message (same body) is recognised and skipped;
2. hands the events seen for the first time to the projection (the console's conversation
   tables), so a redelivery never counts a message twice.

Before both, the events of a conversation erased since they were published (a privacy
erasure, :func:`record_erased`) are dropped: they were still waiting in the queue when the
erasure ran, and writing them would bring the erased conversation back.

Messages are acknowledged only after that transaction has committed: a consumer that stops
between the two gets the same messages again, and step 1 makes that harmless. A consumer
that was down finds the events waiting in the durable queue and catches up.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.engine import Connection

from bot.storage.consumed_events import consumed_events, erased_conversations


@dataclass(frozen=True)
class BrokerEvent:
    """One tracker event as Rasa publishes it: ``as_dict()`` plus ``sender_id``."""

    sender_id: str
    type_name: str
    timestamp: float
    data: dict[str, Any]

    @property
    def key(self) -> str:
        """The dedupe key: the same event always gives the same key, another event another."""
        canonical = json.dumps(self.data, sort_keys=True, separators=(",", ":"), default=str)
        digest = hashlib.sha256()
        for part in (self.sender_id, self.type_name, repr(self.timestamp), canonical):
            digest.update(part.encode())
            digest.update(b"\x00")
        return digest.hexdigest()


def parse(body: bytes) -> BrokerEvent | None:
    """The event in one broker message; ``None`` for a message that is not a Rasa event."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict):
        return None
    sender_id, type_name = data.get("sender_id"), data.get("event")
    timestamp = data.get("timestamp")
    if not isinstance(sender_id, str) or not isinstance(type_name, str):
        return None
    if not isinstance(timestamp, (int, float)):
        return None
    return BrokerEvent(sender_id, type_name, float(timestamp), data)


# Writes the console's tables for events seen for the first time, in the given transaction.
Projection = Callable[[Connection, Sequence[BrokerEvent]], None]


def no_projection(_connection: Connection, _events: Sequence[BrokerEvent]) -> None:
    """Records the events only (for a database without the console's tables)."""


def _insert_ignoring_duplicates(connection: Connection) -> Any:
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(consumed_events).on_conflict_do_nothing(index_elements=["event_key"])


def new_events(connection: Connection, events: Sequence[BrokerEvent]) -> list[BrokerEvent]:
    """Record ``events``; the ones never recorded before, in order (duplicates dropped).

    One statement per event: its row count says whether the key was new (RETURNING with
    ``ON CONFLICT`` is not available on SQLite with SQLAlchemy 1.4).
    """
    unique: dict[str, BrokerEvent] = {}
    for event in events:
        unique.setdefault(event.key, event)
    statement = _insert_ignoring_duplicates(connection)
    now = time.time()
    fresh = []
    for key, event in unique.items():
        result = connection.execute(
            statement,
            {
                "event_key": key,
                "sender_id": event.sender_id,
                "type_name": event.type_name,
                "timestamp": event.timestamp,
                "consumed_at": now,
            },
        )
        if result.rowcount == 1:
            fresh.append(event)
    return fresh


def sender_key(sender_id: str) -> str:
    """How the erasure list names a conversation: not its id, which may be a phone number."""
    return hashlib.sha256(f"erased-conversation\x00{sender_id}".encode()).hexdigest()


def _insert_or_update_erased(connection: Connection) -> Any:
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(erased_conversations)
    return statement.on_conflict_do_update(
        index_elements=["sender_key"], set_={"erased_at": statement.excluded.erased_at}
    )


def record_erased(connection: Connection, sender_ids: Sequence[str], at: float) -> None:
    """Remember that these conversations were erased at ``at`` (in the erasure's transaction).

    Their events published up to that moment and still queued are dropped by
    :func:`write_batch`; events after it (the candidate writes again) are a new conversation.
    """
    if not sender_ids:
        return
    rows = [{"sender_key": sender_key(s), "erased_at": at} for s in sorted(set(sender_ids))]
    connection.execute(_insert_or_update_erased(connection), rows)


def forget_erased(connection: Connection, before: float) -> int:
    """Forget the erasures older than ``before`` (their queued events are long gone)."""
    table = erased_conversations
    return int(connection.execute(delete(table).where(table.c.erased_at < before)).rowcount)


def not_erased(connection: Connection, events: Sequence[BrokerEvent]) -> list[BrokerEvent]:
    """``events`` without those of conversations erased after the event was published."""
    keys = {event.sender_id: sender_key(event.sender_id) for event in events}
    if not keys:
        return []
    table = erased_conversations
    rows = connection.execute(
        select(table.c.sender_key, table.c.erased_at).where(
            table.c.sender_key.in_(sorted(set(keys.values())))
        )
    )
    erased_at = {row.sender_key: float(row.erased_at) for row in rows}
    return [
        event
        for event in events
        if event.timestamp > erased_at.get(keys[event.sender_id], float("-inf"))
    ]


def write_batch(
    connection: Connection, events: Sequence[BrokerEvent], project: Projection = no_projection
) -> int:
    """Record a batch and project its new events; returns how many were new.

    Events of a conversation erased after they were published are dropped unrecorded.
    """
    fresh = new_events(connection, not_erased(connection, events))
    if fresh:
        project(connection, fresh)
    return len(fresh)
