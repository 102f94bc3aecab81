"""When the consultants answer: weekdays and hours in their time zone, minus public holidays.

The cross-border teams work in Belgium and France, so a public holiday of either country
closes the service (``HandoffSettings.holiday_countries``); regional days off, bridge days
and the like come from ``closed_days``. Times are compared in the office's time zone
(Europe/Brussels: the same clock on both sides of the border, summer time included), so a
server running in UTC or a test giving another zone gets the same answer.

The holidays themselves come from :mod:`bot.holidays`, which also schedules the sessions.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.config import HandoffSettings, Settings
from bot.holidays import public_holidays

# How far ahead ``next_opening`` looks: a year always has a working day.
_SEARCH_DAYS = 366


def _closed_by_setting(day: date, closed_days: Iterable[str]) -> bool:
    return any(day.isoformat() == c or day.isoformat()[5:] == c for c in closed_days)


def is_working_day(day: date, hours: HandoffSettings) -> bool:
    """An office day that is no public holiday in any country of the team, nor closed."""
    if day.weekday() not in hours.days:
        return False
    if any(day in public_holidays(c, day.year) for c in hours.holiday_countries):
        return False
    return not _closed_by_setting(day, hours.closed_days)


def local_time(now: datetime, hours: HandoffSettings) -> datetime:
    """``now`` on the office's clock.

    Raises:
        ValueError: for a naive ``now``, whose zone nobody can tell.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware (datetime.now(timezone.utc))")
    return now.astimezone(ZoneInfo(hours.timezone))


def is_open(now: datetime, hours: HandoffSettings) -> bool:
    """True when a consultant can answer at ``now`` (opening time included, closing not).

    ``office_hours_override`` "open" or "closed" wins over the clock (tests).
    """
    if hours.office_hours_override in ("open", "closed"):
        return hours.office_hours_override == "open"
    local = local_time(now, hours)
    return is_working_day(local.date(), hours) and hours.opens <= local.time() < hours.closes


def next_opening(now: datetime, hours: HandoffSettings) -> datetime:
    """``now`` if the office is open, else the moment it next opens (office time zone)."""
    local = local_time(now, hours)
    if is_open(now, hours):
        return local
    day = local.date()
    if local.time() >= hours.opens:
        day += timedelta(days=1)
    for _ in range(_SEARCH_DAYS):
        if is_working_day(day, hours):
            return datetime.combine(day, hours.opens, tzinfo=ZoneInfo(hours.timezone))
        day += timedelta(days=1)
    raise ValueError("the office settings leave no working day in a year")


def is_office_hours(now: datetime, settings: Settings) -> bool:
    """True when consultants answer at ``now`` (aware datetime), holidays of BE and FR off."""
    return is_open(now, settings.handoff)


def office_open_for(now: datetime, settings: Settings, requested: str | None) -> bool:
    """Office hours for one conversation: tests may ask "open" or "closed" in its metadata.

    ``requested`` counts only with ``BOT_OFFICE_HOURS_OVERRIDE=metadata``, so that a
    visitor cannot choose.
    """
    if settings.handoff.office_hours_override == "metadata" and requested in ("open", "closed"):
        return requested == "open"
    return is_office_hours(now, settings)
