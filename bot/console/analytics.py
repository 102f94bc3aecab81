"""Figures for a period, from the projection: the analytics page draws them as charts.

A conversation belongs to the day it started (local time). Rates:
- fallback rate: user messages that ended in fallback / user messages;
- booking conversion: conversations with a booking / conversations that asked about
  information sessions (``list_info_sessions`` or ``book_info_session``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, and_, cast, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from bot.alerts import AlertCounts
from bot.alerts import counts as alert_counts
from bot.storage.console import conversation_intents, conversations

DEFAULT_DAYS = 30
MAX_DAYS = 366
TOP = 10
SESSION_INTENTS = ("list_info_sessions", "book_info_session")


class PeriodRefused(ValueError):
    """A period the statistics do not cover; ``reason`` names why (a catalog key)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive

    @classmethod
    def default(cls, today: dt.date) -> Period:
        """The last 30 days, today included."""
        return cls(today - dt.timedelta(days=DEFAULT_DAYS - 1), today)

    @classmethod
    def parse(cls, start: str | None, end: str | None, today: dt.date) -> Period:
        """The period of the form; the last 30 days by default.

        Raises:
            PeriodRefused: ``invalid_date`` (not a date), ``reversed`` (ends before it
                starts), ``too_long`` (more than ``MAX_DAYS`` days) or ``future`` (starts
                after today). Never shortened or swapped silently: the consultant would
                read figures of a period they did not ask for.
        """
        first, last = _date(start), _date(end)
        if (start or "").strip() and first is None or (end or "").strip() and last is None:
            raise PeriodRefused("invalid_date")
        last = last or max(today, first or today)
        first = first or last - dt.timedelta(days=DEFAULT_DAYS - 1)
        if first > last:
            raise PeriodRefused("reversed")
        if (last - first).days >= MAX_DAYS:
            raise PeriodRefused("too_long")
        if first > today:
            raise PeriodRefused("future")
        return cls(first, last)

    def days(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=n) for n in range((self.end - self.start).days + 1)]


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        return None


@dataclass(frozen=True)
class Analytics:
    period: Period
    per_day: list[tuple[dt.date, int]]
    languages: dict[str, int]
    top_intents: list[tuple[str, int]]
    top_faq: list[tuple[str, int]]
    conversations: int
    user_messages: int
    fallback_messages: int
    conversations_with_fallback: int
    session_conversations: int
    bookings: int
    # Job alerts created (consented), confirmed and unsubscribed in the period.
    alerts: AlertCounts = AlertCounts(0, 0, 0)

    @property
    def fallback_rate(self) -> float | None:
        return self.fallback_messages / self.user_messages if self.user_messages else None

    @property
    def booking_conversion(self) -> float | None:
        if not self.session_conversations:
            return None
        return self.bookings / self.session_conversations


def compute(conn: Connection, period: Period) -> Analytics:
    c = conversations.c
    in_period = and_(c.first_day >= period.start, c.first_day <= period.end)
    per_day = dict(
        conn.execute(select(c.first_day, func.count()).where(in_period).group_by(c.first_day)).all()
    )
    languages: dict[str, int] = {}
    for language, n in conn.execute(
        select(c.language, func.count()).where(in_period).group_by(c.language)
    ):
        key = language if language in ("fr", "nl") else "other"
        languages[key] = languages.get(key, 0) + int(n)
    totals = conn.execute(
        select(
            func.count(),
            func.coalesce(func.sum(c.user_messages), 0),
            func.coalesce(func.sum(c.fallbacks), 0),
            func.coalesce(func.sum(cast(c.fallback, Integer)), 0),
            func.coalesce(func.sum(cast(c.booking, Integer)), 0),
        ).where(in_period)
    ).one()
    intents = _intents(conn, in_period)
    sessions = _with_intents(conn, in_period, SESSION_INTENTS)
    return Analytics(
        period=period,
        per_day=[(day, int(_day_count(per_day, day))) for day in period.days()],
        languages=languages,
        top_intents=[(i, n) for i, n in intents if not i.startswith("faq/")][:TOP],
        top_faq=[(i, n) for i, n in intents if i.startswith("faq/")][:TOP],
        conversations=int(totals[0]),
        user_messages=int(totals[1]),
        fallback_messages=int(totals[2]),
        conversations_with_fallback=int(totals[3]),
        session_conversations=sessions,
        bookings=int(totals[4]),
        alerts=alert_counts(
            conn, _moment(period.start), _moment(period.end + dt.timedelta(days=1))
        ),
    )


def _moment(day: dt.date) -> dt.datetime:
    """Midnight of ``day`` in Brussels (the console's days), in UTC."""
    local = dt.datetime.combine(day, dt.time(), tzinfo=ZoneInfo("Europe/Brussels"))
    return local.astimezone(dt.timezone.utc)


def _day_count(per_day: dict[object, int], day: dt.date) -> int:
    # SQLite hands dates back as text when grouped; PostgreSQL as dates.
    return per_day.get(day) or per_day.get(day.isoformat()) or 0


def _intents(conn: Connection, in_period: ColumnElement[bool]) -> list[tuple[str, int]]:
    ci = conversation_intents.c
    statement = (
        select(ci.intent, func.count().label("n"))
        .select_from(
            conversation_intents.join(conversations, conversations.c.sender_id == ci.sender_id)
        )
        .where(in_period)
        .group_by(ci.intent)
        .order_by(func.count().desc(), ci.intent)
    )
    return [(intent, int(n)) for intent, n in conn.execute(statement)]


def _with_intents(conn: Connection, in_period: ColumnElement[bool], names: tuple[str, ...]) -> int:
    ci = conversation_intents.c
    statement = (
        select(func.count(func.distinct(ci.sender_id)))
        .select_from(
            conversation_intents.join(conversations, conversations.c.sender_id == ci.sender_id)
        )
        .where(in_period, ci.intent.in_(names))
    )
    return int(conn.execute(statement).scalar_one())
