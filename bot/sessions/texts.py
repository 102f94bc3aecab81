"""Sessions in words, in French or Dutch: dates, language labels, seats, list lines.

Every word comes from the catalogs (bot/resources/fr.yml, nl.yml), so that "mardi 9 décembre
à 09:30" and "dinsdag 9 december om 09.30 uur" are written the way each language writes them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.gazetteer import place
from bot.language.codes import supported_or_default
from bot.messages import catalog, text
from bot.sessions.model import TIMEZONE, InfoSession
from bot.text import fold


def _names(language: str, key: str) -> list[str]:
    return list(catalog(language)["sessions"][key])


def format_time(moment: dt.datetime, language: str | None) -> str:
    """ "09:30" in French, "09.30" in Dutch (Europe/Brussels)."""
    local = moment.astimezone(TIMEZONE)
    return text(language, "sessions.time").format(
        hours=f"{local.hour:02d}", minutes=f"{local.minute:02d}"
    )


def format_datetime(moment: dt.datetime, language: str | None) -> str:
    """ "mardi 9 décembre à 09:30" / "dinsdag 9 december om 09.30 uur"."""
    language = supported_or_default(language)
    local = moment.astimezone(TIMEZONE)
    return text(language, "sessions.datetime").format(
        weekday=_names(language, "weekdays")[local.weekday()],
        day=local.day,
        month=_names(language, "months")[local.month - 1],
        time=format_time(local, language),
    )


def format_time_range(session: InfoSession, language: str | None) -> str:
    """ "de 09:30 à 11:30" / "van 09.30 tot 11.30 uur"."""
    return text(language, "sessions.time_range").format(
        start=format_time(session.starts_at, language), end=format_time(session.ends_at, language)
    )


def language_label(code: str, language: str | None) -> str:
    """ "en néerlandais" / "in het Nederlands" for a session language code."""
    return text(language, f"sessions.language.{code}")


def place_label(session: InfoSession, language: str | None) -> str:
    """The town in the reader's language ("Courtrai" / "Kortrijk"), or "online"."""
    if session.online:
        return text(language, "sessions.online")
    return session.city_name(language) or session.venue


def venue_label(session: InfoSession, language: str | None) -> str:
    """Venue, address (or "address to be confirmed") and town; never an invented address."""
    if session.online:
        return text(language, "sessions.online_venue")
    known = place(session.place_id)
    town = place_label(session, language)
    if known and any(name in fold(session.venue) for name in known.folded_names()):
        town = ""  # "France Travail Tourcoing" already says where
    venue = text(language, "sessions.venue").format(
        venue=session.venue,
        address=session.address or text(language, "sessions.address_tbc"),
        place=town,
    )
    return venue.rstrip(", ")


def seats_label(session: InfoSession, language: str | None) -> str:
    """ "12 places restantes" / "nog 1 plaats vrij" / "complet, liste d'attente possible"."""
    if session.seats_left == 0:
        return text(language, "sessions.full")
    if session.seats_left == 1:
        return text(language, "sessions.seats_left_one")
    return text(language, "sessions.seats_left_many").format(count=session.seats_left)


def session_line(number: int, session: InfoSession, language: str | None) -> str:
    """One numbered line of the list of upcoming sessions."""
    return text(language, "sessions.line").format(
        number=number,
        title=session.title(language),
        when=format_datetime(session.starts_at, language),
        place=place_label(session, language),
        language=language_label(session.language, language),
        seats=seats_label(session, language),
    )


def session_button_title(number: int, session: InfoSession, language: str | None) -> str:
    """A short button label: "1. mar. 9/12 09:30 · Courtrai" / "1. di 9/12 09.30 · Kortrijk"."""
    language = supported_or_default(language)
    local = session.starts_at.astimezone(TIMEZONE)
    return text(language, "sessions.button").format(
        number=number,
        weekday=_names(language, "weekdays_short")[local.weekday()],
        day=local.day,
        month=local.month,
        time=format_time(local, language),
        place=place_label(session, language),
    )


def session_details(session: InfoSession, language: str | None) -> dict[str, Any]:
    """The values the confirmation messages and e-mails fill in."""
    return {
        "title": session.title(language),
        "when": format_datetime(session.starts_at, language),
        "time_range": format_time_range(session, language),
        "venue": venue_label(session, language),
        "place": place_label(session, language),
        "session_language": language_label(session.language, language),
        "seats": seats_label(session, language),
    }
