"""Real databases for integration tests: a fresh SQLite file and a fresh PostgreSQL database.

PostgreSQL tests talk to the server of ``TEST_POSTGRES_URL`` (default: the local server with
trust authentication, database ``test``), where each test gets a database of its own, dropped
afterwards. When no server answers they are skipped with the reason, except in CI
(``CI`` set), where ``.ci/run`` starts the server and a missing one is a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from bot.storage import migrate

POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


def _postgres_database() -> Iterator[str]:
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT", future=True)
    name = f"crossborder_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as error:
        admin.dispose()
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no PostgreSQL server at {POSTGRES_ADMIN_URL}: {error.orig}")
    try:
        yield str(make_url(POSTGRES_ADMIN_URL).set(database=name))
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    """An empty database with the project's tables migrated, on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'app.db'}"
        migrate.upgrade(url)
        yield url
    else:
        for url in _postgres_database():
            migrate.upgrade(url)
            yield url
