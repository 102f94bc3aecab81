"""Public holidays of France and Belgium, and working days, for scheduling sessions.

A bilingual session gathers people from both sides of the border, so it avoids the public
holidays of both countries; a session on one side avoids that country's holidays.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache

FRANCE, BELGIUM = "FR", "BE"


def easter_sunday(year: int) -> dt.date:
    """Gregorian Easter Sunday (the anonymous "Meeus/Jones/Butcher" algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 19 * l_) // 433
    month = (h + l_ - 7 * m + 90) // 25
    day = (h + l_ - 7 * m + 33 * month + 19) % 32
    return dt.date(year, month, day)


@lru_cache(maxsize=32)
def public_holidays(country: str, year: int) -> frozenset[dt.date]:
    """The public holidays of ``country`` (``FR`` or ``BE``) in ``year``."""
    easter = easter_sunday(year)
    movable = {easter + dt.timedelta(days=n) for n in (1, 39, 50)}  # Monday, Ascension, Whit
    fixed = {(1, 1), (5, 1), (8, 15), (11, 1), (11, 11), (12, 25)}
    fixed |= {(5, 8), (7, 14)} if country == FRANCE else {(7, 21)}
    return frozenset(movable | {dt.date(year, m, d) for m, d in fixed})


def is_working_day(day: dt.date, countries: Iterable[str]) -> bool:
    """A weekday that is a public holiday in none of ``countries``."""
    return day.weekday() < 5 and not any(day in public_holidays(c, day.year) for c in countries)


def working_days_before(day: dt.date, count: int, countries: Iterable[str]) -> dt.date:
    """The working day ``count`` working days before ``day``."""
    countries = tuple(countries)
    while count > 0:
        day -= dt.timedelta(days=1)
        if is_working_day(day, countries):
            count -= 1
    return day
