"""Who holds a live takeover: one consultant per paused conversation.

Rasa knows only that a conversation is paused; the console keeps who paused it
(``conversation_takeovers``). The holder writes to the candidate and hands back; a
colleague sees who holds it and can only take it over explicitly (:func:`transfer`, audited
by the caller), never write over a colleague's shoulder. A paused conversation with no row
(paused before this table existed, or through Rasa's API directly) is held by nobody: the
first consultant who acts on it holds it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from bot.console.users import now_utc
from bot.storage.console import conversation_takeovers


@dataclass(frozen=True)
class Holder:
    consultant: str
    since: dt.datetime


def holder(conn: Connection, sender_id: str) -> Holder | None:
    """Who holds the takeover of this conversation, if anyone."""
    t = conversation_takeovers.c
    row = conn.execute(select(t.held_by, t.since).where(t.sender_id == sender_id)).first()
    return Holder(row.held_by, row.since) if row else None


def claim(conn: Connection, sender_id: str, consultant: str) -> Holder | None:
    """Hold the takeover unless a colleague does; the colleague who holds it, or None."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    conn.execute(
        dialect.insert(conversation_takeovers)
        .values(sender_id=sender_id, held_by=consultant, since=now_utc())
        .on_conflict_do_nothing(index_elements=["sender_id"])
    )
    current = holder(conn, sender_id)
    return current if current is not None and current.consultant != consultant else None


def transfer(conn: Connection, sender_id: str, consultant: str) -> str | None:
    """Take the takeover over from whoever holds it; the previous holder (None: nobody)."""
    previous = holder(conn, sender_id)
    if previous is None:
        claim(conn, sender_id, consultant)
        return None
    conn.execute(
        update(conversation_takeovers)
        .where(conversation_takeovers.c.sender_id == sender_id)
        .values(held_by=consultant, since=now_utc())
    )
    return previous.consultant


def release(conn: Connection, sender_id: str) -> None:
    """The conversation is the assistant's again: nobody holds it."""
    t = conversation_takeovers.c
    conn.execute(delete(conversation_takeovers).where(t.sender_id == sender_id))
