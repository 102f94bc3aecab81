"""The organisers' side: create, change and cancel a session; its registration deadline.

Every function takes the ``Connection`` it is given; the caller owns the transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import update
from sqlalchemy.engine import Connection

from bot import holidays
from bot.gazetteer import place
from bot.sessions.booking import audit, lock_session, promote_first_waiting
from bot.sessions.model import (
    DEADLINE_WORKING_DAYS,
    JOB_DATING_DEADLINE_WORKING_DAYS,
    LANGUAGES,
    OPEN_STATUSES,
    TIMEZONE,
    TOPICS,
    Booking,
    InfoSession,
    now_utc,
)
from bot.sessions.queries import S, attendees, get_session
from bot.storage.sessions import info_sessions as sessions_table


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
    audit(conn, now, actor, "session.created", session_id, capacity=capacity, status=status)
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
        lock_session(conn, session_id)
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
    audit(conn, now, actor, "session.updated", session_id, fields=sorted(changes))
    promoted = []
    if session.starts_at > now and session.status != "cancelled":
        while (promotion := promote_first_waiting(conn, session_id, now, actor)) is not None:
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
        audit(conn, now, actor, "session.cancelled", session_id, previous=session.status)
    return get_session(conn, session_id), attendees(conn, session_id)
