"""The ``callback_requests`` table and its queries (SQLAlchemy Core, SQLite or PostgreSQL).

One row per request for a consultant: a callback request left through the form, or a
"live" request (the candidate waits in the conversation for a consultant to take over,
during office hours). Data functions take the connection they are given; the caller owns
the transaction (``with db.transaction(engine) as connection:``).

A repeated user message (the same ``message_id`` for the same conversation, as Rasa's
user events carry it) never makes a second row: the row is inserted with ``ON CONFLICT DO
NOTHING`` on (sender_id, message_id), the same statement on both databases, and the
existing row is read back.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    delete,
    false,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Row
from sqlalchemy.sql.elements import ColumnElement

from bot.storage.db import metadata

STATUSES = ("new", "in_progress", "done", "no_answer")
OPEN_STATUSES = ("new", "in_progress")

callback_requests = Table(
    "callback_requests",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sender_id", String(255), nullable=False),
    # The user message that made the request: a redelivered message finds its row.
    Column("message_id", String(255), nullable=False),
    Column("channel", String(64), nullable=True),
    # The keyed hash of the client's address (bot.client): the limits per client count it.
    Column("client_key", String(64), nullable=True),
    # True: the candidate waits in the conversation for a consultant to take it over.
    Column("live", Boolean(create_constraint=False), nullable=False, server_default=false()),
    Column("name", String(120), nullable=True),
    Column("phone", String(16), nullable=True),  # E.164
    Column("email", String(254), nullable=True),
    Column("language", String(2), nullable=False),
    # "morning", "afternoon", or the candidate's own words.
    Column("preferred_moment", String(200), nullable=True),
    # The last intent before the request ("faq/taxes"), or free text.
    Column("topic", String(200), nullable=True),
    Column("consent_at", DateTime(timezone=True), nullable=True),
    Column("consent_version", String(40), nullable=True),
    Column("status", String(16), nullable=False, server_default="new"),
    Column("consultant", String(120), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # The first time a consultant acted on it (took it, put it in progress or closed it),
    # and when it was closed (done, no answer): the statistics' waiting and answer times.
    Column("taken_at", DateTime(timezone=True), nullable=True),
    Column("closed_at", DateTime(timezone=True), nullable=True),
    # How it ended, as the consultant closed it (OUTCOMES); NULL while open or when closed
    # by a status only.
    Column("outcome", String(16), nullable=True),
    # Set when the candidate's data was erased; the row stays, anonymous, for the counts.
    Column("erased_at", DateTime(timezone=True), nullable=True),
    UniqueConstraint("sender_id", "message_id", name="uq_callback_requests_sender_message"),
    CheckConstraint("status IN ('new', 'in_progress', 'done', 'no_answer')", name="status"),
    CheckConstraint("language IN ('fr', 'nl')", name="language"),
    # The console's queue: open requests, oldest first.
    Index("ix_callback_requests_status_created", "status", "created_at"),
    Index("ix_callback_requests_phone", "phone"),
    Index("ix_callback_requests_email", "email"),
)

OUTCOMES = ("reached", "unreachable", "wrong_number", "cancelled")
NOTE_KINDS = ("note", "attempt")

# What consultants write and do about a request: notes (free text, personal data: deleted
# with the request's data) and call attempts (when, who, reached or not: kept for counts).
callback_notes = Table(
    "callback_notes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("callback_id", Integer, ForeignKey("callback_requests.id"), nullable=False),
    Column("kind", String(8), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("author", String(254), nullable=False),
    Column("reached", Boolean(create_constraint=False), nullable=True),
    Column("text", Text, nullable=True),
    CheckConstraint("kind IN ('note', 'attempt')", name="kind"),
    Index("ix_callback_notes_callback_id", "callback_id", "at"),
)

# Personal data: what erasure clears.
PERSONAL = ("name", "phone", "email", "preferred_moment", "topic", "client_key")


def utc(value: datetime | None) -> datetime | None:
    """``value`` as an aware UTC datetime (SQLite gives naive ones back)."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def insert_once(connection: Connection, values: Mapping[str, Any]) -> dict[str, Any]:
    """Insert a request unless (sender_id, message_id) exists; return the stored row."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(callback_requests).values(**values)
    connection.execute(statement.on_conflict_do_nothing(index_elements=["sender_id", "message_id"]))
    row = connection.execute(
        select(callback_requests).where(
            callback_requests.c.sender_id == values["sender_id"],
            callback_requests.c.message_id == values["message_id"],
        )
    ).one()
    return as_dict(row)


def find_by_message(
    connection: Connection, sender_id: str, message_id: str
) -> dict[str, Any] | None:
    """The request stored for this (sender_id, message_id), if any."""
    row = connection.execute(
        select(callback_requests).where(
            callback_requests.c.sender_id == sender_id,
            callback_requests.c.message_id == message_id,
        )
    ).first()
    return as_dict(row) if row is not None else None


def open_live_request(connection: Connection, sender_id: str) -> dict[str, Any] | None:
    """The conversation's live request still waiting or being handled, if any."""
    row = connection.execute(
        select(callback_requests)
        .where(
            callback_requests.c.sender_id == sender_id,
            callback_requests.c.live.is_(True),
            callback_requests.c.status.in_(OPEN_STATUSES),
            callback_requests.c.erased_at.is_(None),
        )
        .order_by(callback_requests.c.id)
        .limit(1)
    ).first()
    return as_dict(row) if row is not None else None


def open_requests(
    connection: Connection, sender_id: str, phone: str | None, client_key: str | None = None
) -> tuple[int, int, int]:
    """How many callback requests (not live) are open for this conversation, for this
    phone number, and for this client address (its key)."""

    def count(condition: ColumnElement[bool]) -> int:
        return int(
            connection.execute(
                select(func.count()).where(
                    condition,
                    callback_requests.c.live.is_(False),
                    callback_requests.c.status.in_(OPEN_STATUSES),
                    callback_requests.c.erased_at.is_(None),
                )
            ).scalar_one()
        )

    by_phone = count(callback_requests.c.phone == phone) if phone else 0
    by_client = count(callback_requests.c.client_key == client_key) if client_key else 0
    return count(callback_requests.c.sender_id == sender_id), by_phone, by_client


def find(connection: Connection, status: str | None = None) -> list[dict[str, Any]]:
    """Requests not erased, oldest first; only those with ``status`` when given."""
    statement = select(callback_requests).where(callback_requests.c.erased_at.is_(None))
    if status is not None:
        statement = statement.where(callback_requests.c.status == status)
    statement = statement.order_by(callback_requests.c.created_at, callback_requests.c.id)
    return [as_dict(row) for row in connection.execute(statement)]


def get(connection: Connection, callback_id: int) -> dict[str, Any] | None:
    row = connection.execute(
        select(callback_requests).where(
            callback_requests.c.id == callback_id, callback_requests.c.erased_at.is_(None)
        )
    ).first()
    return as_dict(row) if row is not None else None


def set_status(
    connection: Connection, callback_id: int, status: str, consultant: str | None, now: datetime
) -> bool:
    """Change the status and the consultant of a request; False when there is no such row.

    Any status but ``new`` is a consultant's action: the first one sets ``taken_at``; a
    closed status (done, no answer) sets ``closed_at``, which reopening clears.
    """
    c = callback_requests.c
    acted = status != "new"
    result = connection.execute(
        update(callback_requests)
        .where(c.id == callback_id, c.erased_at.is_(None))
        .values(
            status=status,
            consultant=consultant,
            updated_at=now,
            taken_at=func.coalesce(c.taken_at, now) if acted else c.taken_at,
            closed_at=None if status in OPEN_STATUSES else now,
            outcome=None,  # a status alone says no outcome; bot.handoff.follow_up sets it
        )
    )
    return bool(result.rowcount)


def _matching(email: str | None, phone: str | None, sender_id: str | None) -> ColumnElement[bool]:
    conditions: list[ColumnElement[bool]] = []
    if email:
        conditions.append(callback_requests.c.email == email)
    if phone:
        conditions.append(callback_requests.c.phone == phone)
    if sender_id:
        conditions.append(callback_requests.c.sender_id == sender_id)
    if not conditions:
        raise ValueError("give an e-mail address, a phone number or a conversation id")
    return or_(*conditions)


def for_candidate(
    connection: Connection, email: str | None, phone: str | None, sender_id: str | None
) -> list[dict[str, Any]]:
    """Requests (not erased) with this e-mail address, phone number or conversation id."""
    statement = (
        select(callback_requests)
        .where(_matching(email, phone, sender_id), callback_requests.c.erased_at.is_(None))
        .order_by(callback_requests.c.created_at, callback_requests.c.id)
    )
    return [as_dict(row) for row in connection.execute(statement)]


def anonymise(
    connection: Connection,
    email: str | None,
    phone: str | None,
    sender_id: str | None,
    now: datetime,
) -> int:
    """Clear the personal data of the matching requests; the number of rows changed.

    The conversation id goes too (it leads to the transcript): each row gets
    ``erased:<id>`` instead, which keeps (sender_id, message_id) unique.
    """
    ids = [
        row.id
        for row in connection.execute(
            select(callback_requests.c.id).where(
                _matching(email, phone, sender_id), callback_requests.c.erased_at.is_(None)
            )
        )
    ]
    return _anonymise_ids(connection, ids, now)


def anonymise_closed_before(connection: Connection, cutoff: datetime, now: datetime) -> int:
    """Clear the personal data of the requests closed (done, no answer) before ``cutoff``:
    the retention period; the number of rows changed."""
    ids = [
        row.id
        for row in connection.execute(
            select(callback_requests.c.id).where(
                callback_requests.c.status.not_in(OPEN_STATUSES),
                callback_requests.c.updated_at < cutoff,
                callback_requests.c.erased_at.is_(None),
            )
        )
    ]
    return _anonymise_ids(connection, ids, now)


def _anonymise_ids(connection: Connection, ids: list[int], now: datetime) -> int:
    if ids:  # notes are free text about the candidate: they go with the request's data
        connection.execute(
            delete(callback_notes).where(
                callback_notes.c.callback_id.in_(ids), callback_notes.c.kind == "note"
            )
        )
    for callback_id in ids:
        connection.execute(
            update(callback_requests)
            .where(callback_requests.c.id == callback_id)
            .values(
                {
                    **{name: None for name in PERSONAL},
                    "sender_id": f"erased:{callback_id}",
                    "message_id": f"erased:{callback_id}",
                    "erased_at": now,
                    "updated_at": now,
                }
            )
        )
    return len(ids)


def as_dict(row: Row) -> dict[str, Any]:
    values = dict(row._mapping)
    for name in ("consent_at", "created_at", "updated_at", "erased_at", "taken_at", "closed_at"):
        values[name] = utc(values[name])
    values["live"] = bool(values["live"])
    return values


def add_note(
    connection: Connection,
    callback_id: int,
    kind: str,
    author: str,
    at: datetime,
    text: str | None = None,
    reached: bool | None = None,
) -> None:
    connection.execute(
        callback_notes.insert().values(
            callback_id=callback_id, kind=kind, author=author, at=at, text=text, reached=reached
        )
    )


def notes_of(connection: Connection, callback_id: int) -> list[dict[str, Any]]:
    """The notes and attempts of a request, oldest first."""
    n = callback_notes.c
    rows = connection.execute(
        select(callback_notes).where(n.callback_id == callback_id).order_by(n.at, n.id)
    )
    result = []
    for row in rows:
        values = dict(row._mapping)
        values["at"] = utc(values["at"])
        values["reached"] = None if values["reached"] is None else bool(values["reached"])
        result.append(values)
    return result


def set_outcome(connection: Connection, callback_id: int, outcome: str | None) -> None:
    connection.execute(
        update(callback_requests)
        .where(callback_requests.c.id == callback_id)
        .values(outcome=outcome)
    )
