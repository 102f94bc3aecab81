"""Alembic environment: the project's tables only, on the URL given by bot.storage.migrate."""

from __future__ import annotations

from typing import Any

from alembic import context

from bot.storage.db import make_engine
from bot.storage.tables import metadata

config = context.config


def _ours(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    # Rasa's tracker store ("events") and any other table not in our metadata stay untouched.
    if type_ == "table":
        return name in metadata.tables
    return True


def run_migrations() -> None:
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("alembic: sqlalchemy.url is not set (bot.storage sets it)")
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            include_object=_ours,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations()
