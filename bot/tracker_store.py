"""Rasa SQL tracker store settings derived from ``DATABASE_URL``."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import make_url


def tracker_store_config(database_url: str) -> dict[str, Any]:
    """The ``tracker_store`` section of Rasa's endpoints for one database URL.

    Rasa's SQLTrackerStore takes the URL in pieces (dialect, host, db...), not as a URL.

    Raises:
        ValueError: for a URL that is not SQLite or PostgreSQL.
    """
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if not url.database:
            raise ValueError("DATABASE_URL: an in-memory SQLite database would lose conversations")
        return {"type": "SQL", "dialect": "sqlite", "db": url.database}
    if url.get_backend_name() != "postgresql":
        raise ValueError(f"DATABASE_URL: unsupported database {url.get_backend_name()!r}")
    config: dict[str, Any] = {
        "type": "SQL",
        "dialect": "postgresql",
        "host": url.host or "localhost",
        "port": url.port or 5432,
        "db": url.database,
    }
    if url.username:
        config["username"] = url.username
    if url.password:
        config["password"] = url.password
    return config
