"""Telegram, Messenger and WhatsApp (Twilio) webhooks against the real running assistant.

Requests are shaped as each platform sends them (JSON update, JSON page event, form
POST); replies go to the local fake platform, and the tracker shows what reached the bot.
"""

from __future__ import annotations

import json
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable

import pytest

from bot import handoff, messages
from bot.channels.signatures import facebook_signature, twilio_signature
from bot.config import Settings
from tests.e2e.conftest import TWILIO_PUBLIC_URL, channel_env
from tests.support.fake_platform import Call, FakePlatform
from tests.support.launcher import Assistant

pytestmark = pytest.mark.e2e
SETTLE_S = 3  # time for a (wrongly) accepted update to reach the tracker


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _env(platform: FakePlatform, name: str) -> str:
    return channel_env(platform.url)[name]


# ---- Telegram ---------------------------------------------------------------------


def _telegram_update(chat_id: int, text: str, update_id: int | None = None) -> bytes:
    update = {
        "update_id": update_id or secrets.randbelow(10**9),
        "message": {
            "message_id": secrets.randbelow(10**6),
            "from": {"id": chat_id, "is_bot": False, "first_name": "Test", "language_code": "nl"},
            "chat": {"id": chat_id, "first_name": "Test", "type": "private"},
            "date": int(time.time()),
            "text": text,
        },
    }
    return json.dumps(update).encode()


def _telegram(assistant: Assistant, body: bytes, secret: str | None) -> tuple[int, str]:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    return _post(f"{assistant.rasa_url}/webhooks/telegram/webhook", body, headers)


def _sent_to_chat(chat_id: int) -> Callable[[Call], bool]:
    return lambda call: call.platform == "telegram" and call.fields.get("chat_id") == str(chat_id)


def test_telegram_update_with_the_secret_reaches_the_bot(
    assistant: Assistant, platform: FakePlatform
) -> None:
    chat_id = secrets.randbelow(10**9) + 1
    body = _telegram_update(chat_id, "Goeiedag, is daar iemand?")
    status, _ = _telegram(assistant, body, _env(platform, "TELEGRAM_WEBHOOK_SECRET"))
    assert status == 200
    sent = platform.wait_for(_sent_to_chat(chat_id))
    assert sent and sent[0].path == "sendMessage"
    assert "assistent" in sent[0].fields["text"]  # the Dutch greeting
    assert assistant.user_texts(str(chat_id), at_least=1) == ["Goeiedag, is daar iemand?"]


@pytest.mark.parametrize("secret, expected", [(None, 401), ("not-the-secret", 403), ("", 403)])
def test_telegram_update_without_the_secret_is_refused(
    assistant: Assistant, platform: FakePlatform, secret: str | None, expected: int
) -> None:
    chat_id = secrets.randbelow(10**9) + 1
    status, _ = _telegram(assistant, _telegram_update(chat_id, "bonjour"), secret)
    assert status == expected
    time.sleep(SETTLE_S)
    assert assistant.user_texts(str(chat_id)) == []
    assert platform.wait_for(_sent_to_chat(chat_id), timeout=0) == []


def test_telegram_redelivered_update_is_processed_once(
    assistant: Assistant, platform: FakePlatform
) -> None:
    chat_id = secrets.randbelow(10**9) + 1
    body = _telegram_update(chat_id, "bonjour, je cherche du travail")
    secret = _env(platform, "TELEGRAM_WEBHOOK_SECRET")
    assert [_telegram(assistant, body, secret)[0] for _ in range(3)] == [200, 200, 200]
    platform.wait_for(_sent_to_chat(chat_id))
    time.sleep(SETTLE_S)
    assert assistant.user_texts(str(chat_id), at_least=1) == ["bonjour, je cherche du travail"]


def test_telegram_button_click_sends_its_payload(
    assistant: Assistant, platform: FakePlatform
) -> None:
    chat_id = secrets.randbelow(10**9) + 1
    click = {
        "update_id": secrets.randbelow(10**9),
        "callback_query": {
            "id": str(secrets.randbelow(10**12)),
            "from": {"id": chat_id, "is_bot": False, "first_name": "Test"},
            "message": {
                "message_id": 7,
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private"},
                "text": "…",
            },
            "chat_instance": "1",
            "data": "/ask_human",
        },
    }
    body = json.dumps(click).encode()
    assert _telegram(assistant, body, _env(platform, "TELEGRAM_WEBHOOK_SECRET"))[0] == 200
    assert platform.wait_for(_sent_to_chat(chat_id))
    acknowledged = platform.wait_for(lambda c: c.path == "answerCallbackQuery")
    assert any(c.fields["callback_query_id"] == click["callback_query"]["id"] for c in acknowledged)
    assistant.user_texts(str(chat_id), at_least=1)
    events = assistant.tracker(str(chat_id))["events"]
    intents = [e["parse_data"]["intent"]["name"] for e in events if e["event"] == "user"]
    assert intents == ["ask_human"]


# ---- Facebook Messenger -----------------------------------------------------------


def _facebook_event(psid: str, text: str, mid: str | None = None) -> bytes:
    now = int(time.time() * 1000)
    payload = {
        "object": "page",
        "entry": [
            {
                "id": "109999999999999",
                "time": now,
                "messaging": [
                    {
                        "sender": {"id": psid},
                        "recipient": {"id": "109999999999999"},
                        "timestamp": now,
                        "message": {"mid": mid or f"m_{secrets.token_hex(16)}", "text": text},
                    }
                ],
            }
        ],
    }
    return json.dumps(payload, separators=(",", ":")).encode()


def _facebook(assistant: Assistant, body: bytes, signature: str | None) -> tuple[int, str]:
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["X-Hub-Signature-256"] = signature
    return _post(f"{assistant.rasa_url}/webhooks/facebook/webhook", body, headers)


def _sent_to_psid(psid: str) -> Callable[[Call], bool]:
    return lambda call: call.platform == "facebook" and call.fields["recipient"]["id"] == psid


def test_facebook_signed_event_reaches_the_bot(
    assistant: Assistant, platform: FakePlatform
) -> None:
    psid = str(secrets.randbelow(10**15))
    body = _facebook_event(psid, "Bonjour, je cherche du travail en Belgique")
    signature = facebook_signature(_env(platform, "FACEBOOK_APP_SECRET"), body)
    assert _facebook(assistant, body, signature) == (200, "EVENT_RECEIVED")
    sent = platform.wait_for(_sent_to_psid(psid))
    assert sent and sent[0].query["access_token"] == _env(platform, "FACEBOOK_PAGE_ACCESS_TOKEN")
    assert sent[0].fields["messaging_type"] == "RESPONSE" and sent[0].fields["message"]["text"]
    assert assistant.user_texts(psid, at_least=1) == ["Bonjour, je cherche du travail en Belgique"]


@pytest.mark.parametrize("kind, expected", [("missing", 401), ("wrong", 403), ("other", 403)])
def test_facebook_badly_signed_event_is_refused(
    assistant: Assistant, platform: FakePlatform, kind: str, expected: int
) -> None:
    psid = str(secrets.randbelow(10**15))
    body = _facebook_event(psid, "Bonjour")
    signature = {
        "missing": None,
        "wrong": facebook_signature("not-the-app-secret", body),
        # Signed, then changed in transit.
        "other": facebook_signature(_env(platform, "FACEBOOK_APP_SECRET"), body + b" "),
    }[kind]
    assert _facebook(assistant, body, signature)[0] == expected
    time.sleep(SETTLE_S)
    assert assistant.user_texts(psid) == []
    assert platform.wait_for(_sent_to_psid(psid), timeout=0) == []


def test_facebook_redelivered_message_is_processed_once(
    assistant: Assistant, platform: FakePlatform
) -> None:
    psid = str(secrets.randbelow(10**15))
    body = _facebook_event(psid, "Dag, ik zoek werk in Frankrijk")
    signature = facebook_signature(_env(platform, "FACEBOOK_APP_SECRET"), body)
    assert [_facebook(assistant, body, signature)[0] for _ in range(2)] == [200, 200]
    platform.wait_for(_sent_to_psid(psid))
    time.sleep(SETTLE_S)
    assert assistant.user_texts(psid, at_least=1) == ["Dag, ik zoek werk in Frankrijk"]


def test_facebook_subscription_check(assistant: Assistant, platform: FakePlatform) -> None:
    query = {
        "hub.mode": "subscribe",
        "hub.verify_token": _env(platform, "FACEBOOK_VERIFY_TOKEN"),
        "hub.challenge": "1158201444",
    }
    url = f"{assistant.rasa_url}/webhooks/facebook/webhook?{urllib.parse.urlencode(query)}"
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.read() == b"1158201444"
    query["hub.verify_token"] = "guess"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{url.split('?')[0]}?{urllib.parse.urlencode(query)}", timeout=10)
    assert refused.value.code == 403


# ---- Twilio (WhatsApp) ------------------------------------------------------------


def _twilio_form(sender: str, text: str, sid: str | None = None) -> list[tuple[str, str]]:
    sid = sid or f"SM{secrets.token_hex(16)}"
    return [
        ("SmsMessageSid", sid),
        ("NumMedia", "0"),
        ("ProfileName", "Test"),
        ("MessageType", "text"),
        ("SmsSid", sid),
        ("WaId", sender.removeprefix("whatsapp:+")),
        ("SmsStatus", "received"),
        ("Body", text),
        ("To", "whatsapp:+14155238886"),
        ("NumSegments", "1"),
        ("ReferralNumMedia", "0"),
        ("MessageSid", sid),
        ("AccountSid", "AC00000000000000000000000000000000"),
        ("From", sender),
        ("ApiVersion", "2010-04-01"),
    ]


def _twilio(assistant: Assistant, form: list[tuple[str, str]], signature: str | None) -> int:
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if signature is not None:
        headers["X-Twilio-Signature"] = signature
    url = f"{assistant.rasa_url}/webhooks/twilio/webhook"
    return _post(url, urllib.parse.urlencode(form).encode(), headers)[0]


def _signed(
    platform: FakePlatform, form: list[tuple[str, str]], url: str = TWILIO_PUBLIC_URL
) -> str:
    return twilio_signature(_env(platform, "TWILIO_AUTH_TOKEN"), url, form)


def _sender() -> str:
    return f"whatsapp:+3247{secrets.randbelow(10**7):07d}"


def _sent_to(sender: str) -> Callable[[Call], bool]:
    return lambda call: call.platform == "twilio" and call.fields.get("To") == sender


def test_twilio_signed_message_reaches_the_bot(
    assistant: Assistant, platform: FakePlatform
) -> None:
    sender = _sender()
    form = _twilio_form(sender, "Bonjour, je voudrais travailler en Flandre")
    assert _twilio(assistant, form, _signed(platform, form)) == 200
    sent = platform.wait_for(_sent_to(sender))
    assert sent and sent[0].fields["From"] == "whatsapp:+14155238886" and sent[0].fields["Body"]
    assert sent[0].authorization.startswith("Basic ")
    assert assistant.user_texts(sender, at_least=1) == [
        "Bonjour, je voudrais travailler en Flandre"
    ]


@pytest.mark.parametrize("kind, expected", [("missing", 401), ("token", 403), ("local", 403)])
def test_twilio_badly_signed_message_is_refused(
    assistant: Assistant, platform: FakePlatform, kind: str, expected: int
) -> None:
    sender = _sender()
    form = _twilio_form(sender, "Bonjour")
    signature = {
        "missing": None,
        "token": twilio_signature("not-the-auth-token", TWILIO_PUBLIC_URL, form),
        # Signed for the URL the server sees, not the public one Twilio calls.
        "local": _signed(platform, form, f"{assistant.rasa_url}/webhooks/twilio/webhook"),
    }[kind]
    assert _twilio(assistant, form, signature) == expected
    time.sleep(SETTLE_S)
    assert assistant.user_texts(sender) == []
    assert platform.wait_for(_sent_to(sender), timeout=0) == []


def test_twilio_redelivered_message_is_processed_once(
    assistant: Assistant, platform: FakePlatform
) -> None:
    sender = _sender()
    form = _twilio_form(sender, "Goeiedag, ik zoek werk")
    signature = _signed(platform, form)
    assert [_twilio(assistant, form, signature) for _ in range(2)] == [200, 200]
    platform.wait_for(_sent_to(sender))
    time.sleep(SETTLE_S)
    assert assistant.user_texts(sender, at_least=1) == ["Goeiedag, ik zoek werk"]


def test_twilio_buttons_are_numbered_and_a_number_answers(
    assistant: Assistant, platform: FakePlatform
) -> None:
    sender = _sender()
    form = _twilio_form(sender, "wat kun je eigenlijk allemaal voor mij doen?")
    assert _twilio(assistant, form, _signed(platform, form)) == 200
    sent = platform.wait_for(lambda c: _sent_to(sender)(c) and "\n1. " in c.fields["Body"])
    assert sent, [c.fields for c in platform.calls if _sent_to(sender)(c)]
    assert "1. Met een consulent praten" in sent[-1].fields["Body"]
    before = len([c for c in platform.calls if _sent_to(sender)(c)])
    reply = _twilio_form(sender, "1")
    assert _twilio(assistant, reply, _signed(platform, reply)) == 200
    platform.wait_for(_sent_to(sender), count=before + 1)
    assistant.user_texts(sender, at_least=2)
    events = assistant.tracker(sender)["events"]
    last_user = [e for e in events if e["event"] == "user"][-1]
    assert last_user["text"] == "/ask_human"
    assert last_user["parse_data"]["intent"]["name"] == "ask_human"


# ---- a consultant takes over a conversation on each platform ---------------------------


class _Chat:
    """One candidate on one platform: writes signed messages, reads what the platform got."""

    def __init__(self, kind: str, assistant: Assistant, platform: FakePlatform) -> None:
        self.kind, self.assistant, self.platform = kind, assistant, platform
        self.sender = {
            "telegram": str(secrets.randbelow(10**9) + 1),
            "facebook": str(secrets.randbelow(10**15)),
            "twilio": _sender(),
        }[kind]

    def write(self, text: str) -> None:
        if self.kind == "telegram":
            secret = _env(self.platform, "TELEGRAM_WEBHOOK_SECRET")
            status = _telegram(self.assistant, _telegram_update(int(self.sender), text), secret)[0]
        elif self.kind == "facebook":
            body = _facebook_event(self.sender, text)
            signature = facebook_signature(_env(self.platform, "FACEBOOK_APP_SECRET"), body)
            status = _facebook(self.assistant, body, signature)[0]
        else:
            form = _twilio_form(self.sender, text)
            status = _twilio(self.assistant, form, _signed(self.platform, form))
        assert status == 200

    def received(self, count: int = 1, timeout: float = 30) -> list[str]:
        """The texts the platform was asked to deliver to this candidate, once ``count``."""
        if self.kind == "telegram":
            check = _sent_to_chat(int(self.sender))
        elif self.kind == "facebook":
            check = _sent_to_psid(self.sender)
        else:
            check = _sent_to(self.sender)
        return [_text_of(call) for call in self.platform.wait_for(check, count, timeout)]

    def answered(self) -> int:
        """How many texts the candidate has got once the bot has finished answering."""
        count = len(self.received())
        while True:
            time.sleep(1.5)
            now = len(self.received(timeout=0))
            if now == count:
                return count
            count = now


def _text_of(call: Call) -> str:
    if call.platform == "facebook":
        return str(call.fields["message"].get("text", ""))
    return str(call.fields.get("text") or call.fields.get("Body") or "")


@pytest.mark.parametrize("kind", ["telegram", "facebook", "twilio"])
async def test_a_consultant_takes_over_and_hands_back_on_the_platform(
    assistant: Assistant, platform: FakePlatform, kind: str
) -> None:
    settings = Settings.from_env(
        {"BOT_RASA_API_URL": assistant.rasa_url, "RASA_API_TOKEN": assistant.token}
    )
    chat = _Chat(kind, assistant, platform)
    chat.write("Goeiedag, ik zoek werk als lasser in Kortrijk")
    before = chat.answered()
    assert assistant.tracker(chat.sender)["slots"]["language"] == "nl"

    await handoff.take_over(settings, chat.sender, "jan.vdab")
    consultant = "Dag, u spreekt met Jan van de VDAB. Ik bekijk uw vraag."
    await handoff.send_as_consultant(settings, chat.sender, consultant)
    assert chat.received(before + 2)[before:] == [
        messages.text("nl", "handoff.takeover.joined"),
        consultant,
    ]
    chat.write("oké, ik wacht even")
    assert "oké, ik wacht even" in assistant.user_texts(chat.sender, at_least=2)
    time.sleep(SETTLE_S)
    assert len(chat.received(timeout=0)) == before + 2  # the bot stays silent meanwhile

    await handoff.hand_back(settings, chat.sender)
    assert chat.received(before + 3)[before + 2 :] == [messages.text("nl", "handoff.takeover.left")]
