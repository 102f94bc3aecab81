"""The "upcoming information sessions" section of the home page.

The sessions themselves belong to ``bot.sessions`` (another feature); the page only needs a
provider, a callable that returns :class:`SessionListing` values. Until that module exists
the section says that no session is planned yet.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

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


def sessions_module_provider() -> list[SessionListing]:
    """The sessions of ``bot.sessions.list_upcoming_sessions``, while nothing else is wired.

    Raises ``ModuleNotFoundError`` while ``bot.sessions`` does not exist; a module without
    that function gives no session (and a warning) rather than a broken home page.
    """
    module = importlib.import_module("bot.sessions")
    lister: SessionsProvider | None = getattr(module, "list_upcoming_sessions", None)
    if lister is None:
        log.warning("bot.sessions has no list_upcoming_sessions: pass create_app(sessions=...)")
        return []
    return list(lister())


def upcoming_sessions(provider: SessionsProvider | None = None) -> list[SessionListing]:
    """The first sessions of ``provider``; empty while the sessions module is missing.

    Blocking (the provider may read the database): call it in an executor.
    """
    try:
        listings = list((provider or sessions_module_provider)())
    except ModuleNotFoundError as exc:
        if exc.name != "bot.sessions":
            raise
        return []
    return listings[:MAX_LISTED]


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
