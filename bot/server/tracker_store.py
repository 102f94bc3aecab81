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
"""

from __future__ import annotations

import os
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs

from bot.storage.db import make_engine


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
