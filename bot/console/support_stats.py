"""Figures of the consultants' work for a period: takeovers, live and callback requests with
their waiting and answer times per channel, and the attendance of the sessions held.

- A takeover is one "Prendre la main / Overnemen" in the audit trail (``takeover``; a
  colleague taking it over is not a new one), counted on its day and its conversation's
  channel (the projection's).
- A request (``callback_requests``: ``live`` or a callback) belongs to the day it was made.
  Its waiting time runs from the request to a consultant's first action on it (taking the
  conversation, "Je m'en charge", any status), its answer time from the request to its
  closing (done, no answer). Requests not yet acted on, or made before these times were
  kept (migration ``handoff_0003``), are counted but left out of the times.
- Median and 90th percentile by nearest rank (a value that was really measured).
- A session belongs to the period when it starts in it; erased bookings still count (their
  rows stay, anonymous). Nothing records yet who attended: ``attended`` is None.

Days are local (``LOCAL_TIME``), like the rest of the statistics.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.engine import Connection

from bot.console.analytics import Period
from bot.console.summary import LOCAL_TIME
from bot.storage.console import audit, conversations
from bot.storage.handoff import callback_requests, utc
from bot.storage.sessions import info_sessions, session_bookings

CHANNELS = ("website", "telegram", "messenger", "whatsapp", "rest", "other")
KINDS = ("takeover", "live", "callback")
_CHANNEL_OF = {
    "socketio": "website",
    "telegram": "telegram",
    "facebook": "messenger",
    "twilio": "whatsapp",
    "rest": "rest",
}


def channel_group(channel: str | None) -> str:
    """The channel as the statistics name it: ``socketio`` is the website, ``facebook``
    Messenger, ``twilio`` WhatsApp; an unknown or missing one is ``other``."""
    return _CHANNEL_OF.get(channel or "", "other")


@dataclass(frozen=True)
class Timing:
    """Seconds: how many were measured, their median and 90th percentile (None: none)."""

    measured: int
    median: float | None
    p90: float | None

    @classmethod
    def of(cls, seconds: Iterable[float]) -> Timing:
        values = sorted(seconds)
        return cls(len(values), percentile(values, 0.5), percentile(values, 0.9))


def percentile(values: Sequence[float], share: float) -> float | None:
    """The nearest-rank percentile of sorted ``values``; None when there are none."""
    if not values:
        return None
    return values[max(0, math.ceil(share * len(values)) - 1)]


@dataclass(frozen=True)
class SupportRow:
    """One kind (takeover, live, callback) on one channel, or all channels (``total``)."""

    kind: str
    channel: str
    count: int
    waiting: Timing
    answer: Timing


@dataclass(frozen=True)
class SessionAttendance:
    id: int
    title_fr: str
    title_nl: str
    starts_at: dt.datetime
    status: str
    capacity: int
    booked: int
    waitlisted: int
    cancelled: int
    attended: int | None  # not recorded yet


@dataclass(frozen=True)
class SupportStats:
    rows: list[SupportRow]
    sessions: list[SessionAttendance]

    def of(self, kind: str) -> list[SupportRow]:
        return [row for row in self.rows if row.kind == kind]


def bounds(period: Period) -> tuple[dt.datetime, dt.datetime]:
    """The period's first and first-after instants, in UTC."""
    start = dt.datetime.combine(period.start, dt.time(), LOCAL_TIME)
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time(), LOCAL_TIME)
    return start.astimezone(dt.timezone.utc), end.astimezone(dt.timezone.utc)


def compute(conn: Connection, period: Period) -> SupportStats:
    start, end = bounds(period)
    rows = [*_takeovers(conn, start, end), *_requests(conn, start, end)]
    return SupportStats(rows=rows, sessions=_sessions(conn, start, end))


def _seconds(later: dt.datetime | None, earlier: dt.datetime) -> float | None:
    later = utc(later)
    return None if later is None else max(0.0, (later - earlier).total_seconds())


def _rows(kind: str, samples: Sequence[tuple[str, float | None, float | None]]) -> list[SupportRow]:
    """Per channel then ``total``, from (channel, waiting, answer) of each item."""
    result = []
    for channel in (*CHANNELS, "total"):
        mine = [s for s in samples if channel in ("total", s[0])]
        result.append(
            SupportRow(
                kind=kind,
                channel=channel,
                count=len(mine),
                waiting=Timing.of(s[1] for s in mine if s[1] is not None),
                answer=Timing.of(s[2] for s in mine if s[2] is not None),
            )
        )
    return result


def _takeovers(conn: Connection, start: dt.datetime, end: dt.datetime) -> list[SupportRow]:
    a = audit.c
    numbers = [
        json.loads(details or "{}").get("conversation")
        for (details,) in conn.execute(
            select(a.details).where(a.action == "takeover", a.at >= start, a.at < end)
        )
    ]
    wanted = {n for n in numbers if isinstance(n, int)}
    channels: dict[int, str | None] = {}
    if wanted:
        c = conversations.c
        statement = select(c.id, c.channel).where(c.id.in_(sorted(wanted)))
        channels = {int(row.id): row.channel for row in conn.execute(statement)}
    samples = [
        (channel_group(channels.get(n) if isinstance(n, int) else None), None, None)
        for n in numbers
    ]
    return _rows("takeover", samples)


def _requests(conn: Connection, start: dt.datetime, end: dt.datetime) -> list[SupportRow]:
    c = callback_requests.c
    found = conn.execute(
        select(c.live, c.channel, c.created_at, c.taken_at, c.closed_at).where(
            c.created_at >= start, c.created_at < end
        )
    ).all()
    result = []
    for kind, live in (("live", True), ("callback", False)):
        samples = []
        for row in found:
            if bool(row.live) is not live:
                continue
            made = utc(row.created_at)
            assert made is not None
            samples.append(
                (
                    channel_group(row.channel),
                    _seconds(row.taken_at, made),
                    _seconds(row.closed_at, made),
                )
            )
        result.extend(_rows(kind, samples))
    return result


def _sessions(conn: Connection, start: dt.datetime, end: dt.datetime) -> list[SessionAttendance]:
    s, b = info_sessions.c, session_bookings.c
    counts: dict[tuple[int, str], int] = {
        (session_id, status): int(n)
        for session_id, status, n in conn.execute(
            select(b.session_id, b.status, func.count())
            .select_from(session_bookings.join(info_sessions, s.id == b.session_id))
            .where(and_(s.starts_at >= start, s.starts_at < end))
            .group_by(b.session_id, b.status)
        )
    }
    held = conn.execute(
        select(s.id, s.title_fr, s.title_nl, s.starts_at, s.status, s.capacity)
        .where(s.starts_at >= start, s.starts_at < end)
        .order_by(s.starts_at, s.id)
    ).all()
    return [
        SessionAttendance(
            id=row.id,
            title_fr=row.title_fr,
            title_nl=row.title_nl,
            starts_at=row.starts_at,
            status=row.status,
            capacity=row.capacity,
            booked=counts.get((row.id, "confirmed"), 0),
            waitlisted=counts.get((row.id, "waitlisted"), 0),
            cancelled=counts.get((row.id, "cancelled"), 0),
            attended=None,
        )
        for row in held
    ]
