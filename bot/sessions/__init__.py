"""Information sessions: listing, booking, waiting list, cancellation, never overbooked.

:mod:`~bot.sessions.model` holds the values; :mod:`~bot.sessions.queries` reads them;
:mod:`~bot.sessions.booking` books and cancels seats (capacity without races, see there) and
:mod:`~bot.sessions.schedule` creates and changes sessions, each on the connection it is given;
:mod:`~bot.sessions.use_cases` wraps them in a transaction and sends the e-mails
(:mod:`~bot.sessions.mail`) and calendar invites (:mod:`~bot.sessions.invites`) once it has
committed. :mod:`~bot.sessions.texts` writes sessions in words, :mod:`~bot.sessions.search`
reads which session a message is about. ``python -m bot.manage`` commands are in
:mod:`~bot.sessions.cli`, the demo sessions in :mod:`~bot.sessions.demo`. Booking references
are made and read by :mod:`bot.references`, which the log and the language detector use too.
"""

from bot.sessions.booking import (
    book,
    cancel,
    erase_candidate,
    expire,
)
from bot.sessions.model import (
    CANDIDATE_LANGUAGES,
    CONSENT_VERSION,
    DEADLINE_WORKING_DAYS,
    JOB_DATING_DEADLINE_WORKING_DAYS,
    LANGUAGE_FILTER,
    LANGUAGES,
    OPEN_STATUSES,
    TIMEZONE,
    TOPICS,
    Booking,
    BookingResult,
    CancelResult,
    ErasureResult,
    InfoSession,
    now_utc,
)
from bot.sessions.queries import (
    attendees,
    booking_details,
    bookings_for_candidate,
    find_booking,
    get_session,
    list_sessions,
    upcoming_sessions,
    waitlist_position,
)
from bot.sessions.schedule import (
    cancel_session,
    create_session,
    default_deadline,
    holiday_countries,
    update_session,
)
from bot.sessions.use_cases import (
    book_and_confirm,
    cancel_and_notify,
    cancel_session_and_notify,
    confirm_and_notify,
    expire_holds_and_notify,
    ics_for_reference,
    notify_promoted,
)

__all__ = [
    "Booking",
    "BookingResult",
    "CANDIDATE_LANGUAGES",
    "CONSENT_VERSION",
    "CancelResult",
    "DEADLINE_WORKING_DAYS",
    "ErasureResult",
    "InfoSession",
    "JOB_DATING_DEADLINE_WORKING_DAYS",
    "LANGUAGES",
    "LANGUAGE_FILTER",
    "OPEN_STATUSES",
    "TIMEZONE",
    "TOPICS",
    "attendees",
    "book",
    "book_and_confirm",
    "booking_details",
    "bookings_for_candidate",
    "cancel",
    "cancel_and_notify",
    "cancel_session",
    "cancel_session_and_notify",
    "confirm_and_notify",
    "create_session",
    "default_deadline",
    "erase_candidate",
    "expire",
    "expire_holds_and_notify",
    "find_booking",
    "get_session",
    "holiday_countries",
    "ics_for_reference",
    "list_sessions",
    "notify_promoted",
    "now_utc",
    "upcoming_sessions",
    "update_session",
    "waitlist_position",
]
