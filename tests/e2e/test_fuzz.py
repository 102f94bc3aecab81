"""Fuzzing every channel of the real running assistant with Hypothesis (issue 22).

Random Unicode, control characters, right-to-left text, emoji, very long and empty
messages, and malformed JSON or forms go to the REST webhook, socket.io, Telegram,
Messenger, Twilio and the website's sign-in form. Each answer must be below 500, and a
probe that asks Rasa's liveness route every 0.2 s all along must never wait a second (no
event-loop stall).
"""

from __future__ import annotations

import asyncio
import json
import secrets
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.e2e.test_channels import _post
from tests.e2e.test_security import _facebook, _socketio_exchange, _telegram, _twilio
from tests.support.fake_platform import FakePlatform
from tests.support.launcher import Assistant

pytestmark = pytest.mark.e2e

STALL_S = 1.0
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,  # the same examples on every run: a failure can be replayed
)

SPECIAL = [
    "",
    " ",
    "\x00",
    "\x1b[31mrouge\x1b[0m",
    "\u202eetxet\u202c",  # right-to-left override
    "مرحبا، أبحث عن عمل في كورتريك",
    "שלום, אני מחפש עבודה",
    "👩🏽‍🔧🔧🇧🇪🇫🇷" * 50,
    "\ufeff\u200b\u200d",
    "a\u0301" * 1500,  # combining accents: 3,000 code points
    '/book_session{"session": 1}',
    "/" + "x" * 2500,
    "Bonjour " * 400,
    "\ud7ff\ue000\uffff",
]
messages = st.one_of(
    st.sampled_from(SPECIAL),
    st.text(st.characters(blacklist_categories=["Cs"]), max_size=300),
    st.text(st.characters(blacklist_categories=["Cs"]), min_size=1900, max_size=2600),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=10,
)


@pytest.fixture(scope="module")
def stalls(assistant: Assistant) -> Iterator[list[float]]:
    """Latencies of Rasa's liveness route, probed every 0.2 s while the module runs."""
    latencies: list[float] = []
    running = threading.Event()
    running.set()

    def probe() -> None:
        while running.is_set():
            started = time.monotonic()
            try:
                url = f"{assistant.rasa_url}/webhooks/health/live"
                urllib.request.urlopen(url, timeout=10).read()
            except (urllib.error.URLError, OSError):
                pass
            latencies.append(time.monotonic() - started)
            time.sleep(0.2)

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    yield latencies
    running.clear()
    thread.join(15)
    assert latencies and max(latencies) < STALL_S, f"event loop stalled {max(latencies):.2f} s"


def _rest(assistant: Assistant, body: bytes) -> int:
    url = f"{assistant.rasa_url}/webhooks/rest/webhook"
    return _post(url, body, {"Content-Type": "application/json"})[0]


@FUZZ
@given(text=messages)
def test_rest_messages(assistant: Assistant, stalls: list[float], text: str) -> None:
    body = json.dumps({"sender": f"fuzz-{secrets.token_hex(6)}", "message": text}).encode()
    assert _rest(assistant, body) == 200


@FUZZ
@given(value=json_values)
def test_rest_json_of_any_shape(assistant: Assistant, stalls: list[float], value: object) -> None:
    assert _rest(assistant, json.dumps(value).encode()) in (200, 400)


@FUZZ
@given(raw=st.binary(max_size=400))
def test_rest_malformed_bodies(assistant: Assistant, stalls: list[float], raw: bytes) -> None:
    assert _rest(assistant, raw) in (200, 400)


@FUZZ
@given(text=messages)
def test_socketio_messages(assistant: Assistant, stalls: list[float], text: str) -> None:
    # Any answer or none (an empty message is ignored); the server must stay up.
    asyncio.run(_socketio_exchange(assistant, text, 3))


@FUZZ
@given(text=messages, kind=st.sampled_from(["telegram", "facebook", "twilio"]))
def test_messaging_channels(
    assistant: Assistant, platform: FakePlatform, stalls: list[float], text: str, kind: str
) -> None:
    if kind == "telegram":
        status = _telegram(assistant, platform, secrets.randbelow(10**9) + 1, text)
    elif kind == "facebook":
        status = _facebook(assistant, platform, str(secrets.randbelow(10**15)), text)
    else:
        status = _twilio(assistant, platform, f"whatsapp:+3247{secrets.randbelow(10**7):07d}", text)
    assert status == 200


@FUZZ
@given(raw=st.binary(max_size=400), kind=st.sampled_from(["telegram", "facebook", "twilio"]))
def test_messaging_malformed_bodies(
    assistant: Assistant, stalls: list[float], raw: bytes, kind: str
) -> None:
    url = f"{assistant.rasa_url}/webhooks/{kind}/webhook"
    status, _ = _post(url, raw, {"Content-Type": "application/json"})
    assert status < 500


@FUZZ
@given(fields=st.dictionaries(st.sampled_from(["username", "password", "csrf", "x"]), messages))
def test_website_sign_in_form(assistant: Assistant, fields: dict[str, str]) -> None:
    body = urllib.parse.urlencode(fields).encode()
    url = f"{assistant.web_url}/console/login"
    status, _ = _post(url, body, {"Content-Type": "application/x-www-form-urlencoded"})
    assert status < 500
