"""Job alerts through the real assistant and the trained model, with the local SMTP server:
the button under the results and the phrases in both languages, consent, the address, the
confirmation e-mail, "no", and "stop mes alertes"."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from typing import Any

import pytest

from bot import messages
from tests.e2e.conftest import Assistant
from tests.e2e.test_conversations import say, tracker
from tests.smtp_server import SmtpServer, smtp_server
from tests.support.launcher import start_assistant, stop_assistant

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def smtp() -> Iterator[SmtpServer]:
    with smtp_server() as server:
        yield server


@pytest.fixture(scope="module")
def mailing_assistant(
    tmp_path_factory: pytest.TempPathFactory, smtp: SmtpServer
) -> Iterator[Assistant]:
    env = {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp.port),
        "SMTP_SECURITY": "none",
        "SMTP_FROM": "alertes@assistant.example.be",
        "ALERT_SEND_INTERVAL": "0",
    }
    try:
        started = start_assistant(tmp_path_factory.mktemp("var-alerts"), env)
    except RuntimeError as exc:
        pytest.fail(str(exc))
    yield started
    stop_assistant(started)


def _texts(replies: list[dict[str, Any]]) -> str:
    return "\n".join(str(r.get("text", "")) for r in replies)


def _payloads(replies: list[dict[str, Any]]) -> list[str]:
    return [str(b.get("payload")) for r in replies for b in r.get("buttons") or []]


def test_the_button_under_the_results_subscribes_with_consent_and_double_opt_in(
    mailing_assistant: Assistant, smtp: SmtpServer
) -> None:
    sender = f"e2e-alert-{secrets.token_hex(6)}"
    results = say(mailing_assistant, sender, "je cherche un poste de soudeur près de Courtrai")
    assert "/subscribe_alert" in _payloads(results), results
    consent = say(mailing_assistant, sender, "/subscribe_alert")
    assert "Êtes-vous d'accord ?" in _texts(consent), consent
    asked = say(mailing_assistant, sender, "oui")
    assert messages.text("fr", "alerts.chat.ask_email") in _texts(asked), asked
    before = len(smtp.received)
    done = say(mailing_assistant, sender, "marie.dubois@orange.fr")
    assert "marie.dubois@orange.fr" in _texts(done) and "C'est noté" in _texts(done), done
    assert len(smtp.received) == before + 1
    body = smtp.received[-1].message.get_body(("plain",)).get_content()
    assert re.search(r"/alerts/confirm/\d+\.confirm\.\S+", body)
    stopped = say(mailing_assistant, sender, "stop mes alertes")
    assert messages.text("fr", "alerts.chat.stopped") in _texts(stopped), stopped
    assert "@" not in _texts(stopped)


@pytest.mark.parametrize(
    "search, ask, no, stop",
    [
        ("lasser in Kortrijk", "stuur me nieuwe vacatures", "nee", "stop mijn meldingen"),
        ("soudeur à Courtrai", "envoie-moi les offres par mail", "non", "stop mes alertes"),
    ],
)
def test_the_phrases_ask_for_consent_and_no_creates_nothing(
    mailing_assistant: Assistant, search: str, ask: str, no: str, stop: str
) -> None:
    sender = f"e2e-alert-{secrets.token_hex(6)}"
    say(mailing_assistant, sender, search)
    consent = say(mailing_assistant, sender, ask)
    assert "/affirm" in _payloads(consent), consent
    assert tracker(mailing_assistant, sender)["active_loop"].get("name") == "alert_form"
    language = "nl" if no == "nee" else "fr"
    refused = say(mailing_assistant, sender, no)
    assert tracker(mailing_assistant, sender)["active_loop"].get("name") is None, refused
    nothing = say(mailing_assistant, sender, stop)
    assert messages.text(language, "alerts.chat.none") in _texts(nothing), nothing
