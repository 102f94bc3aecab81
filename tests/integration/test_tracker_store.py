"""Rasa's tracker store, the project's subclass, on a real SQLite file and PostgreSQL."""

from __future__ import annotations

import sqlite3

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import make_url

from bot.server.tracker_store import ProjectSQLTrackerStore
from bot.tracker_store import tracker_store_config


def _store(database_url: str) -> ProjectSQLTrackerStore:
    config = tracker_store_config(database_url)
    config.pop("type")
    if "url" in config:  # what Rasa passes as host= from an endpoints file
        config["host"] = config.pop("url")
    return ProjectSQLTrackerStore(domain=Domain.empty(), **config)


async def test_conversations_are_saved_and_read_back(database_url: str) -> None:
    store = _store(database_url)
    tracker = DialogueStateTracker("candidate-1", slots=[])
    tracker.update(ActionExecuted("action_listen"))
    tracker.update(UserUttered("ik zoek werk in Kortrijk", {"name": "search_vacancies"}))
    await store.save(tracker)
    again = await _store(database_url).retrieve("candidate-1")
    assert again is not None
    assert again.latest_message.text == "ik zoek werk in Kortrijk"
    store.engine.dispose()


async def test_sqlite_file_uses_write_ahead_logging(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'rasa.db'}"
    store = _store(url)
    await store.save(DialogueStateTracker("candidate-2", slots=[]))
    with sqlite3.connect(make_url(url).database) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store.engine.dispose()
