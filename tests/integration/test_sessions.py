"""Booking rules on the real databases (SQLite file and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from bot import sessions
from bot.errors import BookingNotFound, RegistrationClosed, SessionCancelled, SessionNotFound
from bot.storage import db
from bot.storage.sessions import info_sessions, session_audit, session_bookings
from bot.storage.tables import metadata
from tests.factories import booking_fields, in_days, make_info_session


def _session(engine: Engine, **overrides) -> sessions.InfoSession:  # type: ignore[no-untyped-def]
    with db.transaction(engine) as conn:
        return make_info_session(conn, **overrides)


def _book(engine: Engine, session_id: int, **fields) -> sessions.BookingResult:  # type: ignore[no-untyped-def]
    with db.transaction(engine) as conn:
        return sessions.book(conn, session_id, **booking_fields(**fields))


def _count(engine: Engine, table, *where) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()


def test_migration_matches_the_table_definitions(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = [d for d in compare_metadata(context, metadata) if "alembic_version" not in str(d)]
    assert diff == []


def test_booking_takes_a_seat_and_gets_a_reference(engine: Engine) -> None:
    session = _session(engine, capacity=3)
    result = _book(engine, session.id, phone="0470 12 34 56", language="nl")
    assert result.created and result.booking.confirmed and not result.waitlisted
    assert result.session.seats_taken == 1 and result.session.seats_left == 2
    assert result.booking.phone == "+32470123456" and result.booking.language == "nl"
    assert result.booking.consent_version == sessions.CONSENT_VERSION
    with db.transaction(engine) as conn:
        assert sessions.find_booking(conn, result.booking.reference.lower()) == result.booking


def test_full_session_puts_booking_on_waiting_list(engine: Engine) -> None:
    session = _session(engine, capacity=2)
    first, second = _book(engine, session.id), _book(engine, session.id)
    third, fourth = _book(engine, session.id), _book(engine, session.id)
    assert first.booking.confirmed and second.booking.confirmed
    assert third.waitlisted and fourth.waitlisted
    assert (third.waitlist_position, fourth.waitlist_position) == (1, 2)
    assert fourth.session.status == "full" and fourth.session.seats_taken == 2
    assert third.booking.reference != fourth.booking.reference


def test_cancellation_promotes_first_waiting_booking(engine: Engine) -> None:
    session = _session(engine, capacity=1)
    seated = _book(engine, session.id)
    waiting = [_book(engine, session.id) for _ in range(3)]
    with db.transaction(engine) as conn:
        result = sessions.cancel(conn, seated.booking.reference)
    assert result.booking.cancelled and not result.already_cancelled
    assert result.promoted is not None and result.promoted.id == waiting[0].booking.id
    assert result.promoted.confirmed and result.promoted.promoted_at is not None
    assert result.session.seats_taken == 1 and result.session.status == "full"
    with db.transaction(engine) as conn:
        positions = [
            sessions.waitlist_position(conn, sessions.find_booking(conn, w.booking.reference))
            for w in waiting
        ]
    assert positions == [None, 1, 2]


def test_cancellation_without_waiting_list_frees_the_seat(engine: Engine) -> None:
    session = _session(engine, capacity=1)
    seated = _book(engine, session.id)
    with db.transaction(engine) as conn:
        result = sessions.cancel(conn, seated.booking.reference)
    assert result.promoted is None
    assert (result.session.seats_taken, result.session.status) == (0, "scheduled")


def test_leaving_the_waiting_list_keeps_the_seats(engine: Engine) -> None:
    session = _session(engine, capacity=1)
    _book(engine, session.id)
    waiting = _book(engine, session.id)
    with db.transaction(engine) as conn:
        result = sessions.cancel(conn, waiting.booking.reference)
    assert result.promoted is None and result.session.seats_taken == 1


def test_cancelling_twice_is_harmless(engine: Engine) -> None:
    session = _session(engine, capacity=1)
    seated = _book(engine, session.id)
    _book(engine, session.id)
    with db.transaction(engine) as conn:
        sessions.cancel(conn, seated.booking.reference)
    with db.transaction(engine) as conn:
        again = sessions.cancel(conn, seated.booking.reference)
    assert again.already_cancelled and again.promoted is None
    assert again.session.seats_taken == 1


@pytest.mark.parametrize("reference", ["ZZZZ-2222", "not a reference", ""])
def test_unknown_reference_is_booking_not_found(engine: Engine, reference: str) -> None:
    with pytest.raises(BookingNotFound), db.transaction(engine) as conn:
        sessions.cancel(conn, reference)


def test_repeated_message_id_returns_existing_booking(engine: Engine) -> None:
    session = _session(engine, capacity=5)
    first = _book(engine, session.id, n=1)
    again = _book(engine, session.id, n=1)
    assert not again.created and again.booking == first.booking
    assert again.session.seats_taken == 1
    assert _count(engine, session_bookings) == 1


def test_same_email_twice_returns_existing_booking(engine: Engine) -> None:
    session = _session(engine, capacity=5)
    first = _book(engine, session.id, email="Jan.Peeters@Telenet.be")
    again = _book(engine, session.id, email="jan.peeters@telenet.be", sender_id="other")
    assert not again.created and again.booking.id == first.booking.id
    assert again.session.seats_taken == 1 and _count(engine, session_bookings) == 1


def test_same_email_can_book_again_after_cancelling(engine: Engine) -> None:
    session = _session(engine, capacity=5)
    first = _book(engine, session.id, email="els@skynet.be")
    with db.transaction(engine) as conn:
        sessions.cancel(conn, first.booking.reference)
    again = _book(engine, session.id, email="els@skynet.be")
    assert again.created and again.booking.id != first.booking.id
    assert again.session.seats_taken == 1


def test_deadline_passed_closes_registration(engine: Engine) -> None:
    session = _session(engine, registration_deadline=in_days(-1), starts_at=in_days(1))
    with pytest.raises(RegistrationClosed) as closed:
        _book(engine, session.id)
    assert closed.value.reason == "deadline"
    assert _count(engine, session_bookings) == 0


def test_repeated_message_after_the_deadline_still_gets_its_booking(engine: Engine) -> None:
    session = _session(engine, starts_at=in_days(3), registration_deadline=in_days(2))
    first = _book(engine, session.id, n=7)
    with db.transaction(engine) as conn:
        again = sessions.book(conn, session.id, **booking_fields(n=7), now=in_days(2, hour=12))
    assert not again.created and again.booking.id == first.booking.id


def test_cancelled_session_takes_no_booking(engine: Engine) -> None:
    session = _session(engine)
    with db.transaction(engine) as conn:
        sessions.cancel_session(conn, session.id)
    with pytest.raises(SessionCancelled):
        _book(engine, session.id)


def test_unknown_session(engine: Engine) -> None:
    with pytest.raises(SessionNotFound):
        _book(engine, 999)


def test_listing_shows_bookable_sessions_soonest_first_with_filters(engine: Engine) -> None:
    later = _session(engine, starts_at=in_days(20), place_id="be-tournai", topic="job_dating")
    soon = _session(engine, starts_at=in_days(5), language="nl")
    _session(engine, starts_at=in_days(2), registration_deadline=in_days(-1))  # closed
    cancelled = _session(engine, starts_at=in_days(6), language="fr")
    with db.transaction(engine) as conn:
        sessions.cancel_session(conn, cancelled.id)
        everything = sessions.upcoming_sessions(conn)
        french = sessions.upcoming_sessions(conn, language="fr")
        tournai = sessions.upcoming_sessions(conn, place_ids=["be-tournai"])
        job_dating = sessions.upcoming_sessions(conn, topic="job_dating")
        by_city = sessions.upcoming_sessions(conn, city="tournai")
    assert [s.id for s in everything] == [soon.id, later.id]
    assert [s.id for s in french] == [later.id]  # bilingual counts for French speakers
    assert [s.id for s in tournai] == [s.id for s in job_dating] == [later.id]
    assert [s.id for s in by_city] == [later.id]


def test_full_sessions_can_be_left_out_of_the_list(engine: Engine) -> None:
    full = _session(engine, capacity=1)
    _book(engine, full.id)
    with db.transaction(engine) as conn:
        assert sessions.upcoming_sessions(conn)[0].seats_left == 0
        assert sessions.upcoming_sessions(conn, only_available=True) == []


def test_more_capacity_promotes_the_waiting_list(engine: Engine) -> None:
    session = _session(engine, capacity=1)
    _book(engine, session.id)
    waiting = [_book(engine, session.id) for _ in range(3)]
    with db.transaction(engine) as conn:
        updated, promoted = sessions.update_session(conn, session.id, capacity=3)
    assert [b.id for b in promoted] == [w.booking.id for w in waiting[:2]]
    assert (updated.seats_taken, updated.capacity, updated.status) == (3, 3, "full")
    with pytest.raises(ValueError, match="below"), db.transaction(engine) as conn:
        sessions.update_session(conn, session.id, capacity=2)


def test_attendees_confirmed_first_then_waiting_list(engine: Engine) -> None:
    session = _session(engine, capacity=1)
    booked = [_book(engine, session.id) for _ in range(3)]
    with db.transaction(engine) as conn:
        sessions.cancel(conn, booked[1].booking.reference)
        listed = sessions.attendees(conn, session.id)
        everyone = sessions.attendees(conn, session.id, include_cancelled=True)
    assert [(b.id, b.status) for b in listed] == [
        (booked[0].booking.id, "confirmed"),
        (booked[2].booking.id, "waitlisted"),
    ]
    assert len(everyone) == 3


def test_bookings_for_candidate_by_email_or_phone(engine: Engine) -> None:
    one, two = _session(engine), _session(engine, starts_at=in_days(12))
    _book(engine, one.id, email="jan@telenet.be", phone="0470 12 34 56")
    _book(engine, two.id, email="other@telenet.be", phone="+32 470 12 34 56")
    _book(engine, two.id, email="someone@else.be")
    with db.transaction(engine) as conn:
        by_email = sessions.bookings_for_candidate(conn, email="JAN@telenet.be")
        by_phone = sessions.bookings_for_candidate(conn, phone="0470/12.34.56")
        both = sessions.bookings_for_candidate(conn, email="jan@telenet.be", phone="0470123456")
        nothing = sessions.bookings_for_candidate(conn)
    assert len(by_email) == 1 and len(by_phone) == 2 and len(both) == 2 and nothing == []


def test_bookings_of_a_conversation_are_found_and_erased_by_its_id(engine: Engine) -> None:
    session = _session(engine)
    mine = _book(engine, session.id, sender_id="whatsapp:+32470123456", phone=None)
    other = _book(engine, session.id, sender_id="web-someone-else")
    with db.transaction(engine) as conn:
        found = sessions.bookings_for_candidate(conn, sender_id="whatsapp:+32470123456")
        result = sessions.erase_candidate(conn, sender_id="whatsapp:+32470123456")
        left = sessions.bookings_for_candidate(conn, sender_id="whatsapp:+32470123456")
        kept = sessions.bookings_for_candidate(conn, sender_id="web-someone-else")
    assert [b.id for b in found] == [mine.booking.id] and result.booking_ids == (mine.booking.id,)
    assert left == [] and [b.id for b in kept] == [other.booking.id]


def test_erasure_anonymises_bookings_frees_seats_and_masks_audit(engine: Engine) -> None:
    session = _session(engine, capacity=1)
    mine = _book(engine, session.id, name="Jan Peeters", email="jan@telenet.be", phone="0470123456")
    waiting = _book(engine, session.id)
    with db.transaction(engine) as conn:
        result = sessions.erase_candidate(conn, email="jan@telenet.be")
        erased = sessions.find_booking(conn, mine.booking.reference)
        left = sessions.bookings_for_candidate(conn, email="jan@telenet.be", phone="0470123456")
    assert result.booking_ids == (mine.booking.id,)
    assert [b.id for b in result.promoted] == [waiting.booking.id]
    assert (erased.candidate_name, erased.email, erased.phone, erased.sender_id) == (
        "", None, None, None,
    )  # fmt: skip
    assert erased.cancelled and erased.erased_at is not None and left == []
    with engine.connect() as conn:
        rows = conn.execute(
            select(session_audit).where(session_audit.c.booking_id == mine.booking.id)
        ).all()
    actions = [row.action for row in rows]
    assert actions == ["booking.confirmed", "booking.cancelled", "booking.erased"]
    trail = json.dumps([dict(row._mapping) for row in rows], default=str)
    for personal in ("Jan", "Peeters", "jan@", "telenet.be", "0470123456", "470123456"):
        assert personal not in trail


def test_audit_trail_records_every_change_without_personal_data(engine: Engine) -> None:
    session = _session(engine, capacity=1)
    first = _book(engine, session.id, name="Marie Dupont", email="marie@exemple.fr")
    _book(engine, session.id, email="second@exemple.fr")
    with db.transaction(engine) as conn:
        sessions.cancel(conn, first.booking.reference, actor="console:7")
        sessions.cancel_session(conn, session.id, actor="console:7")
    with engine.connect() as conn:
        rows = conn.execute(select(session_audit).order_by(session_audit.c.id)).all()
    assert [row.action for row in rows] == [
        "session.created",
        "booking.confirmed",
        "booking.waitlisted",
        "booking.cancelled",
        "booking.promoted",
        "session.cancelled",
    ]
    assert {row.actor for row in rows[3:]} == {"console:7"}
    trail = json.dumps([dict(row._mapping) for row in rows], default=str)
    for personal in ("Marie", "Dupont", "marie@", "exemple.fr", first.booking.reference):
        assert personal not in trail


def test_times_keep_their_zone_on_every_database(engine: Engine) -> None:
    start = dt.datetime(2027, 7, 1, 9, 30, tzinfo=sessions.TIMEZONE)
    session = _session(engine, starts_at=start, registration_deadline=start - dt.timedelta(days=2))
    assert session.starts_at == start and session.starts_at.utcoffset() == dt.timedelta(hours=2)
    with engine.connect() as conn:
        stored = conn.execute(select(info_sessions.c.starts_at)).scalar_one()
    assert stored == start


def test_naive_datetimes_are_refused(engine: Engine) -> None:
    with pytest.raises(ValueError, match="time zone"), db.transaction(engine) as conn:
        make_info_session(conn, starts_at=dt.datetime(2027, 1, 5, 9, 30))


def test_ics_for_reference_serves_the_invite(engine: Engine) -> None:
    session = _session(engine)
    booked = _book(engine, session.id, language="nl")
    raw = sessions.ics_for_reference(engine, booked.booking.reference.lower())
    assert b"BEGIN:VCALENDAR" in raw and b"SUMMARY:Belastingen" in raw
    with pytest.raises(BookingNotFound):
        sessions.ics_for_reference(engine, "ZZZZ-2222")
