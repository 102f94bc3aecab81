"""The demo plan: 12-20 sessions over eight weeks, weekdays away from the holidays that
matter, every case shown, nothing invented."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from bot import holidays, sessions
from bot.gazetteer import place
from bot.sessions import demo as demo_sessions

# A Wednesday before the Christmas holidays, and one in spring with Easter Monday, 1 May,
# 8 May, Ascension and Whit Monday ahead.
DAYS = [dt.date(2026, 12, 2), dt.date(2027, 3, 24), dt.date(2027, 6, 28)]


@pytest.mark.parametrize("today", DAYS)
def test_plan_fits_eight_weeks_on_working_days(today: dt.date) -> None:
    planned = demo_sessions.plan(today)
    assert 12 <= len(planned) <= 20
    for session in planned:
        day = session.starts_at.date()
        countries = (
            (holidays.FRANCE, holidays.BELGIUM)
            if session.language == "fr+nl" or session.online
            else (place(session.place_id).country,)
        )
        assert holidays.is_working_day(day, countries), (session.slug, day)
        if session.state != "past":
            assert today < day <= today + dt.timedelta(weeks=8), session.slug
        assert session.starts_at.tzinfo is sessions.TIMEZONE


def test_plan_shows_every_case_and_every_language() -> None:
    planned = demo_sessions.plan(DAYS[0])
    states = Counter(s.state for s in planned)
    assert (states["full"], states["waitlist"], states["cancelled"], states["past"]) == (1,) * 4
    languages = Counter(s.language for s in planned)
    assert set(languages) == set(sessions.LANGUAGES)
    assert all(0.2 <= count / len(planned) <= 0.5 for count in languages.values())
    assert len({s.slug for s in planned}) == len(planned)


def test_plan_uses_known_places_topics_and_no_street_address() -> None:
    data = demo_sessions._data()
    assert set(t["topic"] for t in data["templates"].values()) <= set(sessions.TOPICS)
    for entry in data["sessions"]:
        assert "address" not in entry
        assert entry.get("online") or place(entry["place"]) is not None
