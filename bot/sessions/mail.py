"""E-mails about a booking, in the candidate's language, with the .ics invite attached.

Four kinds: ``confirmed`` (a seat), ``waitlisted`` (a place on the waiting list),
``promoted`` (a seat freed by a cancellation went to this booking) and ``cancelled`` (the
organisers cancelled the session). Texts come from the catalogs' ``email`` section.
"""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from bot.config import privacy_url
from bot.mailer import Mailer
from bot.messages import text
from bot.sessions import texts as session_texts
from bot.sessions.invites import ics_for_booking
from bot.sessions.model import Booking, InfoSession

KINDS = ("confirmed", "waitlisted", "promoted", "cancelled")


def ics_url(public_url: str, reference: str) -> str:
    """Where the web app serves the invite of a booking."""
    return f"{public_url}/ics/{reference}.ics"


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
    message.set_content("\n\n".join(paragraphs))
    if kind != "cancelled":
        message.add_attachment(
            ics_for_booking(booking, session),
            maintype="text",
            subtype="calendar",
            filename=f"{booking.reference}.ics",
            params={"method": "PUBLISH", "charset": "utf-8"},
        )
    # Last: set_content and add_attachment drop or move the Content-* headers set before.
    message["Content-Language"] = language
    return message


def confirm_url(public_url: str, language: str, token: str) -> str:
    """The link of the e-mail that confirms a held booking (the web app's page)."""
    return f"{public_url}/{language}/bookings/confirm/{token}"


def confirmation_request_email(
    booking: Booking,
    session: InfoSession,
    *,
    sender: str,
    public_url: str,
    token: str,
    minutes: int,
) -> EmailMessage:
    """The e-mail that asks the candidate to confirm a held booking: no reference and no
    invite yet (whoever typed someone else's address gets nothing to act on)."""
    if not booking.email:
        raise ValueError("this booking has no e-mail address (erased)")
    language = booking.language
    details = session_texts.session_details(session, language)
    url = confirm_url(public_url, language, token)
    paragraphs = [
        text(language, "email.greeting").format(name=booking.candidate_name),
        text(language, "email.confirm_request.ask").format(minutes=minutes),
        text(language, "email.details").format(**details),
        url,
        text(language, "email.confirm_request.not_you"),
        text(language, "email.footer").format(privacy_url=privacy_url(public_url)),
    ]
    message = EmailMessage()
    subject = text(language, "email.subject.confirm_request")
    message["Subject"] = subject.format(title=details["title"])
    message["From"] = sender
    message["To"] = formataddr((booking.candidate_name, booking.email))
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content("\n\n".join(paragraphs))
    message["Content-Language"] = language
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
