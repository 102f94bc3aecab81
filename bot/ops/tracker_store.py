"""Rasa SQL tracker store settings derived from ``DATABASE_URL``."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import make_url

# Rasa's SQLTrackerStore with the project's SQLite set-up (bot/server/tracker_store.py).
STORE_CLASS = "bot.server.tracker_store.ProjectSQLTrackerStore"


def tracker_store_config(database_url: str) -> dict[str, Any]:
    """The ``tracker_store`` section of Rasa's endpoints for one database URL.

    Rasa's SQLTrackerStore takes the URL in pieces (dialect, host, db...), not as a URL. The
    host goes under ``url``: Rasa passes an endpoint's ``url`` as ``host=`` to the store's
    class and everything else as keyword arguments, so a ``host`` key would be given twice
    (``TypeError: got multiple values for keyword argument 'host'`` at start-up).
    The store is the project's subclass: an unknown class would make Rasa fall back silently
    to a store in memory, so the end-to-end tests check that conversations reach the file.

    Raises:
        ValueError: for a URL that is not SQLite or PostgreSQL.
    """
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if not url.database:
            raise ValueError("DATABASE_URL: an in-memory SQLite database would lose conversations")
        return {"type": STORE_CLASS, "dialect": "sqlite", "db": url.database}
    if url.get_backend_name() != "postgresql":
        raise ValueError(f"DATABASE_URL: unsupported database {url.get_backend_name()!r}")
    config: dict[str, Any] = {
        "type": STORE_CLASS,
        "dialect": "postgresql",
        "url": url.host or "localhost",
        "port": url.port or 5432,
        "db": url.database,
    }
    if url.username:
        config["username"] = url.username
    if url.password:
        config["password"] = url.password
    return config
