"""What the chat, the console and the commands do with a booking: one transaction, then the e-mail.

Each use case takes an ``Engine``, opens its own transaction and does its I/O (e-mail,
calendar invite) after the transaction has committed, so that a mail server that is down
never undoes a stored booking.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.engine import Engine

from bot.mailer import Mailer
from bot.sessions.booking import book, cancel
from bot.sessions.invites import ics_for_booking
from bot.sessions.mail import send_booking_email
from bot.sessions.model import Booking, BookingResult, CancelResult, InfoSession
from bot.sessions.queries import booking_details
from bot.sessions.schedule import cancel_session
from bot.storage.db import transaction


def ics_for_reference(engine: Engine, reference: str) -> bytes:
    """The .ics invite of a booking, for the web app's ``/ics/<reference>.ics``.

    Raises:
        BookingNotFound: for a malformed or unknown reference (the web app answers 404).
    """
    with transaction(engine) as conn:
        booking, session = booking_details(conn, reference)
    return ics_for_booking(booking, session)


def book_and_confirm(
    engine: Engine, mailer: Mailer | None, public_url: str, session_id: int, **fields: Any
) -> tuple[BookingResult, bool]:
    """``book`` in a transaction of its own, then the e-mail once it is committed.

    Returns the result and whether an e-mail went out. Only a new booking is confirmed by
    e-mail: a repeated message gets its booking back without a second e-mail.
    """
    with transaction(engine) as conn:
        result = book(conn, session_id, **fields)
    if not result.created:
        return result, False
    kind = "waitlisted" if result.waitlisted else "confirmed"
    sent = send_booking_email(
        mailer,
        kind,
        result.booking,
        result.session,
        public_url=public_url,
        waitlist_position=result.waitlist_position,
    )
    return result, sent


def cancel_and_notify(
    engine: Engine,
    mailer: Mailer | None,
    public_url: str,
    reference: str,
    *,
    actor: str = "candidate",
) -> CancelResult:
    """``cancel`` in a transaction of its own, then tell whoever got the seat.

    This is what the console calls to cancel on behalf of a candidate (``actor`` names the
    consultant); it raises ``BookingNotFound`` like ``cancel``.
    """
    with transaction(engine) as conn:
        result = cancel(conn, reference, actor=actor)
    notify_promoted(mailer, public_url, result.session, [result.promoted])
    return result


def notify_promoted(
    mailer: Mailer | None,
    public_url: str,
    session: InfoSession,
    promoted: Iterable[Booking | None],
) -> int:
    """E-mail the bookings that got a seat from the waiting list; returns how many went out."""
    return sum(
        send_booking_email(mailer, "promoted", booking, session, public_url=public_url)
        for booking in promoted
        if booking is not None
    )


def cancel_session_and_notify(
    engine: Engine, mailer: Mailer | None, public_url: str, session_id: int, *, actor: str
) -> tuple[InfoSession, int, int]:
    """Cancel a session, then e-mail its candidates: (session, bookings, e-mails sent)."""
    with transaction(engine) as conn:
        session, bookings = cancel_session(conn, session_id, actor=actor)
    sent = sum(
        send_booking_email(mailer, "cancelled", booking, session, public_url=public_url)
        for booking in bookings
    )
    return session, len(bookings), sent
