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
import os
import secrets
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
import websockets

from bot.channels.signatures import facebook_signature, twilio_signature
from bot.client import client_key
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


async def _socketio_exchange(
    assistant: Assistant, text: str, wait_s: float, session_id: str | None = None
) -> list[str]:
    """Send ``text`` as the widget does (socket.io over a websocket, Engine.IO 4 frames) and
    collect the bot's texts for ``wait_s`` or until the server closes the connection."""
    url = assistant.rasa_url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
    received: list[str] = []
    session_id = session_id or uuid.uuid4().hex
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


# ---- REST: one caller, one conversation of its own -----------------------------------


def _rest_raw(assistant: Assistant, body: bytes) -> tuple[int, str]:
    url = f"{assistant.rasa_url}/webhooks/rest/webhook"
    return _post(url, body, {"Content-Type": "application/json"})


@pytest.mark.parametrize(
    "body", [b"[]", b'"Bonjour"', b"42", b"null", b"{", b'{"message": "Bonjour"}']
)
def test_rest_answers_400_to_what_is_not_a_message_of_a_sender(
    assistant: Assistant, body: bytes
) -> None:
    assert _rest_raw(assistant, body)[0] == 400
    # No shared "default" conversation was started.
    assert assistant.user_texts("default") == []


def test_rest_cannot_write_into_a_website_conversation(assistant: Assistant) -> None:
    session_id = uuid.uuid4().hex
    assert asyncio.run(_socketio_exchange(assistant, "Goeiedag", 20, session_id))
    status, _ = _rest(assistant, session_id, "mijn e-mailadres is aanvaller@example.org")
    assert status == 403
    assert assistant.user_texts(session_id) == ["Goeiedag"]


def test_rest_cannot_write_into_a_telegram_conversation(
    assistant: Assistant, platform: FakePlatform
) -> None:
    chat_id = secrets.randbelow(10**9) + 1
    assert _telegram(assistant, platform, chat_id, "Bonjour") == 200
    assert assistant.user_texts(str(chat_id), at_least=1) == ["Bonjour"]
    assert _rest(assistant, str(chat_id), "Je veux parler à un conseiller")[0] == 403
    time.sleep(1)
    assert assistant.user_texts(str(chat_id)) == ["Bonjour"]


def test_rest_records_its_own_channel_whatever_the_body_says(assistant: Assistant) -> None:
    sender = f"channel-{secrets.token_hex(8)}"
    body = {"sender": sender, "message": "Bonjour", "input_channel": "telegram"}
    assert _rest_raw(assistant, json.dumps(body).encode())[0] == 200
    assert assistant.tracker(sender)["latest_input_channel"] == "rest"


def test_rest_messages_carry_the_clients_key_never_the_callers(assistant: Assistant) -> None:
    """The limits per client count what the channel saw, not what the caller claims."""
    sender = f"client-{secrets.token_hex(8)}"
    metadata = {"client": "chosen-by-the-caller", "language": "fr"}
    body = {"sender": sender, "message": "Bonjour", "metadata": metadata}
    headers = {"Content-Type": "application/json", "X-Forwarded-For": "198.51.100.66"}
    url = f"{assistant.rasa_url}/webhooks/rest/webhook"
    assert _post(url, json.dumps(body).encode(), headers)[0] == 200
    stored = assistant.tracker(sender)["latest_message"]["metadata"]
    secret_file = assistant.var_dir / "actions_secret"
    secrets_known = [os.environ.get("BOT_ACTIONS_SECRET", "")]
    if secret_file.exists():
        secrets_known.append(secret_file.read_text().strip())
    # The loopback peer: no trusted proxy here, so the forged header counts for nothing.
    assert stored["client"] in {client_key("127.0.0.1", known) for known in secrets_known}
    assert stored["language"] == "fr"


# ---- internal services ----------------------------------------------------------------


def _port(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def _actions_port(assistant: Assistant) -> int:
    endpoints = (assistant.var_dir / "run" / "endpoints.yml").read_text()
    return int(endpoints.split("127.0.0.1:")[1].split("/")[0])


def test_the_action_server_refuses_a_call_without_the_shared_secret(
    assistant: Assistant,
) -> None:
    url = f"http://127.0.0.1:{_actions_port(assistant)}"
    call = {
        "next_action": "action_book_info_session",
        "sender_id": f"intruder-{secrets.token_hex(4)}",
        "tracker": {"sender_id": "x", "slots": {}, "events": [], "latest_message": {}},
        "domain": {},
        "version": "3.6.21",
    }
    headers = {"Content-Type": "application/json"}
    assert _post(f"{url}/webhook", json.dumps(call).encode(), headers)[0] == 401
    wrong = {**headers, "X-Action-Secret": "guess"}
    assert _post(f"{url}/webhook", json.dumps(call).encode(), wrong)[0] == 401
    with urllib.request.urlopen(f"{url}/health", timeout=10) as response:
        assert response.status == 200  # the launcher's readiness check
    # Rasa sends the secret: a conversation still runs custom actions.
    status, body = _rest(assistant, f"actions-{secrets.token_hex(6)}", "Je cherche un emploi")
    assert status == 200 and json.loads(body)


def _outside_address() -> str | None:
    """An address of this machine other than the loopback one, if it has one."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.1", 9))  # no packet is sent for a UDP connect
        address = str(probe.getsockname()[0])
    except OSError:
        return None
    finally:
        probe.close()
    return None if address.startswith("127.") else address


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def test_rasa_and_the_action_server_listen_on_the_loopback_only(assistant: Assistant) -> None:
    address = _outside_address()
    if address is None:
        pytest.skip("this machine has no address but the loopback one")
    for port in (_port(assistant.rasa_url), _actions_port(assistant)):
        assert _reachable("127.0.0.1", port)
        assert not _reachable(address, port), f"port {port} answers on {address}"
    assert _reachable(address, _port(assistant.web_url))  # the website: every interface


def test_the_rasa_api_token_is_not_on_any_command_line(assistant: Assistant) -> None:
    port = str(_port(assistant.rasa_url))
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            words = cmdline.read_bytes().decode(errors="replace").split("\0")
        except OSError:
            continue
        if "bot.server" in words and port in words:
            found.append(words)
    assert found, "the Rasa server's process was not found"
    assert all(assistant.token not in " ".join(words) for words in found)


def _preflight(assistant: Assistant, origin: str) -> str | None:
    request = urllib.request.Request(
        f"{assistant.rasa_url}/webhooks/rest/webhook",
        method="OPTIONS",
        headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.headers.get("Access-Control-Allow-Origin")
    except urllib.error.HTTPError as error:
        return error.headers.get("Access-Control-Allow-Origin")


def test_rasa_cors_allows_the_sites_own_origin_only(assistant: Assistant) -> None:
    assert _preflight(assistant, "https://evil.example") is None
    site = assistant.web_url  # http://127.0.0.1:<web port>
    assert _preflight(assistant, site) == site


def test_var_is_readable_by_its_owner_only(assistant: Assistant) -> None:
    assert oct(assistant.var_dir.stat().st_mode & 0o777) == "0o700"


def test_a_signed_whatsapp_message_with_an_empty_body_is_accepted(
    assistant: Assistant, platform: FakePlatform
) -> None:
    # Found by tests/e2e/test_fuzz.py: Twilio signs the empty Body of a photo, which the
    # signature check dropped (403, and Twilio retries).
    sender = f"whatsapp:+3247{secrets.randbelow(10**7):07d}"
    assert _twilio(assistant, platform, sender, "") == 200
