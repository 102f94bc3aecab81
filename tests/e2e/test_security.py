"""Security findings of issue 22 against the real running assistant (docs/security.md).

Message length: a message over ``BOT_MAX_MESSAGE_CHARS`` (2,000) is refused before NLU on
every channel with a short answer in the candidate's language, and a request body over
``BOT_MAX_REQUEST_BYTES`` (256 KB) is refused unread (413). Before, a 200 KB message held
Rasa's event loop for about 20 s and every other visitor waited: each test sends the long
message and, while it is being handled, a normal one on the REST webhook, which must be
answered in under a second.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable

import pytest
import websockets

from bot.channels.signatures import facebook_signature, twilio_signature
from bot.server.retry_message import too_long_text
from tests.e2e.conftest import TWILIO_PUBLIC_URL, channel_env
from tests.e2e.test_channels import _facebook_event, _post, _telegram_update, _twilio_form
from tests.support.fake_platform import Call, FakePlatform
from tests.support.launcher import Assistant

pytestmark = pytest.mark.e2e

LIMIT = 2000
KB_200 = 200 * 1024
MB_2 = 2 * 1024 * 1024
FRENCH = "Bonjour, je cherche un emploi de soudeur à Courtrai. "
DUTCH = "Goeiedag, ik zoek werk als lasser in Rijsel. "
MAX_NORMAL_S = 1.0


def _long(sentence: str, size: int) -> str:
    return (sentence * (size // len(sentence) + 1))[:size]


def _rest(assistant: Assistant, sender: str, text: str) -> tuple[int, str]:
    body = json.dumps({"sender": sender, "message": text}).encode()
    return _post(
        f"{assistant.rasa_url}/webhooks/rest/webhook",
        body,
        {"Content-Type": "application/json"},
    )


def _normal_answer_time(assistant: Assistant) -> float:
    started = time.monotonic()
    status, body = _rest(assistant, f"normal-{secrets.token_hex(8)}", "Bonjour !")
    elapsed = time.monotonic() - started
    assert status == 200 and json.loads(body), body
    return elapsed


def _while(send: Callable[[], object], assistant: Assistant) -> tuple[object, float]:
    """Start ``send`` (the long message), then time a normal message sent meanwhile."""
    result: list[object] = []

    def run() -> None:
        try:
            result.append(send())
        except Exception as exc:  # re-raised in the test's thread
            result.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    time.sleep(0.05)  # the long message is on its way first
    elapsed = _normal_answer_time(assistant)
    thread.join(60)
    if isinstance(result[0], Exception):
        raise result[0]
    return result[0], elapsed


def _texts(body: str) -> list[str]:
    return [message.get("text", "") for message in json.loads(body)]


# ---- REST ---------------------------------------------------------------------------


@pytest.mark.parametrize("sentence, language", [(FRENCH, "fr"), (DUTCH, "nl")])
def test_rest_200_kb_message_is_refused_in_the_candidates_language(
    assistant: Assistant, sentence: str, language: str
) -> None:
    sender = f"long-{secrets.token_hex(8)}"
    (status, body), elapsed = _while(
        lambda: _rest(assistant, sender, _long(sentence, KB_200)), assistant
    )
    assert status == 200
    assert _texts(body) == [too_long_text(language, LIMIT, None, None)]
    assert elapsed < MAX_NORMAL_S
    assert assistant.user_texts(sender) == []  # never reached NLU nor the conversation


def test_rest_message_at_the_limit_is_processed(assistant: Assistant) -> None:
    sender = f"limit-{secrets.token_hex(8)}"
    text = _long(FRENCH, LIMIT)
    status, body = _rest(assistant, sender, text)
    assert status == 200 and _texts(body) != [too_long_text("fr", LIMIT, None, None)]
    assert assistant.user_texts(sender, at_least=1) == [text]


def test_rest_the_conversations_language_answers_a_long_message(assistant: Assistant) -> None:
    sender = f"nl-{secrets.token_hex(8)}"
    assert _rest(assistant, sender, "Goeiedag, ik zoek werk in Kortrijk")[0] == 200
    # Digits say nothing of a language: the conversation's (Dutch) is used.
    status, body = _rest(assistant, sender, "4" * 5000)
    assert status == 200 and _texts(body) == [too_long_text("nl", LIMIT, None, None)]


def test_rest_2_mb_body_is_refused_unread(assistant: Assistant) -> None:
    (status, _body), elapsed = _while(
        lambda: _rest(assistant, f"huge-{secrets.token_hex(8)}", _long(FRENCH, MB_2)), assistant
    )
    assert status == 413
    assert elapsed < MAX_NORMAL_S


# ---- socket.io (the website's chat) -------------------------------------------------


async def _socketio_exchange(assistant: Assistant, text: str, wait_s: float) -> list[str]:
    """Send ``text`` as the widget does (socket.io over a websocket, Engine.IO 4 frames) and
    collect the bot's texts for ``wait_s`` or until the server closes the connection."""
    url = assistant.rasa_url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
    received: list[str] = []
    session_id = uuid.uuid4().hex
    async with websockets.connect(url, max_size=None) as ws:
        assert str(await ws.recv()).startswith("0")  # Engine.IO open
        await ws.send("40")
        assert str(await ws.recv()).startswith("40")  # socket.io connect
        await ws.send("42" + json.dumps(["session_request", {"session_id": session_id}]))
        message = {"message": text, "session_id": session_id, "metadata": {"language": "nl"}}
        deadline = time.monotonic() + wait_s
        try:
            while time.monotonic() < deadline and not received:
                frame = str(await asyncio.wait_for(ws.recv(), deadline - time.monotonic()))
                if frame == "2":  # ping
                    await ws.send("3")
                elif frame.startswith("42"):
                    event, data = json.loads(frame[2:])[:2]
                    if event == "session_confirm":
                        await ws.send("42" + json.dumps(["user_uttered", message]))
                    elif event == "bot_uttered":
                        received.append(data.get("text", ""))
        except (asyncio.TimeoutError, websockets.ConnectionClosed):
            pass
    return received


def test_socketio_200_kb_message_is_refused(assistant: Assistant) -> None:
    received, elapsed = _while(
        lambda: asyncio.run(_socketio_exchange(assistant, _long(DUTCH, KB_200), 10)), assistant
    )
    assert received == [too_long_text("nl", LIMIT, None, None)]
    assert elapsed < MAX_NORMAL_S


def test_socketio_2_mb_frame_closes_that_connection_only(assistant: Assistant) -> None:
    received, elapsed = _while(
        lambda: asyncio.run(_socketio_exchange(assistant, _long(DUTCH, MB_2), 3)), assistant
    )
    assert received == []
    assert elapsed < MAX_NORMAL_S
    # The server goes on with the others.
    assert asyncio.run(_socketio_exchange(assistant, "Goeiedag", 20))


# ---- Telegram, Messenger, WhatsApp --------------------------------------------------


def _env(platform: FakePlatform, name: str) -> str:
    return channel_env(platform.url)[name]


def _telegram(assistant: Assistant, platform: FakePlatform, chat_id: int, text: str) -> int:
    headers = {
        "Content-Type": "application/json",
        "X-Telegram-Bot-Api-Secret-Token": _env(platform, "TELEGRAM_WEBHOOK_SECRET"),
    }
    url = f"{assistant.rasa_url}/webhooks/telegram/webhook"
    return _post(url, _telegram_update(chat_id, text), headers)[0]


def _facebook(assistant: Assistant, platform: FakePlatform, psid: str, text: str) -> int:
    body = _facebook_event(psid, text)
    headers = {
        "Content-Type": "application/json",
        "X-Hub-Signature-256": facebook_signature(_env(platform, "FACEBOOK_APP_SECRET"), body),
    }
    return _post(f"{assistant.rasa_url}/webhooks/facebook/webhook", body, headers)[0]


def _twilio(assistant: Assistant, platform: FakePlatform, sender: str, text: str) -> int:
    form = _twilio_form(sender, text)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": twilio_signature(
            _env(platform, "TWILIO_AUTH_TOKEN"), TWILIO_PUBLIC_URL, form
        ),
    }
    url = f"{assistant.rasa_url}/webhooks/twilio/webhook"
    return _post(url, urllib.parse.urlencode(form).encode(), headers)[0]


def _reply_text(call: Call) -> str:
    fields = call.fields
    if call.platform == "facebook":
        return str(fields["message"]["text"])
    return str(fields.get("text") or fields.get("Body") or "")


def _platform_case(
    kind: str, assistant: Assistant, platform: FakePlatform
) -> tuple[Callable[[str], int], Callable[[Call], bool]]:
    if kind == "telegram":
        chat_id = secrets.randbelow(10**9) + 1
        return (
            lambda text: _telegram(assistant, platform, chat_id, text),
            lambda call: call.platform == "telegram" and call.fields.get("chat_id") == str(chat_id),
        )
    if kind == "facebook":
        psid = str(secrets.randbelow(10**15))
        return (
            lambda text: _facebook(assistant, platform, psid, text),
            lambda call: call.platform == "facebook" and call.fields["recipient"]["id"] == psid,
        )
    sender = f"whatsapp:+3247{secrets.randbelow(10**7):07d}"
    return (
        lambda text: _twilio(assistant, platform, sender, text),
        lambda call: call.platform == "twilio" and call.fields.get("To") == sender,
    )


@pytest.mark.parametrize("kind", ["telegram", "facebook", "twilio"])
def test_messaging_200_kb_message_is_refused(
    assistant: Assistant, platform: FakePlatform, kind: str
) -> None:
    send, sent_to_them = _platform_case(kind, assistant, platform)
    status, elapsed = _while(lambda: send(_long(FRENCH, KB_200)), assistant)
    assert status == 200
    assert elapsed < MAX_NORMAL_S
    sent = platform.wait_for(sent_to_them)
    assert [_reply_text(call) for call in sent] == [too_long_text("fr", LIMIT, None, None)]


@pytest.mark.parametrize("kind", ["telegram", "facebook", "twilio"])
def test_messaging_2_mb_body_is_refused_unread(
    assistant: Assistant, platform: FakePlatform, kind: str
) -> None:
    send, sent_to_them = _platform_case(kind, assistant, platform)
    status, elapsed = _while(lambda: send(_long(FRENCH, MB_2)), assistant)
    assert status == 413
    assert elapsed < MAX_NORMAL_S
    assert platform.wait_for(sent_to_them, timeout=2) == []
