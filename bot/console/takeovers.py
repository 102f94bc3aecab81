"""Who holds a live takeover: one consultant per paused conversation.

Rasa knows only that a conversation is paused; the console keeps who paused it
(``conversation_takeovers``). The holder writes to the candidate and hands back; a
colleague sees who holds it and can only take it over explicitly (:func:`transfer`, audited
by the caller), never write over a colleague's shoulder. A paused conversation with no row
(paused before this table existed, or through Rasa's API directly) is held by nobody: the
first consultant who acts on it holds it.

A takeover nobody writes in (neither the candidate nor the consultant) for
``BOT_TAKEOVER_IDLE_MINUTES`` is found by :func:`idle` and released by :func:`release_idle`;
bot.console.idle_takeovers hands it back to the assistant.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, delete, exists, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from bot.console.users import now_utc
from bot.storage.console import conversation_takeovers
from bot.storage.rasa_events import events

# What counts as someone writing: the candidate's messages and the consultant's (bot events).
MESSAGES = ("user", "bot")


@dataclass(frozen=True)
class Holder:
    consultant: str
    since: dt.datetime


@dataclass(frozen=True)
class HeldConversation:
    """A takeover as stored: whose conversation, who holds it, since when."""

    sender_id: str
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


def _quiet_since(cutoff: dt.datetime):  # type: ignore[no-untyped-def]
    """The takeovers taken before ``cutoff`` with no message either way after it."""
    t = conversation_takeovers.c
    written = exists().where(
        and_(
            events.c.sender_id == t.sender_id,
            events.c.type_name.in_(MESSAGES),
            events.c.timestamp > cutoff.timestamp(),
        )
    )
    return and_(t.since < cutoff, ~written)


def idle(conn: Connection, cutoff: dt.datetime) -> list[HeldConversation]:
    """The takeovers nobody wrote in since ``cutoff`` (taken before it), oldest first."""
    t = conversation_takeovers.c
    rows = conn.execute(
        select(t.sender_id, t.held_by, t.since).where(_quiet_since(cutoff)).order_by(t.since)
    )
    return [HeldConversation(row.sender_id, row.held_by, row.since) for row in rows]


def release_idle(conn: Connection, held: HeldConversation, cutoff: dt.datetime) -> bool:
    """Release a takeover still held as ``held`` and still quiet; False if anything changed.

    One conditional DELETE: a message written, a colleague's takeover or another process's
    release since :func:`idle` read it leaves the row alone, so a takeover is handed back
    once, and never under the feet of someone who just wrote.
    """
    t = conversation_takeovers.c
    result = conn.execute(
        delete(conversation_takeovers).where(
            t.sender_id == held.sender_id,
            t.held_by == held.consultant,
            t.since == held.since,
            _quiet_since(cutoff),
        )
    )
    return bool(result.rowcount)


def restore(conn: Connection, held: HeldConversation) -> None:
    """Hold the takeover again as it was (the hand-back could not reach Rasa: retry later)."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    conn.execute(
        dialect.insert(conversation_takeovers)
        .values(sender_id=held.sender_id, held_by=held.consultant, since=held.since)
        .on_conflict_do_nothing(index_elements=["sender_id"])
    )
