"""The console's side of information sessions: the session form, the attendee CSV.

Bookings and seats belong to :mod:`bot.sessions` (capacity, waiting list, cancellation with
promotion); this module only reads a consultant's form into the arguments of
``create_session`` / ``update_session`` and writes an attendee list that opens correctly
in a spreadsheet:

- UTF-8 with a byte-order mark, so that Excel reads "Dubois-Hélène" and "Ieper" right;
- ``;`` as separator: Excel in France, Belgium and the Netherlands uses the comma as
  decimal mark and splits a CSV file on semicolons (LibreOffice asks and guesses ``;``);
- the header row in the consultant's language;
- cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``,
  ``@``, a tab or a carriage return) are prefixed with ``'``, except plain numbers such as
  the stored ``+32470123456`` (OWASP's advice on CSV injection).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from bot.messages import text
from bot.sessions.model import LANGUAGES, TIMEZONE, TOPICS, Booking, InfoSession
from bot.storage.sessions import session_bookings

SEPARATOR = ";"
BOM = "\ufeff"
CSV_COLUMNS = ("reference", "status", "name", "email", "phone", "language", "booked_at")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^\+?\d+$")


@dataclass(frozen=True)
class Attendance:
    """A session's bookings, split as the attendee list shows them."""

    session: InfoSession
    confirmed: list[Booking]
    waitlisted: list[Booking]
    cancelled: list[Booking]


def split(session: InfoSession, bookings: Sequence[Booking]) -> Attendance:
    return Attendance(
        session,
        [b for b in bookings if b.confirmed],
        [b for b in bookings if b.waitlisted],
        [b for b in bookings if b.cancelled],
    )


def _cell(value: object) -> str:
    cell = "" if value is None else str(value)
    if cell.startswith(_FORMULA) and not _NUMBER.match(cell):
        return "'" + cell
    return cell


def _local(moment: dt.datetime | None) -> str:
    return moment.astimezone(TIMEZONE).strftime("%Y-%m-%d %H:%M") if moment else ""


def attendee_csv(bookings: Sequence[Booking], language: str) -> bytes:
    """The attendee list (confirmed, then the waiting list) as spreadsheet-ready CSV."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=SEPARATOR, lineterminator="\r\n")
    writer.writerow([text(language, f"console.sessions.csv.{c}") for c in CSV_COLUMNS])
    for booking in bookings:
        if booking.cancelled:
            continue
        writer.writerow(
            [
                _cell(booking.reference),
                _cell(text(language, f"console.sessions.booking_status.{booking.status}")),
                _cell(booking.candidate_name),
                _cell(booking.email),
                _cell(booking.phone),
                _cell(booking.language),
                _cell(_local(booking.created_at)),
            ]
        )
    return (BOM + out.getvalue()).encode("utf-8")


def csv_filename(session: InfoSession) -> str:
    day = session.starts_at.astimezone(TIMEZONE).strftime("%Y-%m-%d")
    return f"attendees-{day}-session-{session.id}.csv"


# --- the session form ---------------------------------------------------------------------


class FormErrors(ValueError):
    """Fields of the session form that cannot be used: ``fields`` names them."""

    def __init__(self, fields: list[str]) -> None:
        super().__init__(", ".join(fields))
        self.fields = fields


def _moment(day: str, hour: str) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(f"{day.strip()} {hour.strip()}")
    except ValueError:
        return None
    return moment.replace(tzinfo=TIMEZONE)


def _capacity(value: str) -> int | None:
    try:
        capacity = int(value.strip())
    except ValueError:
        return None
    return capacity if capacity >= 1 else None


def new_session_fields(form: Mapping[str, str]) -> dict[str, object]:
    """The arguments of ``sessions.create_session`` for a form; raises FormErrors.

    Times are local (Europe/Brussels, which Lille and Kortrijk share); the deadline is
    optional (the sessions module then takes two working days before).
    """
    errors = []
    values: dict[str, object] = {}
    for name in ("title_fr", "title_nl", "venue"):
        values[name] = form.get(name, "").strip()
        if not values[name]:
            errors.append(name)
    values["topic"] = form.get("topic", "")
    if values["topic"] not in TOPICS:
        errors.append("topic")
    values["language"] = form.get("language", "")
    if values["language"] not in LANGUAGES:
        errors.append("language")
    day = form.get("day", "")
    starts = _moment(day, form.get("start", ""))
    ends = _moment(day, form.get("end", ""))
    if starts is None:
        errors.append("start")
    if ends is None or (starts is not None and ends <= starts):
        errors.append("end")
    values["starts_at"], values["ends_at"] = starts, ends
    values["capacity"] = _capacity(form.get("capacity", ""))
    if values["capacity"] is None:
        errors.append("capacity")
    values["registration_deadline"] = _deadline(form, errors)
    values["address"] = form.get("address", "").strip() or None
    values["place_id"] = form.get("place_id", "").strip() or None
    values["online"] = form.get("online") == "yes"
    if errors:
        raise FormErrors(errors)
    return values


def _deadline(form: Mapping[str, str], errors: list[str]) -> dt.datetime | None:
    if not form.get("deadline_day", "").strip():
        return None
    deadline = _moment(form.get("deadline_day", ""), form.get("deadline_time", "") or "23:59")
    if deadline is None:
        errors.append("deadline")
    return deadline


def edit_session_fields(form: Mapping[str, str], session: InfoSession) -> dict[str, Any]:
    """The changes for ``sessions.update_session`` (only what differs); raises FormErrors."""
    errors = []
    changes: dict[str, Any] = {}
    capacity = _capacity(form.get("capacity", ""))
    if capacity is None:
        errors.append("capacity")
    elif capacity != session.capacity:
        changes["capacity"] = capacity
    deadline = _deadline(form, errors)
    if deadline is not None and deadline != session.registration_deadline:
        changes["registration_deadline"] = deadline
    venue = form.get("venue", "").strip()
    if not venue:
        errors.append("venue")
    elif venue != session.venue:
        changes["venue"] = venue
    address = form.get("address", "").strip()
    if address != (session.address or ""):
        changes["address"] = address
    if errors:
        raise FormErrors(errors)
    return changes


def form_values(session: InfoSession) -> dict[str, str]:
    """A session as the edit form shows it (local times)."""
    deadline = session.registration_deadline.astimezone(TIMEZONE)
    return {
        "capacity": str(session.capacity),
        "venue": session.venue,
        "address": session.address or "",
        "deadline_day": deadline.strftime("%Y-%m-%d"),
        "deadline_time": deadline.strftime("%H:%M"),
    }


def waiting_counts(conn: Connection) -> dict[int, int]:
    """Places on the waiting list per session (the list page shows them beside the seats)."""
    b = session_bookings.c
    rows = conn.execute(
        select(b.session_id, func.count()).where(b.status == "waitlisted").group_by(b.session_id)
    )
    return {int(session_id): int(n) for session_id, n in rows}
