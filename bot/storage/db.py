"""Engine, metadata and transactions for the project's tables, on SQLite or PostgreSQL.

The caller owns the transaction (SQLAlchemy "Session Basics"): data functions take the
connection they are given, and ``transaction(engine)`` opens one that commits on
success and rolls back on error.

SQLite needs three things to behave under concurrent writers (the recipe of SQLAlchemy's
pysqlite documentation): a busy timeout, so that a writer waits for the lock instead of
failing at once; WAL journaling, so that readers never block the writer; and ``BEGIN
IMMEDIATE`` for every transaction, so that two transactions never both read and then both try
to upgrade to a write lock (which deadlocks and fails one of them with "database is locked").
Read-only work opens its connection with ``reading(engine)``: a plain (deferred) ``BEGIN``
that takes no write lock, so that searches neither wait for nor hold up a long import.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import Connection, Engine, make_url

SQLITE_BUSY_TIMEOUT_MS = 30_000
# Execution option of connections that only read (see ``reading``).
READ_ONLY = "crossborder_read_only"

# Constraint names that are the same on every database, so that migrations can refer to them.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def is_sqlite(engine: Engine | Connection) -> bool:
    """True when ``engine`` talks to SQLite (some statements differ on PostgreSQL)."""
    return str(engine.dialect.name) == "sqlite"


def make_engine(database_url: str, durable: bool = True, **options: Any) -> Engine:
    """An engine for ``database_url``, with SQLite set up for concurrent writers.

    Args:
        database_url: an SQLAlchemy URL (SQLite or PostgreSQL).
        durable: on SQLite, make every commit survive a power cut (``synchronous=FULL``).
            ``False`` (``NORMAL``) still never corrupts the file in WAL mode and survives a
            crash of the process, but a power cut may lose the last commits: that is the
            trade-off Rasa's conversation events take, not bookings.
        options: passed on to ``create_engine``.

    Raises:
        ValueError: for a database other than SQLite or PostgreSQL.
    """
    url = make_url(database_url)
    backend = url.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise ValueError(f"DATABASE_URL: unsupported database {backend!r}")
    if backend == "postgresql":
        return create_engine(url, future=True, pool_pre_ping=True, **options)
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        future=True,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        **options,
    )
    _prepare_sqlite(engine, "FULL" if durable else "NORMAL")
    return engine


def _prepare_sqlite(engine: Engine, synchronous: str) -> None:
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, decide when a transaction begins.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute(f"PRAGMA synchronous = {synchronous}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    def _on_begin(connection: Connection) -> None:
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)


@lru_cache(maxsize=8)
def engine_for(database_url: str) -> Engine:
    """One shared engine per URL for the running process (connection pools are per engine)."""
    return make_engine(database_url)


@contextmanager
def transaction(engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction: committed when the block ends, rolled back on error."""
    with engine.begin() as connection:
        yield connection


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A connection for reads only: on SQLite its transactions take no write lock.

    With WAL journaling a reader then never waits for a writer, even one importing for
    several seconds; writing through this connection is a mistake (it would upgrade the
    lock late, the deadlock ``BEGIN IMMEDIATE`` avoids).
    """
    with engine.connect() as connection:
        yield connection.execution_options(**{READ_ONLY: True})
