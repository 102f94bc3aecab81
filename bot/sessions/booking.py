"""Booking and cancelling a seat, the waiting list, erasure: never overbooked.

The caller owns the transaction: every function here takes the ``Connection`` it is given
(``with transaction(engine) as conn: book(conn, ...)``); :mod:`bot.sessions.use_cases` opens
the transaction and sends the e-mails once it has committed.

Capacity without races: a seat is taken by one conditional UPDATE (``seats_taken =
seats_taken + 1 WHERE seats_taken < capacity``) whose row count says whether it worked, never
by reading the count and writing it back. The booking row is inserted first, with ON CONFLICT
DO NOTHING on the unique keys (sender_id, message_id) and (session, e-mail of an active
booking): a message delivered twice, or the same person booking twice, gets the existing
booking back and takes no seat. A cancellation frees the seat and, in the same transaction,
gives it to the first booking of the waiting list.

On PostgreSQL a booking that finds no seat locks the session row before settling for the
waiting list, and a cancellation releases its seat (locking the row) before it reads the
waiting list: one of them always sees the other, so a free seat never sits beside a waiting
candidate. SQLite runs write transactions one at a time (BEGIN IMMEDIATE), which gives the
same guarantee.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from typing import Any

from sqlalchemy import case, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from bot import contact, log, references
from bot.config import Settings
from bot.errors import (
    BookingLimitReached,
    RegistrationClosed,
    SessionCancelled,
)
from bot.sessions.model import (
    CANDIDATE_LANGUAGES,
    CONSENT_VERSION,
    OPEN_STATUSES,
    Booking,
    BookingResult,
    CancelResult,
    ErasureResult,
    now_utc,
)
from bot.sessions.queries import (
    B,
    S,
    booking_from_row,
    bookings_for_candidate,
    find_booking,
    get_session,
    waitlist_position,
)
from bot.storage.db import is_sqlite
from bot.storage.sessions import info_sessions as sessions_table
from bot.storage.sessions import session_audit as audit_table
from bot.storage.sessions import session_bookings as bookings_table

_MAX_REFERENCE_ATTEMPTS = 5


def audit(
    conn: Connection,
    now: dt.datetime,
    actor: str,
    action: str,
    session_id: int | None = None,
    booking_id: int | None = None,
    **detail: Any,
) -> None:
    """One row of the audit trail: ids and what changed, no personal data."""
    conn.execute(
        audit_table.insert().values(
            at=now,
            actor=actor,
            action=action,
            session_id=session_id,
            booking_id=booking_id,
            detail=json.dumps(detail, sort_keys=True, default=str) if detail else None,
        )
    )


def _take_seat(conn: Connection, session_id: int, now: dt.datetime) -> bool:
    """Take one seat if one is free: a single conditional UPDATE, checked by its row count."""
    result = conn.execute(
        update(sessions_table)
        .where(
            S.id == session_id,
            S.seats_taken < S.capacity,
            S.status.in_(OPEN_STATUSES),
        )
        .values(
            seats_taken=S.seats_taken + 1,
            status=case((S.seats_taken + 1 >= S.capacity, "full"), else_=S.status),
            updated_at=now,
        )
    )
    return bool(result.rowcount == 1)


def _release_seat(conn: Connection, session_id: int, now: dt.datetime) -> None:
    conn.execute(
        update(sessions_table)
        .where(S.id == session_id, S.seats_taken > 0)
        .values(
            seats_taken=S.seats_taken - 1,
            status=case((S.status == "full", "scheduled"), else_=S.status),
            updated_at=now,
        )
    )


def lock_session(conn: Connection, session_id: int) -> None:
    """Hold the session row until the transaction ends (PostgreSQL; SQLite already does).

    ``FOR NO KEY UPDATE``, the lock an UPDATE takes, and not ``FOR UPDATE``: every booking
    insert holds ``FOR KEY SHARE`` on its session through the foreign key, which ``FOR
    UPDATE`` would wait for, so two full bookings would deadlock.
    """
    conn.execute(select(S.id).where(S.id == session_id).with_for_update(key_share=True))


def _insert_ignoring_conflicts(conn: Connection, values: dict[str, Any]) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING on every unique key; True when the row went in."""
    dialect = sqlite if is_sqlite(conn) else postgresql
    statement = dialect.insert(bookings_table).values(**values).on_conflict_do_nothing()
    return bool(conn.execute(statement).rowcount == 1)


def _existing_booking(
    conn: Connection, session_id: int, email: str, sender_id: str | None, message_id: str | None
) -> Booking | None:
    """The booking this message already made, or this e-mail's active one for the session."""
    if sender_id and message_id:
        row = conn.execute(
            select(bookings_table).where(B.sender_id == sender_id, B.message_id == message_id)
        ).first()
        if row is not None:
            return booking_from_row(row)
    row = conn.execute(
        select(bookings_table).where(
            B.session_id == session_id, B.email == email, B.status != "cancelled"
        )
    ).first()
    return booking_from_row(row) if row is not None else None


def book(
    conn: Connection,
    session_id: int,
    *,
    name: str,
    email: str,
    phone: str | None = None,
    language: str,
    consent_version: str = CONSENT_VERSION,
    sender_id: str | None = None,
    message_id: str | None = None,
    client_key: str | None = None,
    actor: str = "bot",
    now: dt.datetime | None = None,
) -> BookingResult:
    """Book a seat, or a place on the waiting list when the session is full.

    The same message (``sender_id``, ``message_id``) or the same e-mail address for the same
    session returns the existing booking (``created=False``) and takes no seat.

    Raises:
        SessionNotFound, SessionCancelled, RegistrationClosed: the session takes no booking
            (a repeated message still gets the booking it made).
        InvalidName, InvalidEmail, InvalidPhone: a value the form should have refused.
    """
    now = now or now_utc()
    name = contact.normalise_name(name)
    email = contact.normalise_email(email, confirmed=email)
    phone = contact.normalise_phone(phone) if phone else None
    if language not in CANDIDATE_LANGUAGES:
        raise ValueError(f"language must be fr or nl, got {language!r}")
    session = get_session(conn, session_id)
    closed = session.closed_reason(now)
    if closed:
        # A booking made before the deadline is still returned to whoever asks again.
        existing = _existing_booking(conn, session_id, email, sender_id, message_id)
        if existing is not None:
            return _result(conn, existing, created=False)
        raise (
            SessionCancelled(session_id)
            if closed == "cancelled"
            else RegistrationClosed(session_id, closed)
        )
    if actor == "bot" and _existing_booking(conn, session_id, email, sender_id, message_id) is None:
        # A candidate's booking through the chat; a repeated request is never refused, and
        # what consultants and the demo seeding book is not limited.
        _check_limits(conn, email, sender_id, client_key, now)
    values = dict(
        session_id=session_id,
        candidate_name=name,
        email=email,
        phone=phone,
        language=language,
        consent_at=now,
        consent_version=consent_version,
        status="waitlisted",  # provisional: becomes confirmed below if a seat is free
        waitlisted_at=now,
        sender_id=sender_id,
        message_id=message_id,
        client_key=client_key,
        created_at=now,
        updated_at=now,
    )
    for _ in range(_MAX_REFERENCE_ATTEMPTS):
        reference = references.new_reference()
        if _insert_ignoring_conflicts(conn, {**values, "reference": reference}):
            break
        existing = _existing_booking(conn, session_id, email, sender_id, message_id)
        if existing is not None:
            return _result(conn, existing, created=False)
        # Otherwise the random reference was taken already: draw another one.
    else:
        raise RuntimeError("could not draw an unused booking reference")
    booking = find_booking(conn, reference)
    seated = _take_seat(conn, session_id, now)
    if not seated:
        # Wait for a cancellation that may be releasing a seat right now, then try again.
        lock_session(conn, session_id)
        seated = _take_seat(conn, session_id, now)
    if seated:
        conn.execute(
            update(bookings_table)
            .where(B.id == booking.id)
            .values(status="confirmed", waitlisted_at=None)
        )
        booking = replace(booking, status="confirmed", waitlisted_at=None)
    action = "booking.confirmed" if seated else "booking.waitlisted"
    audit(conn, now, actor, action, session_id, booking.id)
    return _result(conn, booking, created=True)


def _check_limits(
    conn: Connection,
    email: str,
    sender_id: str | None,
    client_key: str | None,
    now: dt.datetime,
) -> None:
    """Refuse a new booking when the conversation, the e-mail address or the client address
    already holds the most upcoming bookings allowed (``BOT_MAX_BOOKINGS_PER_CONVERSATION``,
    ``..._PER_EMAIL``, ``..._PER_CLIENT``): a script could otherwise fill every seat with
    other people's addresses, from new conversations.

    Raises:
        BookingLimitReached: with the reason (``conversation``, ``email`` or ``client``).
    """
    settings = Settings.from_env()
    B = bookings_table.c
    S = sessions_table.c
    upcoming = (
        select(func.count())
        .select_from(bookings_table.join(sessions_table, S.id == B.session_id))
        .where(B.status != "cancelled", S.starts_at > now)
    )
    checks = [("email", B.email == email, settings.max_bookings_per_email)]
    if sender_id:
        checks.insert(
            0, ("conversation", B.sender_id == sender_id, settings.max_bookings_per_conversation)
        )
    if client_key:
        checks.append(("client", B.client_key == client_key, settings.max_bookings_per_client))
    for reason, condition, limit in checks:
        if conn.execute(upcoming.where(condition)).scalar_one() >= limit:
            raise BookingLimitReached(reason, limit)


def _result(conn: Connection, booking: Booking, created: bool) -> BookingResult:
    return BookingResult(
        booking=booking,
        session=get_session(conn, booking.session_id),
        created=created,
        waitlist_position=waitlist_position(conn, booking),
    )


def promote_first_waiting(
    conn: Connection, session_id: int, now: dt.datetime, actor: str
) -> Booking | None:
    """Give a free seat to the first booking of the waiting list; None if none or no seat."""
    while True:
        row = conn.execute(
            select(bookings_table)
            .where(B.session_id == session_id, B.status == "waitlisted")
            .order_by(B.waitlisted_at, B.id)
            .limit(1)
        ).first()
        if row is None or not _take_seat(conn, session_id, now):
            return None
        promoted = conn.execute(
            update(bookings_table)
            .where(B.id == row.id, B.status == "waitlisted")
            .values(status="confirmed", waitlisted_at=None, promoted_at=now, updated_at=now)
        )
        if promoted.rowcount == 1:
            audit(conn, now, actor, "booking.promoted", session_id, row.id)
            return find_booking(conn, row.reference)
        # Cancelled by its owner meanwhile: give the seat back and look at the next one.
        _release_seat(conn, session_id, now)


def cancel(
    conn: Connection,
    reference: str,
    *,
    actor: str = "candidate",
    now: dt.datetime | None = None,
) -> CancelResult:
    """Cancel a booking; a freed seat goes to the first booking of the waiting list.

    Cancelling twice is harmless (``already_cancelled``). No one is promoted once the
    session has started or when it was cancelled.

    Raises:
        BookingNotFound: for a malformed or unknown reference.
    """
    now = now or now_utc()
    booking = find_booking(conn, reference)
    # Lock the booking so that two cancellations of it do not both free a seat.
    row = conn.execute(select(bookings_table).where(B.id == booking.id).with_for_update()).first()
    booking = booking_from_row(row)
    if booking.cancelled:
        return CancelResult(booking, get_session(conn, booking.session_id), True)
    conn.execute(
        update(bookings_table)
        .where(B.id == booking.id)
        .values(status="cancelled", cancelled_at=now, waitlisted_at=None, updated_at=now)
    )
    audit(conn, now, actor, "booking.cancelled", booking.session_id, booking.id, was=booking.status)
    promoted = None
    if booking.confirmed:
        _release_seat(conn, booking.session_id, now)
        session = get_session(conn, booking.session_id)
        if session.status in OPEN_STATUSES and session.starts_at > now:
            promoted = promote_first_waiting(conn, booking.session_id, now, actor)
    return CancelResult(
        find_booking(conn, booking.reference),
        get_session(conn, booking.session_id),
        already_cancelled=False,
        promoted=promoted,
        previous_status=booking.status,
    )


def erase_candidate(
    conn: Connection,
    email: str | None = None,
    phone: str | None = None,
    sender_id: str | None = None,
    *,
    actor: str = "privacy",
    now: dt.datetime | None = None,
) -> ErasureResult:
    """Anonymise every booking of this candidate: their e-mail address, phone number or
    conversation (right to erasure).

    Bookings of sessions still to come are cancelled first, so that their seats go to the
    waiting list (returned in ``promoted``, to be told). The rows stay, without name, e-mail,
    phone or conversation ids, so that seat counts and the audit trail remain true; the audit
    rows of these bookings are masked once more and an ``booking.erased`` row is added.
    """
    now = now or now_utc()
    found = bookings_for_candidate(conn, email, phone, sender_id)
    promoted: list[Booking] = []
    for booking in found:
        # A past session keeps its attendance: only seats still to come are given back.
        if not booking.cancelled and get_session(conn, booking.session_id).starts_at > now:
            result = cancel(conn, booking.reference, actor=actor, now=now)
            if result.promoted is not None:
                promoted.append(result.promoted)
        _anonymise(conn, booking.id, booking.session_id, now, actor, "booking.erased")
    return ErasureResult(tuple(b.id for b in found), tuple(promoted))


def expire(
    conn: Connection,
    cutoff: dt.datetime,
    *,
    actor: str = "retention",
    now: dt.datetime | None = None,
) -> int:
    """Anonymise, as an erasure does, the bookings whose session started before ``cutoff``
    and the cancelled ones last changed before it (the retention period); how many."""
    now = now or now_utc()
    B = bookings_table.c
    S = sessions_table.c
    rows = conn.execute(
        select(B.id, B.session_id)
        .join(sessions_table, S.id == B.session_id)
        .where(
            B.erased_at.is_(None),
            (S.starts_at < cutoff) | (B.cancelled_at.is_not(None) & (B.updated_at < cutoff)),
        )
    ).all()
    for row in rows:
        _anonymise(conn, row.id, row.session_id, now, actor, "booking.expired")
    return len(rows)


def _anonymise(
    conn: Connection,
    booking_id: int,
    session_id: int,
    now: dt.datetime,
    actor: str,
    action: str,
) -> None:
    """Remove a booking's personal data (its audit rows' too), keeping the seat's history."""
    conn.execute(
        update(bookings_table)
        .where(bookings_table.c.id == booking_id)
        .values(
            candidate_name="",
            email=None,
            phone=None,
            sender_id=None,
            message_id=None,
            client_key=None,
            confirm_token=None,
            erased_at=now,
            updated_at=now,
        )
    )
    _mask_audit_rows(conn, booking_id)
    audit(conn, now, actor, action, session_id, booking_id)


def _mask_audit_rows(conn: Connection, booking_id: int) -> None:
    rows = conn.execute(
        select(audit_table.c.id, audit_table.c.actor, audit_table.c.detail).where(
            audit_table.c.booking_id == booking_id
        )
    ).all()
    for row in rows:
        conn.execute(
            update(audit_table)
            .where(audit_table.c.id == row.id)
            .values(actor=log.mask(row.actor), detail=log.mask(row.detail) if row.detail else None)
        )
