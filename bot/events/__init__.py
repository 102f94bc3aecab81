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

from sqlalchemy.engine import Connection

from bot.storage.consumed_events import consumed_events


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


def write_batch(
    connection: Connection, events: Sequence[BrokerEvent], project: Projection = no_projection
) -> int:
    """Record a batch and project its new events; returns how many were new."""
    fresh = new_events(connection, events)
    if fresh:
        project(connection, fresh)
    return len(fresh)
