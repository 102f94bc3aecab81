"""Seeding demo sessions on the real databases: idempotent, flagged, with every case."""

from __future__ import annotations

from sqlalchemy import func, select

from bot import sessions
from bot.sessions import demo as demo_sessions
from bot.storage import db
from bot.storage.sessions import info_sessions, session_bookings
from tests.factories import make_info_session


def test_seeding_twice_creates_nothing_the_second_time(database_url: str) -> None:
    engine = db.make_engine(database_url)
    with db.transaction(engine) as conn:
        first = demo_sessions.seed(conn)
    with db.transaction(engine) as conn:
        second = demo_sessions.seed(conn)
        counts = [
            conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (info_sessions, session_bookings)
        ]
        everything = sessions.list_sessions(conn, include_past=True)
        bookable = sessions.upcoming_sessions(conn)
    engine.dispose()
    assert first.created == len(everything) == counts[0] and second.created == 0
    assert second.existing == first.created and counts[1] == first.bookings
    assert all(s.demo for s in everything)
    statuses = {s.status for s in everything}
    assert statuses == {"scheduled", "full", "cancelled", "done"}
    full = [s for s in everything if s.status == "full"]
    assert len(full) == 2 and all(s.seats_taken == s.capacity for s in full)
    assert all(s.address is None for s in everything)
    # The cancelled and past sessions are not offered.
    assert len(bookable) == len(everything) - 2


def test_waiting_list_session_has_candidates_waiting(database_url: str) -> None:
    engine = db.make_engine(database_url)
    with db.transaction(engine) as conn:
        demo_sessions.seed(conn)
        waitlist = [s for s in sessions.list_sessions(conn) if s.slug.endswith("cv-workshop-nl")]
        people = sessions.attendees(conn, waitlist[0].id)
    engine.dispose()
    statuses = [b.status for b in people]
    assert statuses.count("waitlisted") == demo_sessions.WAITLIST_EXTRA
    assert all(b.email.endswith("@example.org") for b in people)


def test_replace_removes_demo_sessions_only(database_url: str) -> None:
    engine = db.make_engine(database_url)
    with db.transaction(engine) as conn:
        demo_sessions.seed(conn)
        make_info_session(conn, title_fr="Vraie séance")
        removed = demo_sessions.remove(conn)
        left = sessions.list_sessions(conn, include_past=True)
    engine.dispose()
    assert removed == len(demo_sessions.plan(sessions.now_utc().date()))
    assert [s.title_fr for s in left] == ["Vraie séance"]
