"""The .ics invite: the candidate's language, Brussels time, a stable UID, no personal data."""

from __future__ import annotations

import datetime as dt

from icalendar import Calendar

from bot.sessions.invites import booking_uid, ics_for_booking
from bot.sessions.model import TIMEZONE
from tests.factories import booking_value, info_session_value


def _event(raw: bytes):  # type: ignore[no-untyped-def]
    calendar = Calendar.from_ical(raw)
    [event] = calendar.walk("VEVENT")
    return calendar, event


def test_invite_is_in_the_candidates_language_with_brussels_times() -> None:
    raw = ics_for_booking(booking_value(language="nl"), info_session_value())
    calendar, event = _event(raw)
    assert str(event["summary"]) == "Werken in Vlaanderen: praktische info"
    assert b"DTSTART;TZID=Europe/Brussels:20261208T093000" in raw
    assert b"DTEND;TZID=Europe/Brussels:20261208T113000" in raw
    assert event.decoded("dtstart") == dt.datetime(2026, 12, 8, 9, 30, tzinfo=TIMEZONE)
    [zone] = calendar.walk("VTIMEZONE")
    assert str(zone["tzid"]) == "Europe/Brussels"
    assert "VDAB Kortrijk (adres nog te bevestigen)" in str(event["location"])
    assert "K7P2-QX9M" in str(event["description"])
    assert str(event["status"]) == "CONFIRMED"


def test_summer_session_keeps_brussels_wall_clock_time() -> None:
    start = dt.datetime(2027, 6, 15, 14, 0, tzinfo=TIMEZONE)
    _, event = _event(ics_for_booking(booking_value(), info_session_value(starts_at=start)))
    assert event.decoded("dtstart").utcoffset() == dt.timedelta(hours=2)
    assert event.decoded("dtstart").astimezone(dt.timezone.utc).hour == 12


def test_french_invite_and_waiting_list_is_tentative() -> None:
    raw = ics_for_booking(booking_value(status="waitlisted"), info_session_value())
    _, event = _event(raw)
    assert str(event["summary"]) == "Liste d'attente : Travailler en Flandre : infos pratiques"
    assert str(event["status"]) == "TENTATIVE"


def test_cancelled_session_invite_says_cancelled() -> None:
    raw = ics_for_booking(booking_value(), info_session_value(status="cancelled"))
    assert str(_event(raw)[1]["status"]) == "CANCELLED"


def test_uid_is_stable_per_booking_and_hides_the_reference() -> None:
    first = _event(ics_for_booking(booking_value(), info_session_value()))[1]["uid"]
    again = _event(ics_for_booking(booking_value(), info_session_value(seats_taken=3)))[1]["uid"]
    other = _event(ics_for_booking(booking_value(reference="ABCD-2345"), info_session_value()))
    assert first == again == booking_uid("K7P2-QX9M")
    assert other[1]["uid"] != first
    assert "K7P2" not in str(first)


def test_invite_holds_no_name_email_or_phone() -> None:
    raw = ics_for_booking(booking_value(), info_session_value()).decode()
    for personal in ("Marie", "Dupont", "marie.dupont", "exemple.fr", "470", "ATTENDEE"):
        assert personal not in raw
