"""The "upcoming information sessions" section of the home page.

The sessions themselves belong to ``bot.sessions``; the page only needs a provider, a
callable that returns :class:`SessionListing` values (``database_provider`` by default; tests
pass their own). With no session planned, the section says so.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from bot import sessions
from bot.storage.db import transaction
from bot.web.i18n import translator

log = logging.getLogger(__name__)

# Sessions take place in Lille, Kortrijk, Mons...: one time zone for both countries.
LOCAL_TIME = ZoneInfo("Europe/Paris")
MAX_LISTED = 6


@dataclass(frozen=True)
class SessionListing:
    """One session as the public page shows it.

    Attributes:
        title: the title in each language, ``{"fr": ..., "nl": ...}``.
        starts_at: start (aware, or naive local time).
        ends_at: end, same convention.
        place: the city or venue as the organisers wrote it.
        language: ``fr``, ``nl`` or ``fr+nl``.
        seats_left: free seats, or ``None`` when not counted.
    """

    title: Mapping[str, str]
    starts_at: datetime
    ends_at: datetime
    place: str
    language: str
    seats_left: int | None = None


SessionsProvider = Callable[[], Iterable[SessionListing]]


def database_provider(engine: Engine) -> SessionsProvider:
    """The bookable sessions of the database, as ``bot.sessions`` lists them to candidates."""

    def provider() -> list[SessionListing]:
        with transaction(engine) as conn:
            found = sessions.upcoming_sessions(conn)
        return [
            SessionListing(
                title={"fr": s.title_fr, "nl": s.title_nl},
                starts_at=s.starts_at,
                ends_at=s.ends_at,
                place=s.venue,
                language=s.language,
                seats_left=s.seats_left,
            )
            for s in found
        ]

    return provider


def upcoming_sessions(provider: SessionsProvider | None) -> list[SessionListing]:
    """The first sessions of ``provider`` (none without one).

    Blocking (the provider may read the database): call it in an executor.
    """
    return list(provider())[:MAX_LISTED] if provider else []


def _local(moment: datetime) -> datetime:
    return (
        moment.replace(tzinfo=LOCAL_TIME)
        if moment.tzinfo is None
        else moment.astimezone(LOCAL_TIME)
    )


def format_when(listing: SessionListing, language: str) -> str:
    """ "mardi 8 décembre 2026, 09:30–11:30" / "dinsdag 8 december 2026, 09:30–11:30"."""
    t = translator(language)
    start, end = _local(listing.starts_at), _local(listing.ends_at)
    return str(
        t(
            "web.sessions.when",
            weekday=t("web.dates.weekdays")[start.weekday()],
            day=start.day,
            month=t("web.dates.months")[start.month - 1],
            year=start.year,
            start=start.strftime("%H:%M"),
            end=end.strftime("%H:%M"),
        )
    )
