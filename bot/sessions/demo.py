"""Demo information sessions, generated relative to today from bot/resources/demo_sessions.yml.

Illustrative only: every session is flagged ``demo``,
venues are office names, addresses are left "to be confirmed". Weekdays only, away from the
public holidays of the session's country (of both countries for a bilingual or online
session). The plan shows every case: one full session, one with a waiting list, one
cancelled, one in the past. Each session has a stable slug ("demo-05-cv-workshop-nl"), and
the demo candidates book through ``sessions.book`` with fixed message ids, so seeding twice
creates nothing the second time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml
from sqlalchemy import delete, select
from sqlalchemy.engine import Connection

from bot import holidays, sessions
from bot.storage.sessions import info_sessions, session_bookings

DEMO_SENDER = "demo-seed"
WAITLIST_EXTRA = 3
# Invented first names of demo candidates; their addresses use the reserved example.org
# domain, which the mailer never writes to.
_FIRST_NAMES = (
    "Alice Bruno Chloé Dries Emma Farid Gaëlle Hanne Inès Jonas Katrien Lucas Manon Nathan "
    "Olivia Pieter Sarah Thibault"
).split()


@dataclass(frozen=True)
class PlannedSession:
    """One demo session, with its dates worked out for a given day."""

    slug: str
    template: dict[str, Any]
    starts_at: dt.datetime
    ends_at: dt.datetime
    place_id: str | None
    venue: str
    language: str
    online: bool
    state: str | None


@dataclass(frozen=True)
class SeedReport:
    """How many demo sessions were created and how many already existed."""

    created: int
    existing: int
    bookings: int


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    path = resources.files("bot.resources").joinpath("demo_sessions.yml")
    return yaml.safe_load(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _day(today: dt.date, days: int, countries: tuple[str, ...]) -> dt.date:
    """``today + days`` moved to a working day: forward for the future, back for the past."""
    day = today + dt.timedelta(days=days)
    step = dt.timedelta(days=1 if days >= 0 else -1)
    while not holidays.is_working_day(day, countries):
        day += step
    return day


def plan(today: dt.date) -> list[PlannedSession]:
    """The demo sessions for ``today``, in the order of the resource file."""
    data = _data()
    planned = []
    for index, entry in enumerate(data["sessions"], start=1):
        template = data["templates"][entry["template"]]
        place_id = entry.get("place")
        countries = sessions.holiday_countries(entry["language"], place_id)
        day = _day(today, int(entry["days"]), countries)
        hours, minutes = (int(part) for part in entry["at"].split(":"))
        starts_at = dt.datetime.combine(day, dt.time(hours, minutes), tzinfo=sessions.TIMEZONE)
        planned.append(
            PlannedSession(
                slug=f"demo-{index:02d}-{entry['template']}",
                template=template,
                starts_at=starts_at,
                ends_at=starts_at + dt.timedelta(minutes=int(template["minutes"])),
                place_id=place_id,
                venue=entry.get("venue") or "Webinar",
                language=entry["language"],
                online=bool(entry.get("online")),
                state=entry.get("state"),
            )
        )
    return planned


def seed(
    conn: Connection, today: dt.date | None = None, now: dt.datetime | None = None
) -> SeedReport:
    """Create the demo sessions that do not exist yet (by slug), with their demo bookings."""
    now = now or sessions.now_utc()
    today = today or now.astimezone(sessions.TIMEZONE).date()
    existing = set(conn.execute(select(info_sessions.c.slug)).scalars())
    created = bookings = 0
    for planned in plan(today):
        if planned.slug in existing:
            continue
        session = _create(conn, planned, now)
        bookings += _fill(conn, session, planned.state, now)
        if planned.state == "cancelled":
            sessions.cancel_session(conn, session.id, actor="seed", now=now)
        created += 1
    return SeedReport(created=created, existing=len(plan(today)) - created, bookings=bookings)


def _create(conn: Connection, planned: PlannedSession, now: dt.datetime) -> sessions.InfoSession:
    template = planned.template
    past = planned.state == "past"
    return sessions.create_session(
        conn,
        slug=planned.slug,
        title_fr=template["title_fr"],
        title_nl=template["title_nl"],
        topic=template["topic"],
        starts_at=planned.starts_at,
        ends_at=planned.ends_at,
        venue=planned.venue,
        place_id=planned.place_id,
        online=planned.online,
        language=planned.language,
        capacity=int(template["capacity"]),
        demo=True,
        status="done" if past else "scheduled",
        actor="seed",
        now=now,
    )


def _fill(
    conn: Connection, session: sessions.InfoSession, state: str | None, now: dt.datetime
) -> int:
    """Book demo candidates: every seat for ``full``, and a few more for ``waitlist``."""
    if state not in ("full", "waitlist"):
        return 0
    count = session.capacity + (WAITLIST_EXTRA if state == "waitlist" else 0)
    for n in range(1, count + 1):
        first = _FIRST_NAMES[(n - 1) % len(_FIRST_NAMES)]
        sessions.book(
            conn,
            session.id,
            name=f"{first} Démo",
            email=f"demo.{n:02d}.{session.slug}@example.org",
            language="nl" if n % 3 == 0 else "fr",
            consent_version="demo",
            sender_id=DEMO_SENDER,
            message_id=f"{session.slug}:{n}",
            actor="seed",
            now=now,
        )
    return count


def remove(conn: Connection) -> int:
    """Delete every demo session and its bookings (the audit trail stays)."""
    ids = list(
        conn.execute(select(info_sessions.c.id).where(info_sessions.c.demo.is_(True))).scalars()
    )
    if ids:
        conn.execute(delete(session_bookings).where(session_bookings.c.session_id.in_(ids)))
        conn.execute(delete(info_sessions).where(info_sessions.c.id.in_(ids)))
    return len(ids)
