"""What changed for the console since the last look: messages, live requests, takeovers.

The console's pages update by themselves (bot.web.console.live streams these changes to
each open tab). Everything a consultant must see at once leaves a row in the database,
whichever process wrote it: a message in Rasa's ``events`` table (the candidate's, the
assistant's, a consultant's), a request for a person in ``callback_requests``, a takeover in
``conversation_takeovers``. One reader polls these three with cheap indexed queries and
tells every subscriber; this works on SQLite (the default store, which has no notification
channel) as on PostgreSQL, in embedded and production mode, and costs the same with one
open console or fifty.

A change carries the conversation's console number and what happened, never the message
text nor the sender id (a phone number on WhatsApp): the page fetches what it shows through
its own authenticated, masked view.

PostgreSQL hands out event ids before the insert commits, so an event may appear below the
position already read: the last ``LOOKBACK`` ids are read again, and those already seen
skipped.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from bot.console import conversations
from bot.storage.console import conversation_takeovers
from bot.storage.handoff import callback_requests
from bot.storage.rasa_events import events

LOOKBACK = 200
BATCH = 500
MESSAGES = ("user", "bot")


@dataclass(frozen=True)
class Change:
    """``kind``: ``message``, ``request`` (a request for a person) or ``takeover``.

    ``sender_id`` is for the server's own use (who holds the conversation) and never sent.
    """

    kind: str
    sender_id: str
    data: dict[str, Any]


@dataclass
class Cursor:
    """Where the reader is: the last event id, the ids seen near it, requests and holders."""

    event_id: int = 0
    seen: set[int] = field(default_factory=set)
    requests: dict[int, dt.datetime] = field(default_factory=dict)
    requests_since: dt.datetime | None = None
    holders: dict[str, str] = field(default_factory=dict)


def start(conn: Connection) -> Cursor:
    """A cursor at the present: only what happens from now on is a change."""
    cursor = Cursor(event_id=int(conn.execute(select(func.max(events.c.id))).scalar() or 0))
    window = _window(conn, cursor.event_id - LOOKBACK, LOOKBACK)
    cursor.seen = {int(row.id) for row in window}
    newest = conn.execute(select(func.max(callback_requests.c.updated_at))).scalar()
    cursor.requests_since = newest
    if newest is not None:
        r = callback_requests.c
        for row in conn.execute(select(r.id, r.updated_at).where(r.updated_at >= newest)):
            cursor.requests[int(row.id)] = row.updated_at
    cursor.holders = _holders(conn)
    return cursor


def read_changes(conn: Connection, cursor: Cursor) -> list[Change]:
    """The changes since ``cursor``, which moves past them; oldest first per kind."""
    # Takeovers first: a message written in a conversation just taken names its holder.
    held = _takeovers(conn, cursor)
    return held + _messages(conn, cursor) + _requests(conn, cursor)


def numbered(conn: Connection, changes: list[Change]) -> list[Change]:
    """The changes with their conversation's console number (``conversation``; None when
    the projection does not have the conversation yet)."""
    numbers = conversations.numbers_for(conn, [c.sender_id for c in changes])
    return [
        Change(c.kind, c.sender_id, {**c.data, "conversation": numbers.get(c.sender_id)})
        for c in changes
    ]


def _author(type_name: str, data: str | None) -> str:
    if type_name == "user":
        return "candidate"
    try:
        metadata = (json.loads(data or "{}") or {}).get("metadata") or {}
    except ValueError:
        metadata = {}
    return "consultant" if metadata.get("kind") == "consultant_message" else "assistant"


def _window(conn: Connection, after: int, limit: int) -> list[Any]:
    e = events.c
    return list(
        conn.execute(
            select(e.id, e.sender_id, e.type_name, e.timestamp, e.data)
            .where(e.id > after, e.type_name.in_(MESSAGES))
            .order_by(e.id)
            .limit(limit)
        )
    )


def _messages(conn: Connection, cursor: Cursor) -> list[Change]:
    rows = _window(conn, cursor.event_id - LOOKBACK, BATCH + LOOKBACK)
    changes = []
    for row in rows:
        if int(row.id) in cursor.seen:
            continue
        cursor.seen.add(int(row.id))
        data = {
            "author": _author(row.type_name, row.data),
            "at": row.timestamp,
            "held_by": cursor.holders.get(row.sender_id),
        }
        changes.append(Change("message", row.sender_id, data))
    cursor.event_id = max([cursor.event_id, *(int(row.id) for row in rows)])
    cursor.seen = {i for i in cursor.seen if i > cursor.event_id - LOOKBACK}
    return changes


def _requests(conn: Connection, cursor: Cursor) -> list[Change]:
    r = callback_requests.c
    statement = select(
        r.id, r.sender_id, r.live, r.status, r.consultant, r.created_at, r.updated_at
    ).where(r.erased_at.is_(None))
    if cursor.requests_since is not None:
        statement = statement.where(r.updated_at >= cursor.requests_since)
    changes = []
    for row in conn.execute(statement.order_by(r.updated_at, r.id)):
        if cursor.requests.get(int(row.id)) == row.updated_at:
            continue
        cursor.requests[int(row.id)] = row.updated_at
        data = {
            "live": bool(row.live),
            "status": row.status,
            "held_by": row.consultant,
            "since": _iso(row.created_at),
        }
        changes.append(Change("request", row.sender_id, data))
    if cursor.requests:
        newest = max(cursor.requests.values())
        cursor.requests_since = newest
        cursor.requests = {k: v for k, v in cursor.requests.items() if v >= newest}
    return changes


def _iso(moment: dt.datetime) -> str:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)
    return aware.isoformat()


def _holders(conn: Connection) -> dict[str, str]:
    t = conversation_takeovers.c
    return {row.sender_id: row.held_by for row in conn.execute(select(t.sender_id, t.held_by))}


def _takeovers(conn: Connection, cursor: Cursor) -> list[Change]:
    now = _holders(conn)
    changed = {s for s in set(now) | set(cursor.holders) if now.get(s) != cursor.holders.get(s)}
    cursor.holders = now
    return [Change("takeover", s, {"held_by": now.get(s)}) for s in sorted(changed)]


def waiting(conn: Connection) -> list[dict[str, Any]]:
    """The live requests nobody took yet, longest wait first: ``conversation``, ``since``."""
    r = callback_requests.c
    rows = conn.execute(
        select(r.sender_id, r.created_at)
        .where(r.live.is_(True), r.status == "new", r.erased_at.is_(None))
        .order_by(r.created_at, r.id)
    ).all()
    numbers = conversations.numbers_for(conn, [row.sender_id for row in rows])
    return [
        {"conversation": numbers.get(row.sender_id), "since": _iso(row.created_at)} for row in rows
    ]
