"""A candidate who cancels without the booking reference: their references, by e-mail only.

"je sais plus la référence" / "ik heb de code niet meer" is read from the words
(:func:`says_reference_lost`). The assistant then offers to send the references of the
upcoming bookings made with an e-mail address to that address (:func:`send_references`):
whoever types an address in the chat never sees a reference nor learns whether the address
has bookings, the message goes to the address itself. Without e-mail configured, a
consultant finds and cancels the booking instead (the action offers one).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from sqlalchemy.engine import Engine

from bot.config import privacy_url
from bot.mailer import Mailer
from bot.messages import text
from bot.sessions import texts as session_texts
from bot.sessions.mail import ics_url
from bot.sessions.model import Booking, InfoSession
from bot.sessions.queries import bookings_for_candidate, get_session
from bot.storage.db import transaction
from bot.text import fold

_LOST = re.compile(
    r"(?:(?:sais|souviens|rappelle|retrouve|trouve|connais|ai|avais)\s+(?:plus|pas)"
    r"|(?:ne|n)\s+(?:la|l|le)?\s*(?:sais|retrouve|trouve|connais|ai)\s+(?:plus|pas)"
    r"|(?:j\s*)?ai\s+perdu|perdu\s+(?:la|ma|le|mon)|oublie\s+(?:la|ma|le|mon)|pas\s+de\s+(?:ref|code)"
    r"|sans\s+(?:la\s+|ma\s+)?(?:ref|code)|supprime\s+(?:le\s+|l\s+)?(?:mail|e\s*mail|message)"
    r"|(?:niet|nie|ni)\s+meer|kwijt|vergeten|verloren|geen\s+(?:referentie|code|nummer)"
    r"|zonder\s+(?:de\s+|mijn\s+)?(?:referentie|code)|weet\s+(?:de\s+|mijn\s+)?(?:referentie|code)\s+niet"
    r"|vind\s+(?:de\s+|mijn\s+|ze\s+|hem\s+|het\s+)?(?:referentie\s+|code\s+)?niet)"
)
_ABOUT_REFERENCE = re.compile(
    r"\b(?:ref|reference|references|code|numero|num|referentie|nummer|mail|e mail|bericht"
    r"|message|confirmation|bevestiging|la|le|l|de|ze|hem|het)\b"
)


def says_reference_lost(said: str) -> bool:
    """True when the candidate says they no longer have the reference."""
    words = " ".join(re.sub(r"['’`-]", " ", fold(said)).split())
    return bool(_LOST.search(words)) and bool(_ABOUT_REFERENCE.search(words))


def references_sent(bot_texts: Iterable[str]) -> int:
    """How many times this conversation already sent references by e-mail.

    Counted from what the assistant said (its "sent" message, in either language), not from a
    slot: a slot is cleared when the cancellation form ends, and a candidate starting the form
    again must not get a fresh allowance (no mail bombing through restarts).
    """
    sent = {text(language, "sessions.lookup.sent") for language in ("fr", "nl")}
    return sum(1 for said in bot_texts if said in sent)


def upcoming_bookings(
    engine: Engine, email: str, now: dt.datetime
) -> list[tuple[Booking, InfoSession]]:
    """The bookings made with ``email`` that are not cancelled, for sessions not yet begun."""
    with transaction(engine) as conn:
        found = []
        for booking in bookings_for_candidate(conn, email=email):
            if booking.cancelled or not booking.email:
                continue
            session = get_session(conn, booking.session_id)
            if session.status != "cancelled" and session.starts_at > now:
                found.append((booking, session))
        return found


def references_email(
    bookings: list[tuple[Booking, InfoSession]], *, sender: str, public_url: str
) -> EmailMessage:
    """One e-mail listing the bookings (all made with the same address) and their references."""
    first = bookings[0][0]
    language = first.language
    lines = [
        text(language, "email.references.line").format(
            reference=booking.reference,
            ics_url=ics_url(public_url, booking.reference),
            **session_texts.session_details(session, language),
        )
        for booking, session in bookings
    ]
    paragraphs = [
        text(language, "email.greeting").format(name=first.candidate_name),
        text(language, "email.references.intro"),
        "\n\n".join(lines),
        text(language, "email.references.cancel"),
        text(language, "email.footer").format(privacy_url=privacy_url(public_url)),
    ]
    message = EmailMessage()
    message["Subject"] = text(language, "email.subject.references")
    message["From"] = sender
    message["To"] = formataddr((first.candidate_name, str(first.email)))
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content("\n\n".join(paragraphs))
    message["Content-Language"] = language  # after set_content, which drops Content-* headers
    return message


def send_references(
    engine: Engine, mailer: Mailer, public_url: str, email: str, now: dt.datetime
) -> bool:
    """E-mail the references of the upcoming bookings made with ``email`` to that address;
    False when there is none or the message could not be sent (the caller says the same
    thing either way)."""
    bookings = upcoming_bookings(engine, email, now)
    if not bookings:
        return False
    message = references_email(bookings, sender=mailer.sender, public_url=public_url)
    return mailer.deliver(message, about=f"references e-mail ({len(bookings)} bookings)")
