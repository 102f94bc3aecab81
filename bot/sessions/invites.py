"""Calendar invites (.ics) for bookings, in the candidate's language.

The invite carries what the candidate needs and nothing more: the session, its place, the
booking reference. No name, e-mail address or phone number (no ATTENDEE), so that a
forwarded invite discloses nobody. The UID is derived from the reference, so that a second
download updates the same calendar entry instead of adding one; it does not reveal the
reference.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import TYPE_CHECKING

from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard

from bot.messages import text
from bot.sessions import texts as session_texts

if TYPE_CHECKING:
    from bot.sessions.model import Booking, InfoSession

PRODID = "-//Cross-border job assistant FR-BE//Information sessions//FR-NL"
UID_DOMAIN = "crossborder-assistant"
_STATUS = {"confirmed": "CONFIRMED", "waitlisted": "TENTATIVE", "cancelled": "CANCELLED"}


def booking_uid(reference: str) -> str:
    """A stable UID for a booking's calendar entry that does not contain its reference."""
    digest = hashlib.sha256(f"booking:{reference}".encode()).hexdigest()[:24]
    return f"{digest}@{UID_DOMAIN}"


def ics_for_booking(
    booking: Booking, session: InfoSession, stamp: dt.datetime | None = None
) -> bytes:
    """The iCalendar file of one booking (start and end with TZID Europe/Brussels)."""
    language = booking.language
    details = session_texts.session_details(session, language)
    summary = details["title"]
    if booking.waitlisted:
        summary = text(language, "ics.waitlisted").format(title=summary)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", booking_uid(booking.reference))
    event.add("dtstamp", stamp or booking.created_at or dt.datetime.now(dt.timezone.utc))
    event.add("dtstart", session.starts_at)
    event.add("dtend", session.ends_at)
    event.add("summary", summary)
    event.add("location", details["venue"])
    event.add(
        "description",
        text(language, "ics.description").format(
            session_language=details["session_language"], reference=booking.reference
        ),
    )
    status = "CANCELLED" if session.status == "cancelled" else _STATUS[booking.status]
    event.add("status", status)
    event.add("transp", "OPAQUE")
    calendar.add_component(_brussels())
    calendar.add_component(event)
    return bytes(calendar.to_ical())


def _brussels() -> Timezone:
    """Europe/Brussels as the EU rule (last Sunday of March and of October), as calendar
    programs write it, rather than a list of every change since 1970."""
    zone = Timezone()
    zone.add("tzid", "Europe/Brussels")
    for part, start, offset_from, offset_to, name, month in (
        (TimezoneDaylight(), dt.datetime(1981, 3, 29, 2), 1, 2, "CEST", 3),
        (TimezoneStandard(), dt.datetime(1996, 10, 27, 3), 2, 1, "CET", 10),
    ):
        part.add("dtstart", start)
        part.add("tzoffsetfrom", dt.timedelta(hours=offset_from))
        part.add("tzoffsetto", dt.timedelta(hours=offset_to))
        part.add("tzname", name)
        part.add("rrule", {"freq": "yearly", "bymonth": month, "byday": "-1su"})
        zone.add_component(part)
    return zone
