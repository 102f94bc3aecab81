"""Cancelling without the reference (issue 21, item 7): the references go by e-mail to the
address the candidate booked with, through a real SMTP server; never into the chat."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.engine import Engine

from actions._base import Services
from actions.session_cancel import FORM, ValidateCancelBookingForm
from bot import sessions
from bot.config import Settings
from bot.mailer import Mailer
from bot.messages import text
from bot.sessions.lookup import says_reference_lost
from bot.storage import db, migrate
from tests.conftest import make_tracker
from tests.factories import booking_fields, in_days, make_info_session
from tests.smtp_server import smtp_server

PUBLIC_URL = "https://emploi.example.be"


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path / 'cancel.db'}"
    migrate.upgrade(url)
    engine = db.make_engine(url)
    yield engine
    engine.dispose()


def _mailer(port: int) -> Mailer:
    settings = Settings.from_env(
        {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port), "SMTP_SECURITY": "none",
         "SMTP_FROM": "sessions@emploi-transfrontalier.eu", "SMTP_TIMEOUT": "5"}
    )  # fmt: skip
    mailer = Mailer.from_settings(settings)
    assert mailer is not None
    return mailer


def _services(engine: Engine, mailer: Mailer | None) -> Services:
    return Services(Settings.from_env({"BOT_PUBLIC_URL": PUBLIC_URL}), engine, mailer)


async def _say(
    services: Services,
    said: str,
    intent: str = "inform",
    language: str = "fr",
    history: list[dict[str, Any]] | None = None,
    **slots: Any,
) -> tuple[CollectingDispatcher, dict[str, Any]]:
    tracker = make_tracker(
        said, intent, slots={"language": language, "requested_slot": "booking_reference", **slots},
        active_loop=FORM, confidence=0.6, history=history,
    )  # fmt: skip
    dispatcher = CollectingDispatcher()
    events = await ValidateCancelBookingForm(services).run(dispatcher, tracker, {"forms": {
        FORM: {"required_slots": ["booking_reference", "cancel_confirmed"]}}})  # fmt: skip
    return dispatcher, {e["name"]: e["value"] for e in events if e["event"] == "slot"}


@pytest.mark.parametrize(
    "said",
    ["je sais plus la référence", "j'ai perdu le mail", "je ne la retrouve pas",
     "ik heb de code niet meer", "ik ben mijn referentie kwijt", "ik vind de mail niet meer"],
)  # fmt: skip
def test_a_lost_reference_is_understood(said: str) -> None:
    assert says_reference_lost(said)


@pytest.mark.parametrize("said", ["K7P2-QX9M", "oui", "annuler", "Jan Peeters"])
def test_other_answers_are_not_a_lost_reference(said: str) -> None:
    assert not says_reference_lost(said)


async def test_lost_reference_offers_the_email_or_a_consultant_and_keeps_the_form(
    engine: Engine,
) -> None:
    with smtp_server() as server:
        # "niet meer" may read as deny: the form takes it all the same.
        dispatcher, slots = await _say(
            _services(engine, _mailer(server.port)), "ik heb de code niet meer", "deny",
            language="nl",
        )  # fmt: skip
    [offer] = dispatcher.messages
    assert offer["text"] == text("nl", "sessions.lookup.offer_email")
    assert [b["payload"] for b in offer["buttons"]] == ["/ask_human"]
    assert slots == {"booking_reference": None}  # asked again: a reference or an address
    assert server.received == []


async def test_the_references_go_to_the_address_booked_with_never_into_the_chat(
    engine: Engine,
) -> None:
    with db.transaction(engine) as conn:
        soon = make_info_session(conn, starts_at=in_days(10))
        later = make_info_session(conn, starts_at=in_days(20), place_id="be-tournai",
                                  venue="Le Forem Tournai")  # fmt: skip
        mine = sessions.book(conn, soon.id, **booking_fields(
            name="Jan Peeters", email="jan.peeters@telenet.be", language="nl")).booking  # fmt: skip
        second = sessions.book(conn, later.id, **booking_fields(
            name="Jan Peeters", email="Jan.Peeters@telenet.be", language="nl")).booking  # fmt: skip
        third = make_info_session(conn, starts_at=in_days(30))
        dropped = sessions.book(conn, third.id, **booking_fields(
            name="Jan Peeters", email="jan.peeters@telenet.be", language="nl")).booking  # fmt: skip
        sessions.cancel(conn, dropped.reference)
        other = sessions.book(conn, soon.id, **booking_fields(email="els@skynet.be")).booking
    with smtp_server() as server:
        dispatcher, slots = await _say(
            _services(engine, _mailer(server.port)),
            "mijn e-mail is jan.peeters@telenet.be", language="nl",
        )  # fmt: skip
    chat = " ".join(str(m.get("text")) for m in dispatcher.messages)
    assert chat == text("nl", "sessions.lookup.sent")
    assert slots["requested_slot"] is None and slots["booking_reference"] is None
    [received] = server.received
    assert received.recipients == ["jan.peeters@telenet.be"]
    body = received.message.get_content()
    assert mine.reference in body and second.reference in body
    assert dropped.reference not in body and other.reference not in body
    assert received.message["Content-Language"] == "nl"
    for reference in (mine.reference, second.reference):
        assert reference not in chat


async def test_an_address_without_bookings_gets_the_same_answer_and_no_mail(
    engine: Engine,
) -> None:
    with smtp_server() as server:
        dispatcher, _ = await _say(_services(engine, _mailer(server.port)), "personne@inconnu.fr")
    assert [m["text"] for m in dispatcher.messages] == [text("fr", "sessions.lookup.sent")]
    assert server.received == []


async def test_without_email_configured_a_consultant_is_offered(engine: Engine) -> None:
    dispatcher, slots = await _say(_services(engine, None), "je sais plus la référence")
    [offer] = dispatcher.messages
    assert offer["text"] == text("fr", "sessions.lookup.offer_consultant")
    assert [b["payload"] for b in offer["buttons"]] == ["/ask_human"]
    assert slots["requested_slot"] is None  # the form ends; the button hands over


async def test_the_email_limit_holds_for_the_conversation_not_for_one_run_of_the_form(
    engine: Engine,
) -> None:
    """Three reference e-mails sent in earlier runs of the form (its slots since cleared):
    starting the form again does not allow a fourth; a consultant is offered instead."""
    with db.transaction(engine) as conn:
        soon = make_info_session(conn, starts_at=in_days(10))
        sessions.book(conn, soon.id, **booking_fields(email="jan.peeters@telenet.be"))
    sent = {"event": "bot", "text": text("nl", "sessions.lookup.sent")}
    with smtp_server() as server:
        mailer = _mailer(server.port)
        for earlier in range(3):
            dispatcher, _ = await _say(
                _services(engine, mailer), "jan.peeters@telenet.be", language="nl",
                history=[sent] * earlier, cancel_attempts=None,
            )  # fmt: skip
            assert [m["text"] for m in dispatcher.messages] == [text("nl", "sessions.lookup.sent")]
        dispatcher, slots = await _say(
            _services(engine, mailer), "jan.peeters@telenet.be", language="nl",
            history=[sent] * 3, cancel_attempts=None,
        )  # fmt: skip
    assert len(server.received) == 3
    [offer] = dispatcher.messages
    assert offer["text"] == text("nl", "sessions.lookup.offer_consultant")
    assert slots["requested_slot"] is None
