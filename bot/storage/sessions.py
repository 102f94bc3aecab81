"""Tables of information sessions, their bookings and the audit trail of every change.

Times are stored in UTC (``UtcDateTime``) and come back as aware datetimes: SQLite has no
time zone type and would silently drop the offset. ``bot.sessions`` converts them to
Europe/Brussels for display.

Two unique keys make repeated requests harmless: ``(sender_id, message_id)`` (the same Rasa
message delivered twice) and, for bookings that are not cancelled, ``(session_id, email)``
(the same person booking the same session twice). The audit table holds ids and what
changed, never a name, an e-mail address or a phone number.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.types import TypeDecorator

from bot.storage.db import metadata

SESSION_STATUSES = ("scheduled", "full", "cancelled", "done")
BOOKING_STATUSES = ("confirmed", "waitlisted", "cancelled")
SESSION_LANGUAGES = ("fr", "nl", "fr+nl")


# SQLAlchemy 1.4 ships no type hints: TypeDecorator is Any to mypy.
class UtcDateTime(TypeDecorator):  # type: ignore[misc]
    """An aware datetime stored in UTC; naive values are refused rather than guessed."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: give it a time zone")
        utc = value.astimezone(dt.timezone.utc)
        # SQLite keeps the text it is given: store it without an offset, always in UTC.
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


info_sessions = Table(
    "info_sessions",
    metadata,
    Column("id", Integer, primary_key=True),
    # Stable key of generated sessions ("demo-03-jobdating-logistics"): seeding twice is a no-op.
    Column("slug", String(80), nullable=True, unique=True),
    Column("title_fr", String(200), nullable=False),
    Column("title_nl", String(200), nullable=False),
    Column("topic", String(40), nullable=False),
    Column("starts_at", UtcDateTime, nullable=False),
    Column("ends_at", UtcDateTime, nullable=False),
    Column("venue", String(200), nullable=False),
    # NULL means "address to be confirmed": addresses are never invented.
    Column("address", String(300), nullable=True),
    Column("place_id", String(60), nullable=True),
    Column("city", String(100), nullable=True),
    Column("online", Boolean, nullable=False, default=False),
    Column("language", String(5), nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("seats_taken", Integer, nullable=False, default=0),
    Column("registration_deadline", UtcDateTime, nullable=False),
    Column("status", String(12), nullable=False, default="scheduled"),
    Column("demo", Boolean, nullable=False, default=False),
    # Archived from the console (a past or test session): hidden from the lists and from
    # candidates, kept for the statistics.
    Column("archived_at", UtcDateTime, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    CheckConstraint("capacity > 0", name="capacity_positive"),
    CheckConstraint("seats_taken >= 0 AND seats_taken <= capacity", name="seats_within_capacity"),
    CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    CheckConstraint(_in("status", SESSION_STATUSES), name="status"),
    CheckConstraint(_in("language", SESSION_LANGUAGES), name="language"),
)
Index("ix_info_sessions_starts_at", info_sessions.c.starts_at)

session_bookings = Table(
    "session_bookings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("reference", String(9), nullable=False, unique=True),
    Column("session_id", Integer, ForeignKey("info_sessions.id"), nullable=False),
    Column("candidate_name", String(120), nullable=False),
    # Lower-cased; NULL once the candidate's data has been erased.
    Column("email", String(254), nullable=True),
    Column("phone", String(16), nullable=True),  # E.164
    Column("language", String(2), nullable=False),
    Column("consent_at", UtcDateTime, nullable=False),
    Column("consent_version", String(40), nullable=False),
    Column("status", String(12), nullable=False),
    # Order of the waiting list (ties broken by id); NULL when not waiting.
    Column("waitlisted_at", UtcDateTime, nullable=True),
    Column("sender_id", String(255), nullable=True),
    Column("message_id", String(255), nullable=True),
    # The keyed hash of the client's address (bot.client): the limits per client count it.
    Column("client_key", String(64), nullable=True),
    # E-mail confirmation (double opt-in): until this moment the seat or the waiting-list
    # place is held for the candidate to click the link of the e-mail; NULL once confirmed
    # (or when no confirmation is asked). The link's token is stored as its sha256 only.
    Column("hold_expires_at", UtcDateTime, nullable=True),
    Column("confirm_token", String(64), nullable=True, unique=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("cancelled_at", UtcDateTime, nullable=True),
    Column("promoted_at", UtcDateTime, nullable=True),
    Column("erased_at", UtcDateTime, nullable=True),
    UniqueConstraint("sender_id", "message_id", name="uq_session_bookings_sender_message"),
    CheckConstraint(_in("status", BOOKING_STATUSES), name="status"),
)
_ACTIVE = text("status <> 'cancelled'")
Index(
    "uq_session_bookings_active_email",
    session_bookings.c.session_id,
    session_bookings.c.email,
    unique=True,
    sqlite_where=_ACTIVE,
    postgresql_where=_ACTIVE,
)
Index(
    "ix_session_bookings_session_status", session_bookings.c.session_id, session_bookings.c.status
)
Index("ix_session_bookings_email", session_bookings.c.email)
Index("ix_session_bookings_phone", session_bookings.c.phone)
# The website looks for holds that ran out every few seconds.
Index("ix_session_bookings_hold_expires_at", session_bookings.c.hold_expires_at)

# No foreign keys: the trail outlives what it describes (a demo session deleted, a booking
# anonymised), and it must never hold personal data.
session_audit = Table(
    "session_audit",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", UtcDateTime, nullable=False),
    Column("actor", String(80), nullable=False),
    Column("action", String(40), nullable=False),
    Column("session_id", Integer, nullable=True),
    Column("booking_id", Integer, nullable=True),
    Column("detail", Text, nullable=True),
)
Index("ix_session_audit_session_id", session_audit.c.session_id)
Index("ix_session_audit_booking_id", session_audit.c.booking_id)
