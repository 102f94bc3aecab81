"""Keyword-default builders for test data (``make_info_session(conn, capacity=10)``)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from sqlalchemy.engine import Connection

from bot import sessions

_counter = itertools.count(1)


def in_days(days: float, hour: int = 9, minute: int = 30) -> dt.datetime:
    """A time ``days`` from now at ``hour:minute`` Brussels time (rounded to the day)."""
    day = (sessions.now_utc() + dt.timedelta(days=days)).astimezone(sessions.TIMEZONE).date()
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=sessions.TIMEZONE)


def make_info_session(conn: Connection, **overrides: Any) -> sessions.InfoSession:
    """A bookable session ten days ahead in Kortrijk, changed by ``overrides``."""
    starts_at = overrides.pop("starts_at", in_days(10))
    values: dict[str, Any] = dict(
        title_fr="Impôts et sécurité sociale des frontaliers",
        title_nl="Belastingen en sociale zekerheid voor grensarbeiders",
        topic="taxes",
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=2),
        venue="VDAB Kortrijk",
        place_id="be-kortrijk",
        language="fr+nl",
        capacity=10,
    )
    values.update(overrides)
    return sessions.create_session(conn, **values)


def booking_fields(n: int | None = None, **overrides: Any) -> dict[str, Any]:
    """The candidate fields of ``sessions.book``, unique per call unless ``n`` is given."""
    n = next(_counter) if n is None else n
    fields: dict[str, Any] = dict(
        name="Marie Dupont",
        email=f"marie.dupont.{n}@exemple.fr",
        phone=None,
        language="fr",
        sender_id=f"conversation-{n}",
        message_id=f"message-{n}",
    )
    fields.update(overrides)
    return fields


def info_session_value(**overrides: Any) -> sessions.InfoSession:
    """An ``InfoSession`` value without a database (for formatting and search tests)."""
    starts_at = overrides.pop(
        "starts_at", dt.datetime(2026, 12, 8, 9, 30, tzinfo=sessions.TIMEZONE)
    )
    values: dict[str, Any] = dict(
        id=1,
        title_fr="Travailler en Flandre : infos pratiques",
        title_nl="Werken in Vlaanderen: praktische info",
        topic="frontier_worker",
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=2),
        venue="VDAB Kortrijk",
        address=None,
        place_id="be-kortrijk",
        city="Courtrai",
        online=False,
        language="fr",
        capacity=25,
        seats_taken=13,
        registration_deadline=starts_at - dt.timedelta(days=2),
        status="scheduled",
    )
    values.update(overrides)
    return sessions.InfoSession(**values)


def booking_value(**overrides: Any) -> sessions.Booking:
    """A ``Booking`` value without a database."""
    created = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.timezone.utc)
    values: dict[str, Any] = dict(
        id=1,
        reference="K7P2-QX9M",
        session_id=1,
        status="confirmed",
        language="fr",
        candidate_name="Marie Dupont",
        email="marie.dupont@exemple.fr",
        phone="+32470123456",
        consent_at=created,
        consent_version=sessions.CONSENT_VERSION,
        created_at=created,
    )
    values.update(overrides)
    return sessions.Booking(**values)


def html_text(lang: str, key: str, **values: object) -> str:
    """A catalog text as a page shows it (HTML-escaped)."""
    from markupsafe import escape

    from bot.messages import text

    return str(escape(text(lang, key).format(**values)))
