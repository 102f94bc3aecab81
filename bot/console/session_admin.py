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

from bot.gazetteer import resolve_place
from bot.messages import text
from bot.sessions.model import LANGUAGES, TIMEZONE, TOPICS, Booking, CancelResult, InfoSession
from bot.storage.sessions import session_bookings
from bot.text import fold

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


def _status(booking: Booking) -> str:
    """``held`` for a booking still waiting for its e-mail confirmation, else its status."""
    return "held" if booking.held else booking.status


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
                _cell(text(language, f"console.sessions.booking_status.{_status(booking)}")),
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


# More seats than any room of the partners holds: a typo (250 for 25), not a session.
MAX_CAPACITY = 500


class FormErrors(ValueError):
    """Fields of the session form that cannot be used: ``fields`` names them, ``reasons``
    says why for some (keys of ``console.sessions.form.reasons``: the consultant reads the
    reason in their language, never the sessions module's English)."""

    def __init__(self, fields: list[str], reasons: Mapping[str, str] | None = None) -> None:
        super().__init__(", ".join(fields))
        self.fields = fields
        self.reasons = dict(reasons or {})


class _Errors:
    """The wrong fields of one form, and why, as they are found."""

    def __init__(self) -> None:
        self.fields: list[str] = []
        self.reasons: dict[str, str] = {}

    def add(self, field: str, reason: str | None = None) -> None:
        if field not in self.fields:
            self.fields.append(field)
        if reason and field not in self.reasons:
            self.reasons[field] = reason

    def raise_any(self) -> None:
        if self.fields:
            raise FormErrors(self.fields, self.reasons)


def place_id_for(text: str) -> tuple[str | None, str | None]:
    """(place id, None) for a town named in either language, else (None, reason).

    "Courtrai", "Kortrijk", "be-kortrijk" give be-kortrijk; a name shared by several towns
    ("Lens", "Komen") is ``ambiguous_place`` (the gazetteer's qualified aliases, "Lens
    (Belgique)", are not); a sentence or an unknown name is ``unknown_place``.
    """
    found = resolve_place(text)
    if found is None or found.score < 100 or fold(found.name) != fold(text.strip()):
        return None, "unknown_place"
    if found.alternatives:
        return None, "ambiguous_place"
    return found.item.id, None


def _moment(day: str, hour: str) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(f"{day.strip()} {hour.strip()}")
    except ValueError:
        return None
    return moment.replace(tzinfo=TIMEZONE)


def _capacity(value: str, errors: _Errors, taken: int = 0) -> int | None:
    """The number of seats of the form; None (and why) when it cannot be one."""
    try:
        capacity = int(value.strip())
    except ValueError:
        errors.add("capacity")
        return None
    if capacity < max(taken, 1):
        errors.add("capacity", "below_taken" if taken else "capacity_too_small")
        return None
    if capacity > MAX_CAPACITY:
        errors.add("capacity", "capacity_too_large")
        return None
    return capacity


def new_session_fields(
    form: Mapping[str, str], now: dt.datetime | None = None
) -> dict[str, object]:
    """The arguments of ``sessions.create_session`` for a form; raises FormErrors.

    Times are local (Europe/Brussels, which Lille and Kortrijk share); the deadline is
    optional (the sessions module then takes two working days before). A session that
    starts before ``now``, more seats than ``MAX_CAPACITY`` and a deadline after the start
    are refused here, with a reason, rather than by the sessions module in English.
    """
    errors = _Errors()
    values: dict[str, object] = {}
    for name in ("title_fr", "title_nl", "venue"):
        values[name] = form.get(name, "").strip()
        if not values[name]:
            errors.add(name)
    values["topic"] = form.get("topic", "")
    if values["topic"] not in TOPICS:
        errors.add("topic")
    values["language"] = form.get("language", "")
    if values["language"] not in LANGUAGES:
        errors.add("language")
    day = form.get("day", "")
    starts = _moment(day, form.get("start", ""))
    ends = _moment(day, form.get("end", ""))
    if starts is None:
        errors.add("start")
    elif starts <= (now or dt.datetime.now(dt.timezone.utc)):
        errors.add("start", "past")
    if ends is None or (starts is not None and ends <= starts):
        errors.add("end", "end_before_start" if ends is not None else None)
    values["starts_at"], values["ends_at"] = starts, ends
    values["capacity"] = _capacity(form.get("capacity", ""), errors)
    deadline = _deadline(form, errors)
    if deadline is not None and starts is not None and deadline > starts:
        errors.add("deadline", "deadline_after_start")
    values["registration_deadline"] = deadline
    values["address"] = form.get("address", "").strip() or None
    values["place_id"] = _place(form, errors)
    values["online"] = form.get("online") == "yes"
    errors.raise_any()
    return values


def _place(form: Mapping[str, str], errors: _Errors) -> str | None:
    """The town of the form, typed by its name ("place"; "place_id" of older forms)."""
    typed = (form.get("place") or form.get("place_id") or "").strip()
    if not typed:
        return None
    place_id, reason = place_id_for(typed)
    if reason:
        errors.add("place", reason)
    return place_id


def _deadline(form: Mapping[str, str], errors: _Errors) -> dt.datetime | None:
    if not form.get("deadline_day", "").strip():
        return None
    deadline = _moment(form.get("deadline_day", ""), form.get("deadline_time", "") or "23:59")
    if deadline is None:
        errors.add("deadline")
    return deadline


def edit_session_fields(form: Mapping[str, str], session: InfoSession) -> dict[str, Any]:
    """The changes for ``sessions.update_session`` (only what differs); raises FormErrors.

    What ``update_session`` would refuse in English (fewer seats than are taken, a
    deadline after the start) is refused here with a reason in the consultant's language.
    """
    errors = _Errors()
    changes: dict[str, Any] = {}
    capacity = _capacity(form.get("capacity", ""), errors, taken=session.seats_taken)
    if capacity is not None and capacity != session.capacity:
        changes["capacity"] = capacity
    deadline = _deadline(form, errors)
    if deadline is not None and deadline > session.starts_at:
        errors.add("deadline", "deadline_after_start")
    elif deadline is not None and deadline != session.registration_deadline:
        changes["registration_deadline"] = deadline
    venue = form.get("venue", "").strip()
    if not venue:
        errors.add("venue")
    elif venue != session.venue:
        changes["venue"] = venue
    address = form.get("address", "").strip()
    if address != (session.address or ""):
        changes["address"] = address
    errors.raise_any()
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


def cancel_outcome(result: CancelResult) -> str:
    """What a cancellation on a candidate's behalf did, as the page says it (a ``done`` key):
    a seat given to the waiting list, a seat left free, a place on the waiting list given
    up, or nothing (already cancelled)."""
    if result.already_cancelled:
        return "already_cancelled"
    if result.previous_status == "waitlisted":
        return "cancelled_waitlisted"
    return "cancelled_promoted" if result.promoted is not None else "cancelled_seat_free"


def cancel_preview(attendance: Attendance, booking_id: int) -> tuple[Booking, str] | None:
    """The booking a consultant is about to cancel and what will happen (a catalog key)."""
    for booking in attendance.confirmed + attendance.waitlisted:
        if booking.id == booking_id:
            if booking.waitlisted:
                return booking, "waitlisted"
            return booking, "promote" if attendance.waitlisted else "free"
    return None


def waiting_counts(conn: Connection) -> dict[int, int]:
    """Places on the waiting list per session (the list page shows them beside the seats)."""
    b = session_bookings.c
    rows = conn.execute(
        select(b.session_id, func.count()).where(b.status == "waitlisted").group_by(b.session_id)
    )
    return {int(session_id): int(n) for session_id, n in rows}
