"""Reading sessions and bookings: upcoming sessions, a booking by reference, attendees, a candidate.

Every function takes the ``Connection`` it is given; the caller owns the transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import fields
from typing import Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.engine import Connection

from bot import contact, references
from bot.errors import (
    BookingNotFound,
    InvalidPhone,
    SessionNotFound,
)
from bot.sessions.model import (
    LANGUAGE_FILTER,
    OPEN_STATUSES,
    TIMEZONE,
    Booking,
    InfoSession,
    now_utc,
)
from bot.storage.sessions import info_sessions as sessions_table
from bot.storage.sessions import session_bookings as bookings_table

S, B = sessions_table.c, bookings_table.c

_SESSION_TIMES = ("starts_at", "ends_at", "registration_deadline")


def session_from_row(row: Any) -> InfoSession:
    """The session of a row of info_sessions, with its times in Brussels time."""
    m = row._mapping
    values = {f.name: m[f.name] for f in fields(InfoSession)}
    values.update({name: m[name].astimezone(TIMEZONE) for name in _SESSION_TIMES})
    return InfoSession(**values)


def booking_from_row(row: Any) -> Booking:
    """The booking of a row of session_bookings."""
    m = row._mapping
    return Booking(**{f.name: m[f.name] for f in fields(Booking)})


def get_session(conn: Connection, session_id: int) -> InfoSession:
    """The session with this id.

    Raises:
        SessionNotFound: when there is none.
    """
    row = conn.execute(select(sessions_table).where(S.id == session_id)).first()
    if row is None:
        raise SessionNotFound(session_id)
    return session_from_row(row)


def upcoming_sessions(
    conn: Connection,
    *,
    now: dt.datetime | None = None,
    topic: str | None = None,
    place_ids: Collection[str] | None = None,
    city: str | None = None,
    language: str | None = None,
    online: bool | None = None,
    only_available: bool = False,
) -> list[InfoSession]:
    """Sessions that take bookings now, soonest first, with the seats left.

    Args:
        topic: a topic name (``taxes``, ``job_dating``...).
        place_ids: sessions in one of these towns (gazetteer ids).
        city: sessions whose town is named so (case-insensitive), for the console.
        language: ``fr`` or ``nl`` keeps the sessions a speaker of that language can follow
            (bilingual ones included); ``fr+nl`` keeps the bilingual ones.
        online: True for online sessions only, False for sessions on site only.
        only_available: leave out the full sessions (whose bookings go on a waiting list).
    """
    now = now or now_utc()
    query = select(sessions_table).where(
        S.status.in_(OPEN_STATUSES),
        S.registration_deadline > now,
        S.starts_at > now,
        S.archived_at.is_(None),
    )
    if topic:
        query = query.where(S.topic == topic)
    if place_ids is not None:
        query = query.where(S.place_id.in_(list(place_ids)))
    if city:
        query = query.where(func.lower(S.city) == city.strip().lower())
    if language in LANGUAGE_FILTER:
        query = query.where(S.language.in_(LANGUAGE_FILTER[language]))
    if online is not None:
        query = query.where(S.online.is_(online))
    if only_available:
        query = query.where(S.seats_taken < S.capacity)
    rows = conn.execute(query.order_by(S.starts_at, S.id)).all()
    return [session_from_row(row) for row in rows]


def list_sessions(
    conn: Connection,
    *,
    include_past: bool = False,
    archived: bool = False,
    now: dt.datetime | None = None,
) -> list[InfoSession]:
    """Every session, whatever its status (for the console and ``list-sessions``); the
    archived ones only when ``archived``, and then only them."""
    query = select(sessions_table).where(
        S.archived_at.is_not(None) if archived else S.archived_at.is_(None)
    )
    if not include_past:
        query = query.where(S.ends_at > (now or now_utc()))
    return [session_from_row(row) for row in conn.execute(query.order_by(S.starts_at, S.id)).all()]


def find_booking(conn: Connection, reference: str) -> Booking:
    """The booking with this reference, typed in any case, with or without its dash.

    Raises:
        BookingNotFound: for a malformed or unknown reference.
    """
    normalised = references.normalise_reference(reference)
    if normalised is None:
        raise BookingNotFound(reference)
    row = conn.execute(select(bookings_table).where(B.reference == normalised)).first()
    if row is None:
        raise BookingNotFound(normalised)
    return booking_from_row(row)


def booking_details(conn: Connection, reference: str) -> tuple[Booking, InfoSession]:
    """The booking with this reference and its session (raises ``BookingNotFound``)."""
    booking = find_booking(conn, reference)
    return booking, get_session(conn, booking.session_id)


def waitlist_position(conn: Connection, booking: Booking) -> int | None:
    """1 for the first booking of the waiting list; None when the booking is not waiting."""
    if not booking.waitlisted or booking.waitlisted_at is None:
        return None
    ahead = conn.execute(
        select(func.count())
        .select_from(bookings_table)
        .where(
            B.session_id == booking.session_id,
            B.status == "waitlisted",
            or_(
                B.waitlisted_at < booking.waitlisted_at,
                (B.waitlisted_at == booking.waitlisted_at) & (B.id < booking.id),
            ),
        )
    ).scalar_one()
    return int(ahead) + 1


def attendees(conn: Connection, session_id: int, include_cancelled: bool = False) -> list[Booking]:
    """Bookings of a session: confirmed first (in booking order), then the waiting list."""
    get_session(conn, session_id)
    query = select(bookings_table).where(B.session_id == session_id)
    if not include_cancelled:
        query = query.where(B.status != "cancelled")
    order = case((B.status == "confirmed", 0), (B.status == "waitlisted", 1), else_=2)
    rows = conn.execute(query.order_by(order, B.waitlisted_at, B.id)).all()
    return [booking_from_row(row) for row in rows]


def bookings_for_candidate(
    conn: Connection,
    email: str | None = None,
    phone: str | None = None,
    sender_id: str | None = None,
) -> list[Booking]:
    """Every booking made with this e-mail address, phone number or in this conversation
    (privacy export).

    The e-mail is compared lower-cased and the phone number in E.164 form, as they are
    stored; a value that cannot be normalised matches nothing.
    """
    conditions = _candidate_conditions(email, phone, sender_id)
    if not conditions:
        return []
    rows = conn.execute(select(bookings_table).where(or_(*conditions)).order_by(B.id)).all()
    return [booking_from_row(row) for row in rows]


def _candidate_conditions(email: str | None, phone: str | None, sender_id: str | None) -> list[Any]:
    conditions = []
    if email and email.strip():
        conditions.append(B.email == email.strip().lower())
    if phone and phone.strip():
        try:
            conditions.append(B.phone == contact.normalise_phone(phone))
        except InvalidPhone:
            pass
    if sender_id:
        conditions.append(B.sender_id == sender_id)
    return conditions
