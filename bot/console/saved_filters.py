"""A consultant's saved filters of the conversation list ("Nouvelles en néerlandais", "Mes
conversations sur WhatsApp"): a name and a query string, seen by their owner only.

The free-text search is never saved: a search term may be a candidate's phone number or
name, and a saved filter outlives the conversation (no erasure would find it there). The
page number is not saved either: a filter opens on its first page.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import delete, func, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from bot.console.conversations import ConversationFilter
from bot.console.users import now_utc
from bot.storage.console import saved_filters

MAX_NAME = 60
MAX_PER_CONSULTANT = 20


class InvalidFilter(ValueError):
    """Refused; ``reason`` names the catalog text (``console.saved_filters.refused.*``):
    ``name``, ``empty`` (nothing to filter on), ``exists``, ``too_many``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class SavedFilter:
    id: int
    name: str
    query: str  # the list's query string, without "q" and "page"


def kept_query(query: Mapping[str, str], owner: str) -> str:
    """The query string a filter keeps: what the list understands, no search, no page."""
    chosen = ConversationFilter.from_query(query, owner)
    kept = chosen.query(search=None, page=1)
    return urllib.parse.urlencode(sorted(kept.items()))


def saved(conn: Connection, owner: str) -> list[SavedFilter]:
    f = saved_filters.c
    rows = conn.execute(select(f.id, f.name, f.query).where(f.owner == owner).order_by(f.name))
    return [SavedFilter(int(row.id), row.name, row.query) for row in rows]


def save(conn: Connection, owner: str, name: str, query: Mapping[str, str]) -> SavedFilter:
    """Save the list's current filter under ``name``; raises InvalidFilter."""
    name = " ".join(name.split())
    if not name or len(name) > MAX_NAME:
        raise InvalidFilter("name")
    kept = kept_query(query, owner)
    if not kept:
        raise InvalidFilter("empty")
    f = saved_filters.c
    count = conn.execute(select(func.count()).where(f.owner == owner)).scalar() or 0
    if count >= MAX_PER_CONSULTANT:
        raise InvalidFilter("too_many")
    try:
        with conn.begin_nested():
            new_id = conn.execute(
                insert(saved_filters).values(
                    owner=owner, name=name, query=kept, created_at=now_utc()
                )
            ).inserted_primary_key[0]
    except IntegrityError:
        raise InvalidFilter("exists") from None
    return SavedFilter(int(new_id), name, kept)


def remove(conn: Connection, owner: str, filter_id: int) -> bool:
    """Remove one of ``owner``'s filters; False when they have no such filter."""
    f = saved_filters.c
    result = conn.execute(delete(saved_filters).where(f.id == filter_id, f.owner == owner))
    return bool(result.rowcount)
