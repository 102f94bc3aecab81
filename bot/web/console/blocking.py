"""Database work and password hashing off the event loop, in the caller's transaction style.

``await read(request, fn, *args)`` runs ``fn(connection, *args)`` in a worker thread on a
read-only connection (no write lock on SQLite); ``await write(...)`` in a transaction that
commits when ``fn`` returns. Handlers stay thin: they parse, call one of these, render.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from aiohttp import web
from sqlalchemy.engine import Connection

from bot.storage import db
from bot.web.keys import ENGINE

T = TypeVar("T")


def engine_of(request: web.Request):  # type: ignore[no-untyped-def]
    return request.config_dict[ENGINE]


async def read(request: web.Request, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    engine = engine_of(request)

    def run() -> T:
        with db.reading(engine) as connection:
            return fn(connection, *args, **kwargs)

    return await asyncio.to_thread(run)


async def write(request: web.Request, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    engine = engine_of(request)

    def run() -> T:
        with db.transaction(engine) as connection:
            return fn(connection, *args, **kwargs)

    return await asyncio.to_thread(run)


async def call(fn: Callable[..., T], *args: Any) -> T:
    """Anything else that blocks (argon2, the projection refresh)."""
    return await asyncio.to_thread(fn, *args)


__all__ = ["read", "write", "call", "Connection"]
