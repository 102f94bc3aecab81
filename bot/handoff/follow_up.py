"""What consultants do with a callback request: notes, call attempts and an outcome.

A note is free text about the candidate (personal data: deleted when the request's data
is erased or its retention ends, ``bot.storage.handoff``). An attempt records when a
consultant called, who, and whether the candidate answered; attempts stay after erasure,
without anything about the candidate, for the counts. Closing with an outcome sets the
status the queue shows: reached or cancelled by the candidate → done; not reachable or a
wrong number → no answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy.engine import Connection

from bot.errors import CallbackNotFound, Refused
from bot.storage import handoff as store

OUTCOMES = store.OUTCOMES
STATUS_OF_OUTCOME = {
    "reached": "done",
    "cancelled": "done",
    "unreachable": "no_answer",
    "wrong_number": "no_answer",
}
MAX_NOTE = 2000
# A clock a little ahead is not an attempt "in the future".
_TOLERANCE = timedelta(minutes=5)


class FollowUpRefused(Refused):
    """A note, an attempt or an outcome refused; ``reason`` is a catalog key."""


@dataclass(frozen=True)
class FollowUp:
    """One note or attempt, as stored (``at`` in UTC)."""

    id: int
    kind: str
    at: datetime
    author: str
    reached: bool | None
    text: str | None


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(timezone.utc)


def _existing(conn: Connection, callback_id: int) -> None:
    if store.get(conn, callback_id) is None:
        raise CallbackNotFound(callback_id)


def add_note(
    conn: Connection, callback_id: int, author: str, text: str, now: datetime | None = None
) -> None:
    """Keep a consultant's note. Raises FollowUpRefused (``empty``, ``too_long``)."""
    text = text.strip()
    if not text:
        raise FollowUpRefused("empty")
    if len(text) > MAX_NOTE:
        raise FollowUpRefused("too_long")
    _existing(conn, callback_id)
    store.add_note(conn, callback_id, "note", author, _now(now), text=text)


def record_attempt(
    conn: Connection,
    callback_id: int,
    author: str,
    reached: bool,
    at: datetime | None = None,
    now: datetime | None = None,
) -> None:
    """Record a call: when (now unless given), who, reached or not.

    Raises FollowUpRefused (``future``: an attempt later than now).
    """
    moment = at or _now(now)
    if moment.tzinfo is None:
        raise ValueError("give the attempt's time a time zone")
    if moment > _now(now) + _TOLERANCE:
        raise FollowUpRefused("future")
    _existing(conn, callback_id)
    store.add_note(conn, callback_id, "attempt", author, moment, reached=reached)


def close(
    conn: Connection, callback_id: int, outcome: str, author: str, now: datetime | None = None
) -> str:
    """Close the request with an outcome; the status it now has.

    Raises FollowUpRefused (``outcome``: not one of OUTCOMES), CallbackNotFound.
    """
    if outcome not in OUTCOMES:
        raise FollowUpRefused("outcome")
    status = STATUS_OF_OUTCOME[outcome]
    if not store.set_status(conn, callback_id, status, author, _now(now)):
        raise CallbackNotFound(callback_id)
    store.set_outcome(conn, callback_id, outcome)
    return status


def history(conn: Connection, callback_id: int) -> list[FollowUp]:
    """The notes and attempts of a request, oldest first."""
    return [
        FollowUp(row["id"], row["kind"], row["at"], row["author"], row["reached"], row["text"])
        for row in store.notes_of(conn, callback_id)
    ]
