"""Public holidays of both countries and working days, for scheduling and deadlines."""

from __future__ import annotations

import datetime as dt

import pytest

from bot import holidays
from bot.holidays import BELGIUM, FRANCE


def next_working_day(day: dt.date, countries: list[str]) -> dt.date:
    """``day`` itself if it is a working day, else the next one."""
    while not holidays.is_working_day(day, countries):
        day += dt.timedelta(days=1)
    return day


@pytest.mark.parametrize(
    ("year", "easter"),
    [(2024, dt.date(2024, 3, 31)), (2025, dt.date(2025, 4, 20)), (2026, dt.date(2026, 4, 5)),
     (2027, dt.date(2027, 3, 28)), (2038, dt.date(2038, 4, 25))],
)  # fmt: skip
def test_easter_sunday(year: int, easter: dt.date) -> None:
    assert holidays.easter_sunday(year) == easter


def test_holidays_of_each_country() -> None:
    france, belgium = (
        holidays.public_holidays(FRANCE, 2027),
        holidays.public_holidays(BELGIUM, 2027),
    )
    assert {dt.date(2027, 7, 14), dt.date(2027, 5, 8)} <= france - belgium
    assert dt.date(2027, 7, 21) in belgium - france
    shared = {
        dt.date(2027, 3, 29),
        dt.date(2027, 5, 6),
        dt.date(2027, 5, 17),
        dt.date(2027, 11, 11),
    }
    assert shared <= france & belgium  # Easter Monday, Ascension, Whit Monday, 11 November
    assert len(france) == 11 and len(belgium) == 10


def test_bilingual_session_avoids_both_calendars() -> None:
    july_14 = dt.date(2027, 7, 14)  # a Wednesday
    assert holidays.is_working_day(july_14, [BELGIUM])
    assert not holidays.is_working_day(july_14, [FRANCE, BELGIUM])
    assert next_working_day(july_14, [FRANCE, BELGIUM]) == dt.date(2027, 7, 15)


def test_working_days_before_skip_weekends_and_holidays() -> None:
    # Tuesday 29 December 2026: Monday 28 and Thursday 24 (25 is Christmas).
    assert holidays.working_days_before(dt.date(2026, 12, 29), 2, [BELGIUM]) == dt.date(
        2026, 12, 24
    )
