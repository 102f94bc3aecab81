"""Rasa's ``events`` table (its SQLTrackerStore), as the console reads it.

The table is Rasa's: it creates it when the server starts, and migrations never touch it,
so it sits in a metadata of its own, outside ``bot.storage.db.metadata``. The console
reads it, and only the privacy tools delete from it (one candidate's conversations, or
conversations past the retention period).

The columns mirror ``rasa.core.tracker_store.SQLTrackerStore.SQLEvent`` of Rasa 3.6:
``data`` is the event's ``as_dict()`` as JSON text, ``timestamp`` seconds since the epoch.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, inspect
from sqlalchemy.engine import Connection, Engine, Row

rasa_metadata = MetaData()

events = Table(
    "events",
    rasa_metadata,
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False, index=True),
    Column("type_name", String(255), nullable=False),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
    Column("action_name", String(255)),
    Column("data", Text),
)


@dataclass(frozen=True)
class StoredEvent:
    """One tracker event: its row id (``None`` when it did not come from the table)."""

    id: int | None
    sender_id: str
    type_name: str
    timestamp: float
    data: dict[str, Any]


def from_row(row: Row) -> StoredEvent:
    """The event of one ``events`` row; a row whose JSON is broken keeps an empty ``data``."""
    try:
        data = json.loads(row.data or "{}")
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    return StoredEvent(
        id=int(row.id),
        sender_id=str(row.sender_id),
        type_name=str(row.type_name),
        timestamp=float(row.timestamp or data.get("timestamp") or 0.0),
        data=data,
    )


def exists(bind: Engine | Connection) -> bool:
    """True once Rasa has created its table (the console may start before Rasa)."""
    return bool(inspect(bind).has_table("events"))


def create(bind: Engine | Connection) -> None:
    """Create the table as Rasa would: for tests and benchmarks without a Rasa server."""
    rasa_metadata.create_all(bind)
