"""Rasa's SQL tracker store, on the same engine set-up as the project's own tables.

Rasa 3.6 opens SQLite without a busy timeout, in rollback-journal mode, with a new
connection per request: every message then costs several disk syncs, and a booking written
by the action server at the same moment can make Rasa's write fail ("database is locked"),
after which Rasa silently keeps the conversation in memory only. This subclass swaps the
engine for one made by ``bot.storage.db.make_engine`` (WAL, busy timeout, ``BEGIN
IMMEDIATE``, pooled connections); PostgreSQL is left as Rasa sets it up.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore

from bot.storage.db import make_engine


class ProjectSQLTrackerStore(SQLTrackerStore):
    """``tracker_store: {type: bot.server.tracker_store.ProjectSQLTrackerStore, ...}``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name == "sqlite":
            url = self.engine.url.render_as_string(hide_password=False)
            self.engine.dispose()
            # Conversation events may lose their last commits on a power cut (never on a
            # crash of the process); bookings, on their own engine, may not.
            self.engine = make_engine(url, durable=False, poolclass=sa.pool.QueuePool)
            self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
