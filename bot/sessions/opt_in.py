"""E-mail confirmation of a booking made in the chat (double opt-in), when e-mail is on.

Anyone can type anyone's address into the booking form. So, when the assistant can send
e-mail, a new booking is *held*: its seat (or waiting-list place) is reserved for
``BOT_BOOKING_HOLD_MINUTES``, and the e-mail asks the candidate to confirm it through a link.
The link carries a random token (256 bits) of which only the sha256 is stored: a link is
worth one confirmation (the hash is cleared when used) and a database leak gives no link.
A hold that runs out is cancelled like a cancellation by the candidate: its seat goes to the
first booking of the waiting list (:func:`expire_holds`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from bot.errors import BookingNotFound
from bot.sessions.booking import cancel
from bot.sessions.model import Booking, CancelResult, now_utc
from bot.sessions.queries import booking_from_row
from bot.storage.sessions import session_bookings as bookings_table

B = bookings_table.c


class HoldExpired(BookingNotFound):
    """The link came after the hold ran out: the booking is (being) cancelled."""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def hold(conn: Connection, booking: Booking, minutes: int, now: dt.datetime) -> str:
    """Hold ``booking`` until confirmed, for ``minutes``; the token of its link."""
    token = secrets.token_urlsafe(32)
    conn.execute(
        update(bookings_table)
        .where(B.id == booking.id)
        .values(
            hold_expires_at=now + dt.timedelta(minutes=minutes),
            confirm_token=_digest(token),
            updated_at=now,
        )
    )
    return token


def held_booking(conn: Connection, token: str, now: dt.datetime | None = None) -> Booking:
    """The booking a confirmation link is for, still held.

    Raises:
        BookingNotFound: no booking waits for this token (unknown, or used already).
        HoldExpired: the hold ran out.
    """
    row = conn.execute(
        select(bookings_table).where(B.confirm_token == _digest(token), B.status != "cancelled")
    ).first()
    if row is None or row.hold_expires_at is None:
        raise BookingNotFound("confirmation link")
    booking = booking_from_row(row)
    if booking.hold_expires_at is not None and booking.hold_expires_at <= (now or now_utc()):
        raise HoldExpired("confirmation link")
    return booking


def confirm(conn: Connection, token: str, now: dt.datetime | None = None) -> Booking:
    """Confirm the held booking of this link (once: the token is then forgotten).

    Raises:
        BookingNotFound, HoldExpired: as :func:`held_booking`.
    """
    now = now or now_utc()
    booking = held_booking(conn, token, now)
    done = conn.execute(
        update(bookings_table)
        .where(B.id == booking.id, B.confirm_token == _digest(token), B.status != "cancelled")
        .values(hold_expires_at=None, confirm_token=None, updated_at=now)
    )
    if done.rowcount != 1:  # confirmed or cancelled meanwhile by another request
        raise BookingNotFound("confirmation link")
    return booking_from_row(conn.execute(select(bookings_table).where(B.id == booking.id)).one())


def any_expired(conn: Connection, now: dt.datetime | None = None) -> bool:
    """Whether some booking's hold has run out."""
    expired = select(B.id).where(B.hold_expires_at <= (now or now_utc()), B.status != "cancelled")
    return conn.execute(expired.limit(1)).first() is not None


def expire_holds(conn: Connection, now: dt.datetime | None = None) -> list[CancelResult]:
    """Cancel the bookings whose hold ran out; a freed seat goes to the waiting list."""
    now = now or now_utc()
    rows = conn.execute(
        select(B.reference)
        .where(B.hold_expires_at <= now, B.status != "cancelled")
        .order_by(B.hold_expires_at, B.id)
    ).all()
    results = []
    for row in rows:
        result = cancel(conn, row.reference, actor="system", now=now)
        conn.execute(
            update(bookings_table)
            .where(B.reference == row.reference)
            .values(hold_expires_at=None, confirm_token=None)
        )
        results.append(result)
    return results
