"""Real databases for integration tests: a fresh SQLite file and a fresh PostgreSQL database.

PostgreSQL tests talk to the server of ``TEST_POSTGRES_URL`` (default: the local server with
trust authentication, database ``test``). When no server answers they are skipped with the
reason, except in CI (``CI`` set), where ``.ci/run`` starts the server and a missing one is a
failure.

Every test gets an empty database with the project's tables migrated, as if just made; what
differs is how it is made. Migrating took most of the suite's time (0.2 s on SQLite, 0.8 s
on PostgreSQL, for about 500 tests): the SQLite file is copied from one migrated once per
run, and a PostgreSQL database is handed from one test to the next emptied (its connections
closed, every table truncated, its sequences restarted). A test that changed the schema (a
migration downgraded, a table created or altered) leaves a database that is dropped, not
handed on.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError

from bot.config import PROJECT_DIR
from bot.storage import db, migrate
from tests.smtp_server import SmtpServer, smtp_server

POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


def _postgres_database() -> Iterator[str]:
    """A new empty PostgreSQL database (not migrated), dropped afterwards."""
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


_SCHEMA = text(
    "SELECT c.table_name, c.column_name, c.data_type, c.is_nullable, c.column_default"
    " FROM information_schema.columns c WHERE c.table_schema = 'public'"
    " UNION ALL SELECT tablename, indexname, indexdef, '', '' FROM pg_indexes"
    " WHERE schemaname = 'public'"
    " UNION ALL SELECT 'alembic_version', version_num, '', '', '' FROM alembic_version"
    " ORDER BY 1, 2"
)
_TABLES = text(
    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
)


class _PostgresDatabases:
    """Migrated PostgreSQL databases, each handed to one test at a time (module docstring)."""

    def __init__(self) -> None:
        self._free: list[tuple[str, Iterator[str], object]] = []
        self._all: list[Iterator[str]] = []

    def take(self) -> tuple[str, Iterator[str], object]:
        if self._free:
            return self._free.pop()
        made = _postgres_database()
        url = next(made)  # skips the test when no server answers
        self._all.append(made)
        migrate.upgrade(url)
        return url, made, self._schema(url)

    def give_back(self, url: str, made: Iterator[str], schema: object) -> None:
        engine = create_engine(url, isolation_level="AUTOCOMMIT", future=True)
        try:
            with engine.connect() as connection:
                connection.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                )
            unchanged = self._schema(url, engine) == schema
            if unchanged:
                with engine.connect() as connection:
                    tables = [f'"{row[0]}"' for row in connection.execute(_TABLES)]
                    if tables:
                        connection.execute(
                            text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
                        )
        finally:
            engine.dispose()
        if unchanged:
            self._free.append((url, made, schema))
        else:
            self._drop(made)

    def close(self) -> None:
        for made in list(self._all):
            self._drop(made)

    def _drop(self, made: Iterator[str]) -> None:
        self._all.remove(made)
        for _ in made:  # runs the generator's clean-up: DROP DATABASE
            pass

    @staticmethod
    def _schema(url: str, engine: Engine | None = None) -> object:
        own = engine is None
        engine = engine or create_engine(url, future=True)
        try:
            with engine.connect() as connection:
                return [tuple(row) for row in connection.execute(_SCHEMA)]
        finally:
            if own:
                engine.dispose()


@pytest.fixture(scope="session")
def _postgres_databases() -> Iterator[_PostgresDatabases]:
    databases = _PostgresDatabases()
    try:
        yield databases
    finally:
        databases.close()


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("migrated") / "app.db"
    migrate.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, _sqlite_template: Path
) -> Iterator[str]:
    """An empty database with the project's tables migrated, on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        shutil.copyfile(_sqlite_template, tmp_path / "app.db")
        yield f"sqlite:///{tmp_path / 'app.db'}"
    else:
        databases: _PostgresDatabases = request.getfixturevalue("_postgres_databases")
        url, made, schema = databases.take()
        try:
            yield url
        finally:
            databases.give_back(url, made, schema)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on :func:`database_url`'s database (a test module may define its own)."""
    made = db.make_engine(database_url)
    yield made
    made.dispose()


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """The local SMTP test server, receiving what the project sends."""
    with smtp_server() as server:
        yield server


def _training_data() -> dict[str, bytes]:
    data = PROJECT_DIR / "data"
    return {str(path.relative_to(data)): path.read_bytes() for path in data.rglob("*.yml")}


@pytest.fixture(scope="session", autouse=True)
def _project_data_untouched() -> Iterator[None]:
    """No test writes into the project's data/ (the model trains from it, beside these tests
    in `make test`): a console test once wrote the inbox's examples there."""
    before = _training_data()
    yield
    after = _training_data()
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert not changed, f"tests changed the project's training data: {changed}"
