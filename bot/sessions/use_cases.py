"""What the chat, the console and the commands do with a booking: one transaction, then the e-mail.

Each use case takes an ``Engine``, opens its own transaction and does its I/O (e-mail,
calendar invite) after the transaction has committed, so that a mail server that is down
never undoes a stored booking.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from sqlalchemy.engine import Engine

from bot.mailer import Mailer
from bot.sessions import opt_in
from bot.sessions.booking import book, cancel
from bot.sessions.invites import ics_for_booking
from bot.sessions.mail import confirmation_request_email, send_booking_email
from bot.sessions.model import Booking, BookingResult, CancelResult, InfoSession, now_utc
from bot.sessions.queries import booking_details, find_booking, get_session, waitlist_position
from bot.sessions.schedule import cancel_session
from bot.storage.db import reading, transaction


def ics_for_reference(engine: Engine, reference: str) -> bytes:
    """The .ics invite of a booking, for the web app's ``/ics/<reference>.ics``.

    Raises:
        BookingNotFound: for a malformed or unknown reference (the web app answers 404).
    """
    with transaction(engine) as conn:
        booking, session = booking_details(conn, reference)
    return ics_for_booking(booking, session)


def book_and_confirm(
    engine: Engine,
    mailer: Mailer | None,
    public_url: str,
    session_id: int,
    *,
    hold_minutes: int = 0,
    **fields: Any,
) -> tuple[BookingResult, bool]:
    """``book`` in a transaction of its own, then the e-mail once it is committed.

    Returns the result and whether an e-mail went out. Only a new booking is confirmed by
    e-mail: a repeated message gets its booking back without a second e-mail.

    With ``hold_minutes`` and a mailer (double opt-in, :mod:`bot.sessions.opt_in`), a new
    booking is held and the e-mail asks the candidate to confirm it; the usual confirmation
    follows the click (:func:`confirm_and_notify`). When that e-mail cannot be sent the hold
    is lifted: a mail failure never loses a booking.
    """
    with transaction(engine) as conn:
        result = book(conn, session_id, **fields)
        token = None
        if result.created and mailer is not None and hold_minutes > 0:
            token = opt_in.hold(conn, result.booking, hold_minutes, now_utc())
            result = replace(result, booking=find_booking(conn, result.booking.reference))
    if not result.created:
        return result, False
    if token is not None:
        assert mailer is not None
        return _ask_confirmation(engine, mailer, public_url, result, token, hold_minutes)
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


def _ask_confirmation(
    engine: Engine,
    mailer: Mailer,
    public_url: str,
    result: BookingResult,
    token: str,
    minutes: int,
) -> tuple[BookingResult, bool]:
    message = confirmation_request_email(
        result.booking,
        result.session,
        sender=mailer.sender,
        public_url=public_url,
        token=token,
        minutes=minutes,
    )
    if mailer.deliver(message, about=f"confirmation request of booking {result.booking.id}"):
        return result, True
    with transaction(engine) as conn:  # not sent: the booking stands without confirmation
        booking = opt_in.confirm(conn, token)
    return replace(result, booking=booking), False


def confirm_and_notify(
    engine: Engine, mailer: Mailer | None, public_url: str, token: str
) -> tuple[Booking, InfoSession]:
    """Confirm the held booking of an e-mail's link, then send the usual confirmation (the
    reference and the invite) once committed.

    Raises:
        BookingNotFound: unknown or used link; ``opt_in.HoldExpired``: too late.
    """
    with transaction(engine) as conn:
        booking = opt_in.confirm(conn, token)
        session = get_session(conn, booking.session_id)
        position = waitlist_position(conn, booking)
    kind = "waitlisted" if booking.waitlisted else "confirmed"
    send_booking_email(
        mailer, kind, booking, session, public_url=public_url, waitlist_position=position
    )
    return booking, session


def expire_holds_and_notify(engine: Engine, mailer: Mailer | None, public_url: str) -> int:
    """Cancel the bookings never confirmed in time, then tell whoever got their seats.

    Run every few seconds by the website: a read first, the write transaction only when a
    hold has run out (on SQLite a write transaction holds the lock Rasa waits for).
    """
    with reading(engine) as conn:
        if not opt_in.any_expired(conn):
            return 0
    with transaction(engine) as conn:
        results = opt_in.expire_holds(conn)
    for result in results:
        notify_promoted(mailer, public_url, result.session, [result.promoted])
    return len(results)


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
    """E-mail the bookings that got a seat from the waiting list; returns how many went out.

    A booking still waiting for its e-mail confirmation is not told: its owner may never
    have asked for it, and the confirmation that follows the link says it has a seat.
    """
    return sum(
        send_booking_email(mailer, "promoted", booking, session, public_url=public_url)
        for booking in promoted
        if booking is not None and not booking.held
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
