"""Information sessions and bookings as values, and the names they use (languages, topics)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from bot.gazetteer import place

TIMEZONE = ZoneInfo("Europe/Brussels")


# The version of the consent text shown by the booking form (domain/sessions.yml).
CONSENT_VERSION = "booking-consent-2026-12"


LANGUAGES = ("fr", "nl", "fr+nl")


CANDIDATE_LANGUAGES = ("fr", "nl")


# Session languages kept by a language filter: a French or Dutch speaker can follow a
# bilingual session too; "fr+nl" asks for the bilingual ones.
LANGUAGE_FILTER = {"fr": ("fr", "fr+nl"), "nl": ("nl", "fr+nl"), "fr+nl": ("fr+nl",)}


# Session topics are FAQ topic names, so that a session can be offered after an answer.
TOPICS = (
    "frontier_worker",
    "taxes",
    "social_security",
    "job_dating",
    "training",
    "cv_application",
    "contracts",
    "equal_opportunities",
    "language_requirements",
    "job_search_services",
)


OPEN_STATUSES = ("scheduled", "full")


DEADLINE_WORKING_DAYS = 2


JOB_DATING_DEADLINE_WORKING_DAYS = 5  # pre-selection of candidates


@dataclass(frozen=True)
class InfoSession:
    """One information session; times are aware datetimes in Europe/Brussels."""

    id: int
    title_fr: str
    title_nl: str
    topic: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    venue: str
    address: str | None
    place_id: str | None
    city: str | None
    online: bool
    language: str
    capacity: int
    seats_taken: int
    registration_deadline: dt.datetime
    status: str
    demo: bool = False
    slug: str | None = None
    archived_at: dt.datetime | None = None

    @property
    def seats_left(self) -> int:
        """Free seats (0 when full: new bookings go on the waiting list)."""
        return max(self.capacity - self.seats_taken, 0)

    def title(self, language: str | None) -> str:
        """The title in ``language`` (French unless Dutch)."""
        return self.title_nl if language == "nl" else self.title_fr

    def city_name(self, language: str | None) -> str | None:
        """The town in ``language`` ("Courtrai" / "Kortrijk"), from the gazetteer if known."""
        known = place(self.place_id)
        return known.name(language) if known else self.city

    def closed_reason(self, now: dt.datetime) -> str | None:
        """Why the session takes no booking now (``cancelled``, ``done``, ``started``,
        ``deadline``), or None when it does."""
        if self.status == "cancelled":
            return "cancelled"
        if self.status == "done":
            return "done"
        if now >= self.starts_at:
            return "started"
        if now >= self.registration_deadline:
            return "deadline"
        return None


@dataclass(frozen=True)
class Booking:
    """A seat or a place on the waiting list; personal fields stay out of ``repr``."""

    id: int
    reference: str
    session_id: int
    status: str
    language: str
    candidate_name: str = field(repr=False)
    email: str | None = field(repr=False)
    phone: str | None = field(repr=False)
    consent_at: dt.datetime = field(repr=False)
    consent_version: str = field(repr=False)
    waitlisted_at: dt.datetime | None = None
    sender_id: str | None = field(default=None, repr=False)
    message_id: str | None = field(default=None, repr=False)
    created_at: dt.datetime | None = None
    cancelled_at: dt.datetime | None = None
    promoted_at: dt.datetime | None = None
    erased_at: dt.datetime | None = None
    # Set while the booking waits for the candidate's e-mail confirmation (double opt-in).
    hold_expires_at: dt.datetime | None = None

    @property
    def held(self) -> bool:
        """Waiting for the candidate to confirm it from the e-mail."""
        return self.hold_expires_at is not None and not self.cancelled

    @property
    def confirmed(self) -> bool:
        return self.status == "confirmed"

    @property
    def waitlisted(self) -> bool:
        return self.status == "waitlisted"

    @property
    def cancelled(self) -> bool:
        return self.status == "cancelled"


@dataclass(frozen=True)
class BookingResult:
    """What ``book`` did: ``created`` is False when an existing booking was returned."""

    booking: Booking
    session: InfoSession
    created: bool
    waitlist_position: int | None = None

    @property
    def waitlisted(self) -> bool:
        return self.booking.waitlisted


@dataclass(frozen=True)
class CancelResult:
    """What ``cancel`` did, and who got the seat (to be told by e-mail).

    ``previous_status`` is the booking's status before: ``confirmed`` (a seat was freed),
    ``waitlisted`` (a place on the waiting list was given up) or ``cancelled`` (nothing done).
    """

    booking: Booking
    session: InfoSession
    already_cancelled: bool
    promoted: Booking | None = None
    previous_status: str = "cancelled"


@dataclass(frozen=True)
class ErasureResult:
    """The bookings anonymised by ``erase_candidate`` and who got a freed seat."""

    booking_ids: tuple[int, ...]
    promoted: tuple[Booking, ...] = ()


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)
