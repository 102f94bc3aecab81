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
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.trackers import DialogueStateTracker

from bot.storage.db import make_engine

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
        if self.engine.dialect.name == "sqlite":
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
            options.setdefault("connect_args", {})["connect_timeout"] = int(
                os.environ.get("BOT_SQL_CONNECT_TIMEOUT", "3")
            )
            self.engine = sa.create_engine(url, pool_pre_ping=True, **options)
            self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    def _event_query(
        self, session: sa.orm.Session, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> sa.orm.Query:
        """Rasa's query (same filter and order), selecting only the ``data`` column."""
        query = super()._event_query(session, sender_id, fetch_events_from_all_sessions)
        return query.with_entities(self.SQLEvent.data)

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        tracker = await super()._retrieve(sender_id, fetch_events_from_all_sessions)
        if tracker is not None:
            setattr(tracker, _STORED, len(tracker.events))
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        await super().save(tracker)
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
