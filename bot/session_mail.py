"""E-mails about a booking, in the candidate's language, with the .ics invite attached,
and the booking steps that send them once their transaction has committed.

Four kinds: ``confirmed`` (a seat), ``waitlisted`` (a place on the waiting list),
``promoted`` (a seat freed by a cancellation went to this booking) and ``cancelled`` (the
organisers cancelled the session). Texts come from the catalogs' ``email`` section.
"""

from __future__ import annotations

from collections.abc import Iterable
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from typing import Any

from sqlalchemy.engine import Engine

from bot import session_texts, sessions
from bot.invites import ics_for_booking
from bot.mailer import Mailer
from bot.messages import text
from bot.sessions import Booking, BookingResult, CancelResult, InfoSession
from bot.storage.db import transaction

KINDS = ("confirmed", "waitlisted", "promoted", "cancelled")


def ics_url(public_url: str, reference: str) -> str:
    """Where the web app serves the invite of a booking."""
    return f"{public_url}/ics/{reference}.ics"


def privacy_url(public_url: str) -> str:
    """The privacy notice of the web app."""
    return f"{public_url}/privacy"


def booking_email(
    kind: str,
    booking: Booking,
    session: InfoSession,
    *,
    sender: str,
    public_url: str,
    waitlist_position: int | None = None,
) -> EmailMessage:
    """The e-mail of ``kind`` for one booking (the address must not be erased)."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    if not booking.email:
        raise ValueError("this booking has no e-mail address (erased)")
    language = booking.language
    details = session_texts.session_details(session, language)
    paragraphs = [
        text(language, "email.greeting").format(name=booking.candidate_name),
        text(language, f"email.status.{kind}").format(position=waitlist_position or "?"),
        text(language, "email.details").format(**details),
    ]
    if kind != "cancelled":
        paragraphs += [
            text(language, "email.reference").format(reference=booking.reference),
            text(language, "email.ics").format(ics_url=ics_url(public_url, booking.reference)),
            text(language, "email.cancel_hint"),
        ]
    paragraphs.append(text(language, "email.footer").format(privacy_url=privacy_url(public_url)))
    message = EmailMessage()
    message["Subject"] = text(language, f"email.subject.{kind}").format(title=details["title"])
    message["From"] = sender
    message["To"] = formataddr((booking.candidate_name, booking.email))
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message["Content-Language"] = language
    message.set_content("\n\n".join(paragraphs))
    if kind != "cancelled":
        message.add_attachment(
            ics_for_booking(booking, session),
            maintype="text",
            subtype="calendar",
            filename=f"{booking.reference}.ics",
            params={"method": "PUBLISH", "charset": "utf-8"},
        )
    return message


def send_booking_email(
    mailer: Mailer | None,
    kind: str,
    booking: Booking,
    session: InfoSession,
    *,
    public_url: str,
    waitlist_position: int | None = None,
) -> bool:
    """Send the e-mail of ``kind`` if e-mail is configured; False when not sent."""
    if mailer is None or not booking.email:
        return False
    message = booking_email(
        kind,
        booking,
        session,
        sender=mailer.sender,
        public_url=public_url,
        waitlist_position=waitlist_position,
    )
    return mailer.deliver(message, about=f"{kind} e-mail of booking {booking.id}")


def book_and_confirm(
    engine: Engine, mailer: Mailer | None, public_url: str, session_id: int, **fields: Any
) -> tuple[BookingResult, bool]:
    """``sessions.book`` in a transaction of its own, then the e-mail once it is committed.

    Returns the result and whether an e-mail went out. Only a new booking is confirmed by
    e-mail: a repeated message gets its booking back without a second e-mail.
    """
    with transaction(engine) as conn:
        result = sessions.book(conn, session_id, **fields)
    if not result.created:
        return result, False
    kind = "waitlisted" if result.waitlisted else "confirmed"
    sent = send_booking_email(
        mailer,
        kind,
        result.booking,
        result.session,
        public_url=public_url,
        waitlist_position=result.waitlist_position,
    )
    return result, sent


def cancel_and_notify(
    engine: Engine,
    mailer: Mailer | None,
    public_url: str,
    reference: str,
    *,
    actor: str = "candidate",
) -> CancelResult:
    """``sessions.cancel`` in a transaction of its own, then tell whoever got the seat.

    This is what the console calls to cancel on behalf of a candidate (``actor`` names the
    consultant); it raises ``BookingNotFound`` like ``cancel``.
    """
    with transaction(engine) as conn:
        result = sessions.cancel(conn, reference, actor=actor)
    notify_promoted(mailer, public_url, result.session, [result.promoted])
    return result


def notify_promoted(
    mailer: Mailer | None,
    public_url: str,
    session: InfoSession,
    promoted: Iterable[Booking | None],
) -> int:
    """E-mail the bookings that got a seat from the waiting list; returns how many went out."""
    return sum(
        send_booking_email(mailer, "promoted", booking, session, public_url=public_url)
        for booking in promoted
        if booking is not None
    )


def cancel_session_and_notify(
    engine: Engine, mailer: Mailer | None, public_url: str, session_id: int, *, actor: str
) -> tuple[InfoSession, int, int]:
    """Cancel a session, then e-mail its candidates: (session, bookings, e-mails sent)."""
    with transaction(engine) as conn:
        session, bookings = sessions.cancel_session(conn, session_id, actor=actor)
    sent = sum(
        send_booking_email(mailer, "cancelled", booking, session, public_url=public_url)
        for booking in bookings
    )
    return session, len(bookings), sent
