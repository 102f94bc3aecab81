"""Information sessions: listing, booking, waiting list, cancellation, never overbooked.

The caller owns the transaction: every function here takes the ``Connection`` it is given
(``with transaction(engine) as conn: book(conn, ...)``), except the few ``*_and_notify``
helpers and ``ics_for_reference`` that take an ``Engine``, open their own transaction and
do their I/O (e-mail) after it has committed.

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
from collections.abc import Collection
from dataclasses import dataclass, field, fields, replace
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from bot import contact, holidays, log, references
from bot.errors import (
    BookingNotFound,
    InvalidPhone,
    RegistrationClosed,
    SessionCancelled,
    SessionNotFound,
)
from bot.gazetteer import place
from bot.storage.db import is_sqlite, transaction
from bot.storage.sessions import info_sessions as sessions_table
from bot.storage.sessions import session_audit as audit_table
from bot.storage.sessions import session_bookings as bookings_table

TIMEZONE = ZoneInfo("Europe/Brussels")
# The version of the consent text shown by the booking form (domain/sessions.yml).
CONSENT_VERSION = "booking-consent-2026-12"
LANGUAGES = ("fr", "nl", "fr+nl")
CANDIDATE_LANGUAGES = ("fr", "nl")
# Session languages kept by a language filter: a French or Dutch speaker can follow a
# bilingual session too; "fr+nl" asks for the bilingual ones.
LANGUAGE_FILTER = {"fr": ("fr", "fr+nl"), "nl": ("nl", "fr+nl"), "fr+nl": ("fr+nl",)}
# Session topics are FAQ topic names, so that a session can be offered after an answer.
TOPICS = (
    "frontier_worker",
    "taxes",
    "social_security",
    "job_dating",
    "training",
    "cv_application",
    "contracts",
    "equal_opportunities",
    "language_requirements",
    "job_search_services",
)
OPEN_STATUSES = ("scheduled", "full")
DEADLINE_WORKING_DAYS = 2
JOB_DATING_DEADLINE_WORKING_DAYS = 5  # pre-selection of candidates
_MAX_REFERENCE_ATTEMPTS = 5

S, B = sessions_table.c, bookings_table.c


@dataclass(frozen=True)
class InfoSession:
    """One information session; times are aware datetimes in Europe/Brussels."""

    id: int
    title_fr: str
    title_nl: str
    topic: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    venue: str
    address: str | None
    place_id: str | None
    city: str | None
    online: bool
    language: str
    capacity: int
    seats_taken: int
    registration_deadline: dt.datetime
    status: str
    demo: bool = False
    slug: str | None = None

    @property
    def seats_left(self) -> int:
        """Free seats (0 when full: new bookings go on the waiting list)."""
        return max(self.capacity - self.seats_taken, 0)

    def title(self, language: str | None) -> str:
        """The title in ``language`` (French unless Dutch)."""
        return self.title_nl if language == "nl" else self.title_fr

    def city_name(self, language: str | None) -> str | None:
        """The town in ``language`` ("Courtrai" / "Kortrijk"), from the gazetteer if known."""
        known = place(self.place_id)
        return known.name(language) if known else self.city

    def closed_reason(self, now: dt.datetime) -> str | None:
        """Why the session takes no booking now (``cancelled``, ``done``, ``started``,
        ``deadline``), or None when it does."""
        if self.status == "cancelled":
            return "cancelled"
        if self.status == "done":
            return "done"
        if now >= self.starts_at:
            return "started"
        if now >= self.registration_deadline:
            return "deadline"
        return None

    def is_bookable(self, now: dt.datetime) -> bool:
        """True while the session takes bookings (seats or waiting list)."""
        return self.closed_reason(now) is None


@dataclass(frozen=True)
class Booking:
    """A seat or a place on the waiting list; personal fields stay out of ``repr``."""

    id: int
    reference: str
    session_id: int
    status: str
    language: str
    candidate_name: str = field(repr=False)
    email: str | None = field(repr=False)
    phone: str | None = field(repr=False)
    consent_at: dt.datetime = field(repr=False)
    consent_version: str = field(repr=False)
    waitlisted_at: dt.datetime | None = None
    sender_id: str | None = field(default=None, repr=False)
    message_id: str | None = field(default=None, repr=False)
    created_at: dt.datetime | None = None
    cancelled_at: dt.datetime | None = None
    promoted_at: dt.datetime | None = None
    erased_at: dt.datetime | None = None

    @property
    def confirmed(self) -> bool:
        return self.status == "confirmed"

    @property
    def waitlisted(self) -> bool:
        return self.status == "waitlisted"

    @property
    def cancelled(self) -> bool:
        return self.status == "cancelled"


@dataclass(frozen=True)
class BookingResult:
    """What ``book`` did: ``created`` is False when an existing booking was returned."""

    booking: Booking
    session: InfoSession
    created: bool
    waitlist_position: int | None = None

    @property
    def waitlisted(self) -> bool:
        return self.booking.waitlisted


@dataclass(frozen=True)
class CancelResult:
    """What ``cancel`` did, and who got the seat (to be told by e-mail).

    ``previous_status`` is the booking's status before: ``confirmed`` (a seat was freed),
    ``waitlisted`` (a place on the waiting list was given up) or ``cancelled`` (nothing done).
    """

    booking: Booking
    session: InfoSession
    already_cancelled: bool
    promoted: Booking | None = None
    previous_status: str = "cancelled"


@dataclass(frozen=True)
class ErasureResult:
    """The bookings anonymised by ``erase_candidate`` and who got a freed seat."""

    booking_ids: tuple[int, ...]
    promoted: tuple[Booking, ...] = ()


# --- reading ------------------------------------------------------------------------------


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


_SESSION_TIMES = ("starts_at", "ends_at", "registration_deadline")


def _session(row: Any) -> InfoSession:
    """The session of a row of info_sessions, with its times in Brussels time."""
    m = row._mapping
    values = {f.name: m[f.name] for f in fields(InfoSession)}
    values.update({name: m[name].astimezone(TIMEZONE) for name in _SESSION_TIMES})
    return InfoSession(**values)


def _booking(row: Any) -> Booking:
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
    return _session(row)


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
        S.status.in_(OPEN_STATUSES), S.registration_deadline > now, S.starts_at > now
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
    return [_session(row) for row in rows]


def list_sessions(
    conn: Connection, *, include_past: bool = False, now: dt.datetime | None = None
) -> list[InfoSession]:
    """Every session, whatever its status (for the console and ``list-sessions``)."""
    query = select(sessions_table)
    if not include_past:
        query = query.where(S.ends_at > (now or now_utc()))
    return [_session(row) for row in conn.execute(query.order_by(S.starts_at, S.id)).all()]


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
    return _booking(row)


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
    return [_booking(row) for row in rows]


def bookings_for_candidate(
    conn: Connection, email: str | None = None, phone: str | None = None
) -> list[Booking]:
    """Every booking made with this e-mail address or phone number (privacy export).

    The e-mail is compared lower-cased and the phone number in E.164 form, as they are
    stored; a value that cannot be normalised matches nothing.
    """
    conditions = _candidate_conditions(email, phone)
    if not conditions:
        return []
    rows = conn.execute(select(bookings_table).where(or_(*conditions)).order_by(B.id)).all()
    return [_booking(row) for row in rows]


def _candidate_conditions(email: str | None, phone: str | None) -> list[Any]:
    conditions = []
    if email and email.strip():
        conditions.append(B.email == email.strip().lower())
    if phone and phone.strip():
        try:
            conditions.append(B.phone == contact.normalise_phone(phone))
        except InvalidPhone:
            pass
    return conditions


# --- writing ------------------------------------------------------------------------------


def _audit(
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


def default_deadline(
    starts_at: dt.datetime, topic: str, language: str, place_id: str | None = None
) -> dt.datetime:
    """The end of the working day two working days before the start (five for job datings,
    whose candidates are pre-selected)."""
    days = JOB_DATING_DEADLINE_WORKING_DAYS if topic == "job_dating" else DEADLINE_WORKING_DAYS
    countries = holiday_countries(language, place_id)
    day = holidays.working_days_before(starts_at.astimezone(TIMEZONE).date(), days, countries)
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 0), tzinfo=TIMEZONE)


def holiday_countries(language: str, place_id: str | None) -> tuple[str, ...]:
    """Whose public holidays a session avoids: both for bilingual or online ones."""
    known = place(place_id)
    if language == "fr+nl" or known is None:
        return (holidays.FRANCE, holidays.BELGIUM)
    return (known.country,)


def create_session(
    conn: Connection,
    *,
    title_fr: str,
    title_nl: str,
    topic: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    venue: str,
    language: str,
    capacity: int,
    registration_deadline: dt.datetime | None = None,
    address: str | None = None,
    place_id: str | None = None,
    city: str | None = None,
    online: bool = False,
    demo: bool = False,
    slug: str | None = None,
    status: str = "scheduled",
    actor: str = "manage",
    now: dt.datetime | None = None,
) -> InfoSession:
    """Add a session (``registration_deadline`` defaults to ``default_deadline``).

    Raises:
        ValueError: naming the field that is wrong (unknown topic, place or language,
            naive or inverted times, capacity below 1, deadline after the start).
    """
    now = now or now_utc()
    deadline = registration_deadline or default_deadline(starts_at, topic, language, place_id)
    _check_session_fields(topic, language, place_id, capacity, starts_at, ends_at, deadline)
    known = place(place_id)
    values = dict(
        slug=slug,
        title_fr=title_fr.strip(),
        title_nl=title_nl.strip(),
        topic=topic,
        starts_at=starts_at,
        ends_at=ends_at,
        venue=venue.strip(),
        address=(address or "").strip() or None,
        place_id=place_id,
        city=city or (known.name_fr if known else None),
        online=online,
        language=language,
        capacity=capacity,
        seats_taken=0,
        registration_deadline=deadline,
        status=status,
        demo=demo,
        created_at=now,
        updated_at=now,
    )
    session_id = conn.execute(sessions_table.insert().values(**values)).inserted_primary_key[0]
    _audit(conn, now, actor, "session.created", session_id, capacity=capacity, status=status)
    return get_session(conn, session_id)


def _check_session_fields(
    topic: str,
    language: str,
    place_id: str | None,
    capacity: int,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    deadline: dt.datetime,
) -> None:
    if topic not in TOPICS:
        raise ValueError(f"topic must be one of {', '.join(TOPICS)}, got {topic!r}")
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, got {language!r}")
    if place_id and place(place_id) is None:
        raise ValueError(f"place_id {place_id!r} is not in bot/resources/places.csv")
    if capacity < 1:
        raise ValueError(f"capacity must be at least 1, got {capacity}")
    if any(t.tzinfo is None for t in (starts_at, ends_at, deadline)):
        raise ValueError("starts_at, ends_at and registration_deadline need a time zone")
    if ends_at <= starts_at:
        raise ValueError("ends_at must be after starts_at")
    if deadline > starts_at:
        raise ValueError("registration_deadline must not be after starts_at")


def update_session(
    conn: Connection,
    session_id: int,
    *,
    capacity: int | None = None,
    registration_deadline: dt.datetime | None = None,
    venue: str | None = None,
    address: str | None = None,
    actor: str = "manage",
    now: dt.datetime | None = None,
) -> tuple[InfoSession, list[Booking]]:
    """Change a session; more seats go to the waiting list first (returned, to be told).

    Raises:
        SessionNotFound: for an unknown id.
        ValueError: for a capacity below the seats already taken or a deadline after the
            start.
    """
    now = now or now_utc()
    session = get_session(conn, session_id)
    changes: dict[str, Any] = {}
    if capacity is not None:
        _lock_session(conn, session_id)
        session = get_session(conn, session_id)
        if capacity < max(session.seats_taken, 1):
            raise ValueError(
                f"capacity {capacity} is below the {session.seats_taken} seats already taken"
            )
        changes["capacity"] = capacity
        changes["status"] = _status_for(session.status, session.seats_taken, capacity)
    if registration_deadline is not None:
        if registration_deadline.tzinfo is None or registration_deadline > session.starts_at:
            raise ValueError("registration_deadline must be aware and not after starts_at")
        changes["registration_deadline"] = registration_deadline
    if venue is not None:
        changes["venue"] = venue.strip()
    if address is not None:
        changes["address"] = address.strip() or None
    if not changes:
        return session, []
    conn.execute(update(sessions_table).where(S.id == session_id).values(updated_at=now, **changes))
    _audit(conn, now, actor, "session.updated", session_id, fields=sorted(changes))
    promoted = []
    if session.starts_at > now and session.status != "cancelled":
        while (promotion := _promote_first_waiting(conn, session_id, now, actor)) is not None:
            promoted.append(promotion)
    return get_session(conn, session_id), promoted


def _status_for(status: str, seats_taken: int, capacity: int) -> str:
    if status not in OPEN_STATUSES:
        return status
    return "full" if seats_taken >= capacity else "scheduled"


def cancel_session(
    conn: Connection, session_id: int, *, actor: str = "manage", now: dt.datetime | None = None
) -> tuple[InfoSession, list[Booking]]:
    """Cancel a session; returns its active bookings, whose candidates are to be told.

    The bookings keep their status, so that the console still shows who was registered.
    Cancelling twice is harmless.
    """
    now = now or now_utc()
    session = get_session(conn, session_id)
    if session.status != "cancelled":
        conn.execute(
            update(sessions_table)
            .where(S.id == session_id)
            .values(status="cancelled", updated_at=now)
        )
        _audit(conn, now, actor, "session.cancelled", session_id, previous=session.status)
    return get_session(conn, session_id), attendees(conn, session_id)


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


def _lock_session(conn: Connection, session_id: int) -> None:
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
            return _booking(row)
    row = conn.execute(
        select(bookings_table).where(
            B.session_id == session_id, B.email == email, B.status != "cancelled"
        )
    ).first()
    return _booking(row) if row is not None else None


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
        _lock_session(conn, session_id)
        seated = _take_seat(conn, session_id, now)
    if seated:
        conn.execute(
            update(bookings_table)
            .where(B.id == booking.id)
            .values(status="confirmed", waitlisted_at=None)
        )
        booking = replace(booking, status="confirmed", waitlisted_at=None)
    action = "booking.confirmed" if seated else "booking.waitlisted"
    _audit(conn, now, actor, action, session_id, booking.id)
    return _result(conn, booking, created=True)


def _result(conn: Connection, booking: Booking, created: bool) -> BookingResult:
    return BookingResult(
        booking=booking,
        session=get_session(conn, booking.session_id),
        created=created,
        waitlist_position=waitlist_position(conn, booking),
    )


def _promote_first_waiting(
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
            _audit(conn, now, actor, "booking.promoted", session_id, row.id)
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
    booking = _booking(row)
    if booking.cancelled:
        return CancelResult(booking, get_session(conn, booking.session_id), True)
    conn.execute(
        update(bookings_table)
        .where(B.id == booking.id)
        .values(status="cancelled", cancelled_at=now, waitlisted_at=None, updated_at=now)
    )
    _audit(
        conn, now, actor, "booking.cancelled", booking.session_id, booking.id, was=booking.status
    )
    promoted = None
    if booking.confirmed:
        _release_seat(conn, booking.session_id, now)
        session = get_session(conn, booking.session_id)
        if session.status in OPEN_STATUSES and session.starts_at > now:
            promoted = _promote_first_waiting(conn, booking.session_id, now, actor)
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
    *,
    actor: str = "privacy",
    now: dt.datetime | None = None,
) -> ErasureResult:
    """Anonymise every booking of this candidate (right to erasure).

    Bookings of sessions still to come are cancelled first, so that their seats go to the
    waiting list (returned in ``promoted``, to be told). The rows stay, without name, e-mail,
    phone or conversation ids, so that seat counts and the audit trail remain true; the audit
    rows of these bookings are masked once more and an ``booking.erased`` row is added.
    """
    now = now or now_utc()
    found = bookings_for_candidate(conn, email, phone)
    promoted: list[Booking] = []
    for booking in found:
        # A past session keeps its attendance: only seats still to come are given back.
        if not booking.cancelled and get_session(conn, booking.session_id).starts_at > now:
            result = cancel(conn, booking.reference, actor=actor, now=now)
            if result.promoted is not None:
                promoted.append(result.promoted)
        conn.execute(
            update(bookings_table)
            .where(B.id == booking.id)
            .values(
                candidate_name="",
                email=None,
                phone=None,
                sender_id=None,
                message_id=None,
                erased_at=now,
                updated_at=now,
            )
        )
        _mask_audit_rows(conn, booking.id)
        _audit(conn, now, actor, "booking.erased", booking.session_id, booking.id)
    return ErasureResult(tuple(b.id for b in found), tuple(promoted))


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


# --- calendar invites ---------------------------------------------------------------------


def ics_for_reference(engine: Engine, reference: str) -> bytes:
    """The .ics invite of a booking, for the web app's ``/ics/<reference>.ics``.

    Raises:
        BookingNotFound: for a malformed or unknown reference (the web app answers 404).
    """
    from bot.invites import ics_for_booking  # bot.invites reads InfoSession from here

    with transaction(engine) as conn:
        booking, session = booking_details(conn, reference)
    return ics_for_booking(booking, session)
