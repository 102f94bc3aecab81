"""The storage layer's promises: migrations run twice safely, transactions roll back."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, func, select

from bot.storage import db, migrate


def test_migrations_are_idempotent(database_url: str) -> None:
    migrate.upgrade(database_url)
    migrate.upgrade(database_url)


def test_transaction_rolls_back_on_error(database_url: str) -> None:
    engine = db.make_engine(database_url)
    table = Table("probe", MetaData(), Column("id", Integer, primary_key=True))
    table.create(engine)
    with pytest.raises(RuntimeError):
        with db.transaction(engine) as connection:
            connection.execute(table.insert().values(id=1))
            raise RuntimeError("boom")
    with db.transaction(engine) as connection:
        assert connection.execute(select(func.count()).select_from(table)).scalar_one() == 0
    engine.dispose()


def test_unsupported_database_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="mysql"):
        db.make_engine("mysql://localhost/x")
