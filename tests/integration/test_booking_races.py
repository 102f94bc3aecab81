"""200 simultaneous booking attempts on 10 seats: exactly 10 confirmed, on both databases.

The control test runs a naive read-then-write booking through the same harness and shows
that it oversells: the harness really runs the attempts at the same time, so the real
booking's result means something.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine

from benchmarks.bookings import attempt_concurrently, booker, concurrent_engine, new_session
from bot import references, sessions
from bot.storage import db
from bot.storage.sessions import info_sessions, session_bookings

ATTEMPTS, SEATS = 200, 10


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = concurrent_engine(database_url)
    yield engine
    engine.dispose()


def _confirmed(engine: Engine, session_id: int) -> int:
    with engine.connect() as conn:
        return conn.execute(
            select(func.count())
            .select_from(session_bookings)
            .where(session_bookings.c.session_id == session_id)
            .where(session_bookings.c.status == "confirmed")
        ).scalar_one()


def test_concurrent_bookings_never_exceed_capacity(engine: Engine) -> None:
    session_id = new_session(engine, capacity=SEATS)
    outcome = attempt_concurrently(booker(engine, session_id, "race"), ATTEMPTS, ATTEMPTS)
    assert outcome.errors == []
    statuses = [r.booking.status for r in outcome.results]
    assert (statuses.count("confirmed"), statuses.count("waitlisted")) == (SEATS, ATTEMPTS - SEATS)
    assert len({r.booking.reference for r in outcome.results}) == ATTEMPTS
    with db.transaction(engine) as conn:
        session = sessions.get_session(conn, session_id)
        positions = sorted(
            sessions.waitlist_position(conn, r.booking) for r in outcome.results if r.waitlisted
        )
    assert (session.seats_taken, session.status) == (SEATS, "full")
    assert _confirmed(engine, session_id) == SEATS
    assert positions == list(range(1, ATTEMPTS - SEATS + 1))


def test_concurrent_cancellations_and_bookings_keep_every_seat_filled(engine: Engine) -> None:
    session_id = new_session(engine, capacity=SEATS)
    first = attempt_concurrently(booker(engine, session_id, "a"), 40, 40)
    seated = [r.booking.reference for r in first.results if r.booking.confirmed]

    def cancel_or_book(n: int) -> object:
        if n < len(seated):
            with db.transaction(engine) as conn:
                return sessions.cancel(conn, seated[n])
        return booker(engine, session_id, "b")(n)

    mixed = attempt_concurrently(cancel_or_book, 60, 60)
    assert first.errors == [] and mixed.errors == []
    with db.transaction(engine) as conn:
        session = sessions.get_session(conn, session_id)
    # Every cancelled seat went to someone waiting: the session is full again.
    assert session.seats_taken == SEATS == _confirmed(engine, session_id)


def _naive_booker(engine: Engine, session_id: int):  # type: ignore[no-untyped-def]
    """Reads the seats left, then writes: the race this project must never have."""

    def attempt(n: int) -> str:
        with engine.begin() as conn:
            taken, capacity = conn.execute(
                select(info_sessions.c.seats_taken, info_sessions.c.capacity).where(
                    info_sessions.c.id == session_id
                )
            ).one()
        time.sleep(0.02)  # the time a real request spends elsewhere
        status = "confirmed" if taken < capacity else "waitlisted"
        now = sessions.now_utc()
        with engine.begin() as conn:
            if status == "confirmed":
                conn.execute(
                    update(info_sessions)
                    .where(info_sessions.c.id == session_id)
                    .values(seats_taken=taken + 1)
                )
            conn.execute(
                session_bookings.insert().values(
                    reference=references.new_reference(),
                    session_id=session_id,
                    candidate_name="Naïve Version",
                    email=f"naive.{n}@exemple.fr",
                    language="fr",
                    consent_at=now,
                    consent_version="control",
                    status=status,
                    waitlisted_at=None if status == "confirmed" else now,
                    sender_id=f"naive-{n}",
                    message_id="m",
                    created_at=now,
                    updated_at=now,
                )
            )
        return status

    return attempt


def test_control_naive_read_then_write_oversells_under_the_same_harness(engine: Engine) -> None:
    session_id = new_session(engine, capacity=SEATS)
    outcome = attempt_concurrently(_naive_booker(engine, session_id), ATTEMPTS, ATTEMPTS)
    assert outcome.errors == []
    assert _confirmed(engine, session_id) > SEATS
