"""E-mail double opt-in of chat bookings (issue 22): with SMTP configured the booking is held
until the candidate opens the e-mail's link on the website and confirms; a hold that runs out
frees the seat for the waiting list; without SMTP nothing changes.

The real booking action, a real SMTP server (tests/smtp_server.py) and the real website
(aiohttp's client against ``create_app``), on SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from markupsafe import escape
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import update
from sqlalchemy.engine import Engine

from actions._base import Services
from actions.sessions import ActionBookInfoSession
from bot import sessions
from bot.config import Settings
from bot.console import session_admin
from bot.mailer import Mailer
from bot.messages import text
from bot.storage import db
from bot.storage.sessions import session_bookings
from bot.web.app import create_app
from tests.conftest import make_tracker
from tests.factories import booking_fields, make_info_session
from tests.smtp_server import SmtpServer

PUBLIC_URL = "https://assistant.example.be"
LINK = re.compile(r"https://assistant\.example\.be(/(fr|nl)/bookings/confirm/[A-Za-z0-9_-]+)")


def _settings(tmp_path: Path, database_url: str, smtp_port: int | None) -> Settings:
    env = {"BOT_PUBLIC_URL": PUBLIC_URL, "DATABASE_URL": database_url, "BOT_WEB_PORT": "8999"}
    if smtp_port is not None:
        env |= {
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(smtp_port),
            "SMTP_SECURITY": "none",
            "SMTP_FROM": "sessions@assistant.example.be",
            "SMTP_TIMEOUT": "5",
        }
    return Settings.from_env(env)


async def _book_in_chat(
    settings: Settings, engine: Engine, session_id: int, n: int, language: str = "fr"
) -> list[dict[str, Any]]:
    slots = {
        "language": language,
        "session_id": str(session_id),
        "candidate_name": "Marie Dupont" if language == "fr" else "Lies Vandamme",
        "candidate_email": f"candidate{n}@assistant-test.be",
        "candidate_phone": "-",
        "booking_consent": True,
    }
    tracker = make_tracker("oui", "affirm", slots=slots, message_id=f"m{n}", sender_id=f"web-{n}")
    dispatcher = CollectingDispatcher()
    services = Services(settings, engine, Mailer.from_settings(settings))
    await ActionBookInfoSession(services).run(dispatcher, tracker, {})
    return dispatcher.messages


def _booking(engine: Engine, n: int) -> sessions.Booking:
    with db.reading(engine) as conn:
        (booking,) = sessions.bookings_for_candidate(conn, email=f"candidate{n}@assistant-test.be")
    return booking


def _link(smtp: SmtpServer, index: int = -1) -> str:
    body = smtp.received[index].message.get_body(("plain",))
    assert body is not None
    found = LINK.search(body.get_content())
    assert found, "no confirmation link in the e-mail"
    return found.group(1)


@pytest.mark.parametrize("language", ["fr", "nl"])
async def test_a_chat_booking_is_held_until_the_link_of_the_email_is_confirmed(
    aiohttp_client: Any,
    tmp_path: Path,
    database_url: str,
    engine: Engine,
    smtp: SmtpServer,
    language: str,
) -> None:
    settings = _settings(tmp_path, database_url, smtp.port)
    with db.transaction(engine) as conn:
        session = make_info_session(conn, capacity=1)
    messages = await _book_in_chat(settings, engine, session.id, 1, language)
    held = text(language, "sessions.held").format(minutes=30)
    assert [m.get("text") for m in messages] == [held]  # no reference in the chat yet
    booking = _booking(engine, 1)
    assert booking.held and booking.confirmed  # the seat is kept meanwhile
    # The consultants' attendee list says it waits for the candidate.
    csv_text = session_admin.attendee_csv([booking], language).decode("utf-8-sig")
    assert text(language, "console.sessions.booking_status.held") in csv_text
    (request,) = smtp.received
    assert request.message["Content-Language"] == language
    assert booking.reference not in request.data.decode()  # nothing to act on before
    link = _link(smtp)
    assert link.startswith(f"/{language}/")

    client: TestClient = await aiohttp_client(create_app(settings))
    page = await client.get(link)  # what a mail scanner does: it confirms nothing
    assert page.status == 200 and _booking(engine, 1).held
    assert page.headers["Referrer-Policy"] == "no-referrer"  # the token stays on this page
    assert str(escape(text(language, "web.booking_confirm.button"))) in await page.text()
    done = await client.post(link)
    assert done.status == 200
    assert booking.reference in await done.text()
    assert not _booking(engine, 1).held and _booking(engine, 1).confirmed
    # Then the usual confirmation, with the reference and the invite.
    confirmation = smtp.received[-1].message
    assert booking.reference in confirmation.get_body(("plain",)).get_content()
    assert any(part.get_filename() for part in confirmation.iter_attachments())
    # The link is worth one confirmation.
    again = await client.post(link)
    assert again.status == 404
    assert str(escape(text(language, "web.booking_confirm.unknown_title"))) in await again.text()


async def test_a_hold_that_runs_out_frees_the_seat_for_the_waiting_list(
    aiohttp_client: Any, tmp_path: Path, database_url: str, engine: Engine, smtp: SmtpServer
) -> None:
    settings = _settings(tmp_path, database_url, smtp.port)
    with db.transaction(engine) as conn:
        session = make_info_session(conn, capacity=1)
    await _book_in_chat(settings, engine, session.id, 1)  # someone else's address, say
    link = _link(smtp)
    await _book_in_chat(settings, engine, session.id, 2, "nl")  # waiting list
    waiting_link = _link(smtp)
    client: TestClient = await aiohttp_client(create_app(settings))
    assert (await client.post(waiting_link)).status == 200  # confirms the waiting place
    assert _booking(engine, 2).waitlisted and not _booking(engine, 2).held
    with db.transaction(engine) as conn:  # 30 minutes later
        past = sessions.now_utc() - dt.timedelta(seconds=1)
        conn.execute(
            update(session_bookings)
            .where(session_bookings.c.email == "candidate1@assistant-test.be")
            .values(hold_expires_at=past)
        )
    sent_before = len(smtp.received)
    assert sessions.expire_holds_and_notify(engine, Mailer.from_settings(settings), PUBLIC_URL) == 1
    assert _booking(engine, 1).cancelled
    assert _booking(engine, 2).confirmed  # promoted, as after a cancellation
    (promoted,) = smtp.received[sent_before:]
    assert promoted.recipients == ["candidate2@assistant-test.be"]
    late = await client.post(link)
    assert late.status == 404  # cancelled: the link leads nowhere any more
    assert sessions.expire_holds_and_notify(engine, None, PUBLIC_URL) == 0


async def test_the_website_expires_holds_on_its_own(
    aiohttp_client: Any, tmp_path: Path, database_url: str, engine: Engine, smtp: SmtpServer
) -> None:
    settings = _settings(tmp_path, database_url, smtp.port)
    with db.transaction(engine) as conn:
        session = make_info_session(conn, capacity=1)
    await _book_in_chat(settings, engine, session.id, 1)
    link = _link(smtp)
    with db.transaction(engine) as conn:
        conn.execute(
            update(session_bookings).values(
                hold_expires_at=sessions.now_utc() - dt.timedelta(seconds=1)
            )
        )
    client: TestClient = await aiohttp_client(create_app(settings))
    expired = await client.get(link)
    assert expired.status == 410  # too late, even before the sweep
    for _ in range(50):  # the website's background round, every 2 s
        if _booking(engine, 1).cancelled:
            break
        await asyncio.sleep(0.2)
    assert _booking(engine, 1).cancelled
    with db.reading(engine) as conn:
        assert sessions.get_session(conn, session.id).seats_taken == 0


async def test_a_held_booking_promoted_from_the_waiting_list_is_not_told_before_it_is_confirmed(
    tmp_path: Path, database_url: str, engine: Engine, smtp: SmtpServer
) -> None:
    settings = _settings(tmp_path, database_url, smtp.port)
    with db.transaction(engine) as conn:
        session = make_info_session(conn, capacity=1)
        seated = sessions.book(conn, session.id, **booking_fields(email="seated@example.be"))
    await _book_in_chat(settings, engine, session.id, 1)  # waiting, held, never confirmed
    sent_before = len(smtp.received)
    mailer = Mailer.from_settings(settings)
    sessions.cancel_and_notify(engine, mailer, PUBLIC_URL, seated.booking.reference)
    assert _booking(engine, 1).confirmed and _booking(engine, 1).held
    assert smtp.received[sent_before:] == []  # no reference to someone who never confirmed


async def test_without_smtp_a_chat_booking_is_confirmed_at_once(
    tmp_path: Path, database_url: str, engine: Engine
) -> None:
    settings = _settings(tmp_path, database_url, None)
    with db.transaction(engine) as conn:
        session = make_info_session(conn, capacity=1)
    messages = await _book_in_chat(settings, engine, session.id, 1)
    assert messages[0]["response"] == "utter_booking_confirmed"
    assert not _booking(engine, 1).held


async def test_a_confirmation_request_that_cannot_be_sent_keeps_the_booking(
    tmp_path: Path, database_url: str, engine: Engine
) -> None:
    from bot.ops.cli import free_port

    settings = _settings(tmp_path, database_url, free_port())  # nobody listens there
    with db.transaction(engine) as conn:
        session = make_info_session(conn, capacity=1)
    messages = await _book_in_chat(settings, engine, session.id, 1)
    assert messages[0]["response"] == "utter_booking_confirmed"
    assert not _booking(engine, 1).held and _booking(engine, 1).confirmed
