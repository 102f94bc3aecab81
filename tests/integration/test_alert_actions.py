"""The job alert actions with a real Tracker, a CollectingDispatcher, a real SQLite database
and the local SMTP server."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.engine import Engine

from actions._base import Services
from actions.alerts import (
    ActionAskAlertConsent,
    ActionStartAlert,
    ActionStopAlerts,
    ActionSubscribeAlert,
    ValidateAlertForm,
    saved_search,
)
from bot import alerts
from bot.alerts.subscriptions import SavedSearch
from bot.config import Settings
from bot.mailer import Mailer
from bot.messages import text
from bot.storage import db, migrate
from tests.conftest import make_tracker
from tests.smtp_server import SmtpServer

SEARCHED = {"language": "fr", "occupation": "welder", "location": "be-kortrijk"}


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    migrate.upgrade(url)
    engine = db.make_engine(url)
    yield engine
    engine.dispose()


def _services(engine: Engine, tmp_path: Path, port: int | None) -> Services:
    env = {"BOT_PUBLIC_URL": "https://emploi.example.org", "BOT_VAR_DIR": str(tmp_path)}
    if port is not None:
        env |= {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port), "SMTP_SECURITY": "none",
                "SMTP_FROM": "alertes@emploi.example.org"}  # fmt: skip
    settings = Settings.from_env(env)
    return Services(settings, engine, Mailer.from_settings(settings))


async def _run(action: Any, tracker: Tracker) -> tuple[list[dict[str, Any]], list[Any]]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, {})
    return dispatcher.messages, events


async def test_an_alert_needs_a_search_first(engine: Engine, tmp_path: Path, smtp) -> None:
    tracker = make_tracker("prévenez-moi des nouvelles offres", "subscribe_alert",
                           slots={"language": "fr"})  # fmt: skip
    messages, events = await _run(ActionStartAlert(_services(engine, tmp_path, smtp.port)), tracker)
    assert messages[0]["text"] == text("fr", "alerts.chat.no_search")
    assert events == []


async def test_without_e_mail_the_form_does_not_start(engine: Engine, tmp_path: Path) -> None:
    tracker = make_tracker("stuur me nieuwe vacatures", "subscribe_alert",
                           slots={**SEARCHED, "language": "nl"})  # fmt: skip
    messages, events = await _run(ActionStartAlert(_services(engine, tmp_path, None)), tracker)
    assert messages[0]["text"] == text("nl", "alerts.chat.no_email")
    assert events == []


async def test_after_a_search_consent_is_asked_with_the_search(
    engine: Engine, tmp_path: Path, smtp: SmtpServer
) -> None:
    services = _services(engine, tmp_path, smtp.port)
    tracker = make_tracker("/subscribe_alert", "subscribe_alert", slots=SEARCHED)
    _messages, events = await _run(ActionStartAlert(services), tracker)
    assert FollowupAction("alert_form") in events
    messages, _ = await _run(ActionAskAlertConsent(services), tracker)
    assert "Soudeur / Soudeuse à 30 km de Courtrai" in messages[0]["text"]
    assert "https://emploi.example.org/fr/privacy" in messages[0]["text"]
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/affirm", "/deny"]


def test_the_address_is_validated_as_in_the_booking_form() -> None:
    validate = ValidateAlertForm()
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("marie@gmial.com", "inform", slots={"language": "fr"})
    refused = validate.validate_alert_email("marie@gmial.com", dispatcher, tracker, {})
    assert refused["alert_email"] is None and "gmail.com" in dispatcher.messages[0]["text"]
    ok = validate.validate_alert_email(" Marie.Dubois@Orange.fr ", dispatcher, tracker, {})
    assert ok == {"alert_email": "marie.dubois@orange.fr"}


async def test_subscribing_sends_the_confirmation_and_stop_ends_this_conversations_alerts(
    engine: Engine, tmp_path: Path, smtp: SmtpServer
) -> None:
    services = _services(engine, tmp_path, smtp.port)
    slots = {**SEARCHED, "alert_consent": True, "alert_email": "marie.dubois@orange.fr"}
    tracker = make_tracker("marie.dubois@orange.fr", "inform", slots=slots, sender_id="conv-1")
    messages, events = await _run(ActionSubscribeAlert(services), tracker)
    assert (
        messages[0]["text"].startswith("C'est noté.")
        and "marie.dubois@orange.fr" in (messages[0]["text"])
    )
    assert SlotSet("alert_email", None) in events
    assert len(smtp.received) == 1 and re.search(r"/alerts/confirm/\S+", _body(smtp))
    # Someone else's conversation cannot stop it, and sees no address.
    other = make_tracker("stop mes alertes", "stop_alerts", slots={"language": "fr"},
                         sender_id="conv-2")  # fmt: skip
    messages, _ = await _run(ActionStopAlerts(services), other)
    assert messages[0]["text"] == text("fr", "alerts.chat.none")
    mine = make_tracker("stop mes alertes", "stop_alerts", slots={"language": "fr"},
                        sender_id="conv-1")  # fmt: skip
    messages, _ = await _run(ActionStopAlerts(services), mine)
    assert messages[0]["text"].startswith(text("fr", "alerts.chat.stopped"))
    assert "Soudeur / Soudeuse à 30 km de Courtrai" in messages[0]["text"]
    assert "@" not in messages[0]["text"]
    with db.reading(engine) as conn:
        assert alerts.for_conversation(conn, "conv-1") == []


def _body(server: SmtpServer) -> str:
    return str(server.received[-1].message.get_body(("plain",)).get_content())


def test_the_alert_keeps_every_occupation_and_the_area_of_the_search() -> None:
    """ "soudeur ou cuisinier près de Courtrai, seulement en Belgique", as the search's slots
    hold it: the alert looks for what the candidate was shown."""
    slots = {
        **SEARCHED,
        "vacancy_occupations": ["welder", "cook"],
        "vacancy_area": "country:BE",
    }
    search = saved_search(make_tracker("prévenez-moi", "subscribe_alert", slots=slots))
    assert search is not None
    assert search.occupation_ids == ("welder", "cook") and search.area == "country:BE"
    # A country asked is ranked by distance without a radius, as the search does.
    assert search.radius_km is None
    assert saved_search(make_tracker("ok", "affirm", slots=SEARCHED)) == SavedSearch(
        "welder", "be-kortrijk", 30.0
    )
    assert saved_search(make_tracker("ok", "affirm", slots={"language": "fr"})) is None
