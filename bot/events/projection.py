"""Which projection the consumer feeds: the console's, once its tables exist.

The console's conversation list and analytics are a projection of Rasa's events folded by
the console's own pure function (``bot.console.summary.apply``); in the embedded default
``bot.console.projection.refresh_projection`` feeds it from the tracker store's ``events``
table, and in production mode this consumer feeds it from the broker through the same
``apply_events``, so both give the same console. In a database without the console's
tables (not migrated), events are only recorded in ``consumed_events``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from functools import partial

from sqlalchemy import inspect
from sqlalchemy.engine import Connection, Engine

from bot.config import Settings
from bot.console import projection
from bot.events import BrokerEvent, Projection, no_projection
from bot.storage.console import conversations
from bot.storage.rasa_events import StoredEvent

log = logging.getLogger(__name__)


def console_projection(
    connection: Connection,
    events: Sequence[BrokerEvent],
    inbox_confidence: float = 0.6,
    inbox_sample: float = 0.0,
) -> None:
    """Fold new events into the console's tables, under the projection's state lock."""
    projection.lock_state(connection)
    stored = [StoredEvent(None, e.sender_id, e.type_name, e.timestamp, e.data) for e in events]
    projection.apply_events(connection, stored, inbox_confidence, inbox_sample)


def projection_for(engine: Engine, settings: Settings | None = None) -> Projection:
    """The console's projection when its tables exist in this database, else none.

    Its inbox follows the same settings as the console's own refresh
    (``BOT_INBOX_CONFIDENCE``, ``BOT_INBOX_SAMPLE``), so both paths fill the same inbox.
    """
    if inspect(engine).has_table(conversations.name):
        log.info("feeding the console's projection")
        settings = settings or Settings.from_env()
        return partial(
            console_projection,
            inbox_confidence=settings.inbox_confidence,
            inbox_sample=settings.inbox_sample,
        )
    log.info("no console tables: events are recorded only")
    return no_projection


def broker_feeds_console(environ: Mapping[str, str] | None = None) -> bool:
    """True in production mode, where this consumer, not the tracker store, feeds the console.

    The console's own refresh from Rasa's ``events`` table (``refresh_projection``) must then
    not run: both paths would fold the same events and count every message twice.
    """
    return Settings.from_env(environ).production
