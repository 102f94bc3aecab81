"""Confirmation and promotion e-mails through a real SMTP server; a mail failure never loses
a booking."""

from __future__ import annotations

import logging

import pytest
from icalendar import Calendar
from sqlalchemy.engine import Engine

from bot import privacy, sessions
from bot.config import Settings
from bot.mailer import Mailer
from bot.ops.cli import free_port
from bot.sessions import use_cases as session_mail
from bot.storage import db
from tests.factories import booking_fields, make_info_session
from tests.smtp_server import smtp_server

PUBLIC_URL = "https://assistant.example.be"


def _mailer(port: int) -> Mailer:
    settings = Settings.from_env(
        {
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(port),
            "SMTP_SECURITY": "none",
            "SMTP_FROM": "sessions@assistant.example.be",
            "SMTP_TIMEOUT": "5",
        }
    )
    mailer = Mailer.from_settings(settings)
    assert mailer is not None
    return mailer


def _session(engine: Engine, **overrides) -> sessions.InfoSession:  # type: ignore[no-untyped-def]
    with db.transaction(engine) as conn:
        return make_info_session(conn, **overrides)


def _book(engine: Engine, mailer: Mailer | None, session_id: int, **fields):  # type: ignore[no-untyped-def]
    return session_mail.book_and_confirm(
        engine, mailer, PUBLIC_URL, session_id, **booking_fields(**fields)
    )


def test_confirmation_is_sent_in_the_candidates_language_with_the_invite(engine: Engine) -> None:
    session = _session(engine)
    with smtp_server() as server:
        result, sent = _book(
            engine, _mailer(server.port), session.id, name="Jan Peeters",
            email="jan.peeters@telenet.be", language="nl",
        )  # fmt: skip
    assert sent and len(server.received) == 1
    received = server.received[0]
    assert received.recipients == ["jan.peeters@telenet.be"]
    message = received.message
    assert message["Content-Language"] == "nl"  # was dropped by set_content
    # A long subject is folded onto a second line; the parser keeps the folding space.
    assert message["Subject"].strip() == (
        "Inschrijving bevestigd: Belastingen en sociale zekerheid voor grensarbeiders"
    )
    assert message["To"] == "Jan Peeters <jan.peeters@telenet.be>"
    body = message.get_body(("plain",)).get_content()
    reference = result.booking.reference
    assert body.startswith("Dag Jan Peeters,")
    assert reference in body and f"{PUBLIC_URL}/ics/{reference}.ics" in body
    assert "VDAB Kortrijk (adres nog te bevestigen)" in body and "tweetalig FR/NL" in body
    assert f"{PUBLIC_URL}/privacy" in body
    [invite] = [part for part in message.iter_attachments()]
    assert invite.get_content_type() == "text/calendar"
    assert invite.get_filename() == f"{reference}.ics"
    event = Calendar.from_ical(invite.get_content()).walk("VEVENT")[0]
    assert str(event["summary"]).startswith("Belastingen")


def test_waiting_list_email_gives_the_position(engine: Engine) -> None:
    session = _session(engine, capacity=1)
    _book(engine, None, session.id)
    with smtp_server() as server:
        result, sent = _book(engine, _mailer(server.port), session.id, language="fr")
    assert sent and result.waitlisted
    message = server.received[0].message
    assert message["Subject"].strip().startswith("Liste d'attente : ")
    assert "position 1" in message.get_body(("plain",)).get_content()


def test_repeated_message_sends_no_second_email(engine: Engine) -> None:
    session = _session(engine)
    with smtp_server() as server:
        mailer = _mailer(server.port)
        first, _ = _book(engine, mailer, session.id, n=41)
        again, sent_again = _book(engine, mailer, session.id, n=41)
    assert again.booking.id == first.booking.id and not sent_again
    assert len(server.received) == 1


def test_unreachable_mail_server_keeps_the_booking(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    session = _session(engine)
    with caplog.at_level(logging.WARNING, logger="bot.mailer"):
        result, sent = _book(engine, _mailer(free_port()), session.id, email="els@skynet.be")
    assert not sent
    with db.transaction(engine) as conn:
        stored = sessions.find_booking(conn, result.booking.reference)
    assert stored.confirmed and stored.email == "els@skynet.be"
    assert f"confirmed e-mail of booking {result.booking.id} not sent" in caplog.text
    assert "els" not in caplog.text and "Marie" not in caplog.text


def test_refused_message_keeps_the_booking(engine: Engine) -> None:
    session = _session(engine)
    with smtp_server(refuse=True) as server:
        result, sent = _book(engine, _mailer(server.port), session.id)
    assert not sent and server.received == []
    with db.transaction(engine) as conn:
        assert sessions.find_booking(conn, result.booking.reference).confirmed


def test_promoted_candidate_is_told_by_email(engine: Engine) -> None:
    session = _session(engine, capacity=1)
    seated, _ = _book(engine, None, session.id)
    waiting, _ = _book(engine, None, session.id, email="lies.vandamme@telenet.be", language="nl")
    with smtp_server() as server:
        result = session_mail.cancel_and_notify(
            engine, _mailer(server.port), PUBLIC_URL, seated.booking.reference
        )
    assert result.promoted is not None and result.promoted.id == waiting.booking.id
    [received] = server.received
    assert received.recipients == ["lies.vandamme@telenet.be"]
    assert received.message["Subject"].strip().startswith("Er is een plaats vrijgekomen: ")
    assert "nu bevestigd" in received.message.get_body(("plain",)).get_content()


def test_cancelled_session_emails_its_candidates(engine: Engine) -> None:
    session = _session(engine, capacity=1)
    _book(engine, None, session.id)
    _book(engine, None, session.id)
    with smtp_server() as server:
        cancelled, count, sent = session_mail.cancel_session_and_notify(
            engine, _mailer(server.port), PUBLIC_URL, session.id, actor="test"
        )
    assert (cancelled.status, count, sent, len(server.received)) == ("cancelled", 2, 2, 2)
    assert all(r.message["Subject"].strip().startswith("Séance annulée") for r in server.received)


def test_demo_candidates_never_receive_mail(engine: Engine) -> None:
    session = _session(engine)
    with smtp_server() as server:
        _, sent = _book(engine, _mailer(server.port), session.id, email="demo.01@example.org")
    assert not sent and server.received == []


def test_erasing_a_candidate_tells_whoever_gets_the_freed_seat(engine: Engine) -> None:
    session = _session(engine, capacity=1)
    seated, _ = _book(engine, None, session.id, email="wis.mij@example.org")
    waiting, _ = _book(engine, None, session.id, email="lies.vandamme@telenet.be", language="nl")
    query = privacy.CandidateQuery.of(email="wis.mij@example.org")
    with smtp_server() as server:
        report = privacy.erase_and_notify(engine, _mailer(server.port), PUBLIC_URL, query, "test")
    assert report.counts["session_bookings"] == 1
    assert [booking.id for booking in report.promoted] == [waiting.booking.id]
    [received] = server.received
    assert received.recipients == ["lies.vandamme@telenet.be"]
    assert received.message["Subject"].strip().startswith("Er is een plaats vrijgekomen: ")
    with db.transaction(engine) as conn:
        assert sessions.find_booking(conn, waiting.booking.reference).confirmed
        assert sessions.find_booking(conn, seated.booking.reference).email != "wis.mij@example.org"
