"""Rasa's SQL tracker store, on the same engine set-up as the project's own tables.

Rasa 3.6 opens SQLite without a busy timeout, in rollback-journal mode, with a new
connection per request: every message then costs several disk syncs, and a booking written
by the action server at the same moment can make Rasa's write fail ("database is locked"),
after which Rasa silently keeps the conversation in memory only. This subclass swaps the
engine for one made by ``bot.storage.db.make_engine`` (WAL, busy timeout, ``BEGIN
IMMEDIATE``, pooled connections).

On PostgreSQL the engine is made again with ``pool_pre_ping`` and a connect timeout: after a
restart of the server every pooled connection is dead, and Rasa's engine would hand them out
(one failed message each) instead of reconnecting; the pool's size stays Rasa's
(``SQL_POOL_SIZE``, ``SQL_MAX_OVERFLOW``).

Two costs of every message are cut (a profile of the server under load put the tracker
store at a quarter of its time), with the same rows written and read:

- reading a conversation selects the ``data`` column only: Rasa reads nothing else, and
  building an ORM object per event was half the time of the query;
- a tracker remembers how many of its events the table holds (counted when it was read or
  saved), so saving it writes the events after those without Rasa's count query, and the
  event broker gets the same new events without Rasa's second read of the conversation. A
  tracker the store did not read or save (the HTTP API's "replace events") is counted by
  Rasa's query as before. The count stays right between processes because Rasa handles one
  message of a conversation at a time under the lock store's lock.

And the database work runs in a worker thread, not on the server's event loop. Rasa's store
is synchronous: while one conversation waited for SQLite's write lock (held, for example, by
the console's projection refresh, bot.console.projection), every other conversation waited
with it. Measured with the paced load of benchmarks/rest.py, when the refresh still wrote
5,000 events at a time every 30 s, the REST p95 went from 40 ms to 150 to 270 ms in the
runs that met one. On SQLite, reading a conversation also opens a plain ``BEGIN`` instead of ``BEGIN
IMMEDIATE`` (``bot.storage.db.READ_ONLY``): in WAL mode a reader never waits for a writer;
and the process's own writers take turns on a lock, as SQLite's busy handler would make a
second one sleep and poll (1, 2, 5, ... ms) instead of starting when the first one commits.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
from collections.abc import Iterable
from contextlib import AbstractContextManager, nullcontext
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from bot.config import Settings
from bot.storage.db import READ_ONLY, make_engine

# How many of a conversation's last user messages a message sent again is looked for in.
RECENT_MESSAGES = 5

# Attribute of a tracker: how many of its events the table holds.
_STORED = "_bot_stored_events"


def _unstored_events(tracker: DialogueStateTracker) -> list[Any] | None:
    """The events after those the table holds; ``None`` when the store does not know them."""
    count = getattr(tracker, _STORED, None)
    if not isinstance(count, int) or not 0 <= count <= len(tracker.events):
        return None
    return list(itertools.islice(tracker.events, count, len(tracker.events)))


class ProjectSQLTrackerStore(SQLTrackerStore):
    """``tracker_store: {type: bot.server.tracker_store.ProjectSQLTrackerStore, ...}``."""

    engine: sa.engine.Engine

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._writing: AbstractContextManager[Any] = nullcontext()
        if self.engine.dialect.name == "sqlite":
            self._writing = threading.Lock()
            url = self.engine.url.render_as_string(hide_password=False)
            self.engine.dispose()
            # Conversation events may lose their last commits on a power cut (never on a
            # crash of the process); bookings, on their own engine, may not.
            self.engine = make_engine(url, durable=False, poolclass=sa.pool.QueuePool)
            self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        elif self.engine.dialect.name == "postgresql":
            url = self.engine.url
            self.engine.dispose()
            options = create_engine_kwargs(url)
            options.setdefault("connect_args", {})["connect_timeout"] = (
                Settings.from_env().sql_connect_timeout_s
            )
            self.engine = sa.create_engine(url, pool_pre_ping=True, **options)
            self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    def _event_query(
        self, session: sa.orm.Session, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> sa.orm.Query:
        """Rasa's query (same filter and order), selecting only the ``data`` column."""
        query = super()._event_query(session, sender_id, fetch_events_from_all_sessions)
        return query.with_entities(self.SQLEvent.data)

    def _read_events(self, sender_id: str, fetch_events_from_all_sessions: bool) -> list[Any]:
        """The conversation's events as dictionaries (blocking: runs in a worker thread)."""
        with self.session_scope() as session:
            # The first connection of the session's transaction: a deferred BEGIN on SQLite.
            session.connection(execution_options={READ_ONLY: True})
            rows = self._event_query(session, sender_id, fetch_events_from_all_sessions).all()
        return [json.loads(row.data) for row in rows]

    def _latest_input_channel(self, sender_id: str) -> str | None:
        with self.session_scope() as session:
            session.connection(execution_options={READ_ONLY: True})
            row = (
                session.query(self.SQLEvent.data)
                .filter(self.SQLEvent.sender_id == sender_id, self.SQLEvent.type_name == "user")
                .order_by(self.SQLEvent.id.desc())
                .first()
            )
        channel = json.loads(row.data).get("input_channel") if row is not None else None
        return channel if isinstance(channel, str) else None

    async def latest_input_channel(self, sender_id: str) -> str | None:
        """The channel of the conversation's last user message (one row read, in a worker
        thread): what the REST guard of bot.server.patches asks for every REST message,
        without loading the whole conversation."""
        return await asyncio.to_thread(self._latest_input_channel, sender_id)

    def _events_of_message(self, sender_id: str, message_id: str) -> list[dict[str, Any]] | None:
        with self.session_scope() as session:
            session.connection(execution_options={READ_ONLY: True})
            users = (
                session.query(self.SQLEvent.id, self.SQLEvent.data)
                .filter(self.SQLEvent.sender_id == sender_id, self.SQLEvent.type_name == "user")
                .order_by(self.SQLEvent.id.desc())
                .limit(RECENT_MESSAGES)
                .all()
            )
            first = next(
                (row.id for row in users if json.loads(row.data).get("message_id") == message_id),
                None,
            )
            if first is None:
                return None
            rows = (
                session.query(self.SQLEvent.data)
                .filter(self.SQLEvent.sender_id == sender_id, self.SQLEvent.id >= first)
                .order_by(self.SQLEvent.id)
                .all()
            )
        return [json.loads(row.data) for row in rows]

    async def events_of_message(self, sender_id: str, message_id: str) -> list[Any] | None:
        """The user message ``message_id`` and the events after it, or None when none of the
        conversation's last few messages is that one: what the REST replay of
        bot.server.patches asks for every REST message, without loading the conversation (a
        message sent again after a process died is one of the last)."""
        from rasa.shared.core.events import Event

        rows = await asyncio.to_thread(self._events_of_message, sender_id, message_id)
        return None if rows is None else [Event.from_parameters(row) for row in rows]

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        """Rasa's ``_retrieve``, reading in a worker thread."""
        events = await asyncio.to_thread(
            self._read_events, sender_id, fetch_events_from_all_sessions
        )
        if not self.domain or not events:
            return None
        tracker = DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        setattr(tracker, _STORED, len(tracker.events))
        return tracker

    def _write_events(self, tracker: DialogueStateTracker) -> None:
        """Rasa's rows for the events not stored yet (blocking: runs in a worker thread)."""
        with self._writing, self.session_scope() as session:
            for event in self._additional_events(session, tracker):
                data = event.as_dict()
                intent = data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY)
                session.add(
                    self.SQLEvent(
                        sender_id=tracker.sender_id,
                        type_name=event.type_name,
                        timestamp=data.get("timestamp"),
                        intent_name=intent,
                        action_name=data.get("name"),
                        data=json.dumps(data),
                    )
                )
            session.commit()

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Rasa's ``save``: the new events to the broker, then to the table in a worker thread."""
        await self.stream_events(tracker)
        await asyncio.to_thread(self._write_events, tracker)
        setattr(tracker, _STORED, len(tracker.events))

    def _additional_events(
        self, session: sa.orm.Session, tracker: DialogueStateTracker
    ) -> Iterable[Any]:
        new_events = _unstored_events(tracker)
        if new_events is None:
            return super()._additional_events(session, tracker)
        return new_events

    async def stream_events(self, tracker: DialogueStateTracker) -> None:
        new_events = _unstored_events(tracker)
        if self.event_broker is None or new_events is None:
            return await super().stream_events(tracker)
        await self._stream_new_events(self.event_broker, new_events, tracker.sender_id)
