"""Abuse limits per client address (issue 22).

The website's channels (REST, socket.io) mark each message with the keyed hash of its
client's address, read through a trusted proxy's X-Forwarded-For only: a real Sanic server
with the real channels, reached over real HTTP and a real socket.io client. The actions
count bookings, callback requests and failed booking references by it: the real actions on
SQLite and PostgreSQL, with the metadata the channels give.
"""

from __future__ import annotations

import asyncio
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timezone
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
import socketio
from rasa.core.channels.channel import UserMessage, register
from rasa_sdk.executor import CollectingDispatcher
from sanic import Sanic
from sqlalchemy.engine import Engine

from actions._base import Services, reference_throttle
from actions.handoff import ActionRequestCallback
from actions.session_cancel import ValidateCancelBookingForm
from actions.sessions import ActionBookInfoSession
from bot import handoff, references, sessions
from bot.channels.clients import ClientMarker
from bot.channels.rest import RestInput
from bot.channels.socketio import SocketIOInput
from bot.client import client_key
from bot.config import Settings
from bot.messages import text
from bot.storage import db
from tests.conftest import make_tracker
from tests.factories import make_info_session

SECRET = "test-actions-secret"
SESSION_ID = "s" * 32


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# One event loop for the module: the server fixture's, which every test talks to.
pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def server() -> AsyncIterator[tuple[str, list[UserMessage], list[Any]]]:
    """Rasa's Sanic server with the project's REST and socket.io channels; the messages they
    hand to Rasa are collected. One per module: Sanic 21.12 starts one app per process."""
    received: list[UserMessage] = []

    class Agent:  # what Rasa's handler calls: here it collects
        async def handle_message(self, message: UserMessage) -> None:
            received.append(message)

    app = Sanic(f"clients{uuid.uuid4().hex}")
    app.ctx.agent = Agent()
    inputs = [RestInput(), SocketIOInput(session_persistence=True, metadata_key="metadata")]
    register(inputs, app, route="/webhooks/")  # type: ignore[arg-type]
    port = _free_port()
    started = await app.create_server(
        host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
    )
    assert started is not None
    await started.startup()
    yield f"http://127.0.0.1:{port}", received, inputs
    started.close()
    await started.wait_closed()


@pytest.fixture
def channels(server: Any, request: pytest.FixtureRequest) -> Any:
    """The server with BOT_TRUSTED_PROXIES set to the test's parameter."""
    url, received, inputs = server
    received.clear()
    environ = {"BOT_ACTIONS_SECRET": SECRET, "BOT_TRUSTED_PROXIES": request.param}
    for channel in inputs:
        channel.clients = ClientMarker.from_env(environ)
    return url, received, inputs[1].sio


async def _rest(url: str, headers: dict[str, str], metadata: dict[str, Any]) -> int:
    body = {"sender": f"rest-{uuid.uuid4().hex}", "message": "bonjour", "metadata": metadata}
    async with aiohttp.ClientSession() as client:
        async with client.post(f"{url}/webhooks/rest/webhook", json=body, headers=headers) as r:
            return r.status


async def _socketio(url: str, sio: Any, headers: dict[str, str], metadata: dict[str, Any]) -> None:
    client = socketio.AsyncClient(reconnection=False)
    confirmed = asyncio.Event()
    client.on("session_confirm", lambda *_: confirmed.set())
    await client.connect(url, headers=headers, transports=["polling"])
    try:
        await client.emit("session_request", {"session_id": SESSION_ID})
        await asyncio.wait_for(confirmed.wait(), 5)
        message = {"message": "hallo", "session_id": SESSION_ID, "metadata": metadata}
        await client.emit("user_uttered", message)
        await asyncio.sleep(0.3)
    finally:
        # From the server's side: the client's pending long poll returns at once.
        await sio.eio.disconnect()
        await client.disconnect()


FORGED = {"X-Forwarded-For": "198.51.100.66"}


@pytest.mark.parametrize("channels", [""], indirect=True)
async def test_without_a_trusted_proxy_the_peer_counts_and_no_header_or_metadata(
    channels: Any,
) -> None:
    url, received, sio = channels
    assert await _rest(url, FORGED, {"client": "chosen-by-the-caller", "lang": "fr"}) == 200
    await _socketio(url, sio, FORGED, {"client": "chosen-by-the-caller"})
    peer = client_key("127.0.0.1", SECRET)
    assert [m.metadata.get("client") for m in received] == [peer, peer]
    assert received[0].metadata["lang"] == "fr"  # the rest of the metadata goes on


@pytest.mark.parametrize("channels", ["127.0.0.1"], indirect=True)
async def test_behind_the_trusted_proxy_its_forwarded_address_counts(channels: Any) -> None:
    url, received, sio = channels
    # A browser's own header to the left, the address the proxy appended to the right.
    chain = {"X-Forwarded-For": "198.51.100.66, 203.0.113.7"}
    assert await _rest(url, chain, {}) == 200
    await _socketio(url, sio, {"X-Forwarded-For": "203.0.113.9"}, {})
    assert [m.metadata.get("client") for m in received] == [
        client_key("203.0.113.7", SECRET),
        client_key("203.0.113.9", SECRET),
    ]


async def test_an_ipv6_client_counts_by_its_64_network() -> None:
    assert client_key("2001:db8:1:2::1", SECRET) == client_key("2001:db8:1:2:ffff::9", SECRET)
    assert client_key("2001:db8:1:2::1", SECRET) != client_key("2001:db8:1:3::1", SECRET)
    assert client_key("::ffff:203.0.113.7", SECRET) == client_key("203.0.113.7", SECRET)
    assert client_key("203.0.113.7", SECRET) != client_key("203.0.113.7", "another secret")
    assert client_key(None, SECRET) is None and client_key("not an address", SECRET) is None


# --- the limits in the actions ------------------------------------------------------------

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=timezone.utc)
SETTINGS = Settings.from_env({"BOT_PUBLIC_URL": "https://emploi.example.org"})


@pytest.fixture
def engine(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    monkeypatch.setenv("BOT_MAX_BOOKINGS_PER_CLIENT", "2")
    monkeypatch.setenv("BOT_MAX_OPEN_CALLBACKS_PER_CLIENT", "2")
    engine = db.make_engine(database_url)
    yield engine
    engine.dispose()


def _booking_tracker(session_id: int, n: int, client: str, language: str) -> Any:
    slots = {
        "language": language,
        "session_id": str(session_id),
        "candidate_name": "Marie Dupont",
        "candidate_email": f"person{n}-{uuid.uuid4().hex[:6]}@example.org",
        "candidate_phone": "-",
        "booking_consent": True,
    }
    return make_tracker(
        "oui", "affirm", slots=slots, message_id=f"m{n}", sender_id=f"web-{uuid.uuid4().hex}",
        metadata={"client": client},
    )  # fmt: skip


async def _book(services: Services, session_id: int, n: int, client: str, language: str) -> str:
    dispatcher = CollectingDispatcher()
    await ActionBookInfoSession(services).run(
        dispatcher, _booking_tracker(session_id, n, client, language), {}
    )
    return str(dispatcher.messages[0].get("text") or dispatcher.messages[0].get("response"))


@pytest.mark.parametrize("language", ["fr", "nl"])
async def test_one_client_address_holds_a_limited_number_of_upcoming_bookings(
    engine: Engine, language: str
) -> None:
    services = Services(SETTINGS, engine)
    with db.transaction(engine) as conn:
        session = make_info_session(conn, capacity=20)
    script, visitor = client_key("203.0.113.7", SECRET), client_key("192.0.2.1", SECRET)
    assert script and visitor
    # Each from a new conversation with a new e-mail address: only the client is the same.
    for n in range(2):
        assert await _book(services, session.id, n, script, language) == "utter_booking_confirmed"
    refused = text(language, "sessions.limit.client").format(limit=2)
    assert await _book(services, session.id, 2, script, language) == refused
    assert await _book(services, session.id, 3, visitor, language) == "utter_booking_confirmed"
    with db.reading(engine) as conn:
        assert sessions.get_session(conn, session.id).seats_taken == 3


@pytest.mark.parametrize("language", ["fr", "nl"])
async def test_one_client_address_has_a_limited_number_of_open_callback_requests(
    engine: Engine, language: str
) -> None:
    services = Services(SETTINGS, engine, clock=lambda: NOW)
    script = client_key("203.0.113.7", SECRET)

    async def ask(n: int, client: str | None) -> list[dict[str, Any]]:
        slots = {
            "language": language,
            "callback_consent": "2026-12-02T08:58:00+00:00",
            "callback_name": "Jan Peeters",
            "callback_phone": f"+3247000{n:04d}",
            "callback_email": "-",
            "callback_moment": "morning",
        }
        tracker = make_tracker(
            "le matin", "inform", slots=slots, sender_id=f"web-{uuid.uuid4().hex}",
            metadata={"client": client},
        )  # fmt: skip
        dispatcher = CollectingDispatcher()
        await ActionRequestCallback(services).run(dispatcher, tracker, {})
        return dispatcher.messages

    for n in range(2):
        assert (await ask(n, script))[0]["response"] == "utter_callback_confirmed"
    refused = text(language, "service.callback_limit_client").format(limit=2)
    assert [m.get("text") for m in await ask(2, script)] == [refused]
    assert (await ask(3, None))[0]["response"] == "utter_callback_confirmed"
    with db.reading(engine) as conn:
        assert len(handoff.list_callbacks(conn)) == 3


async def test_failed_references_count_per_client_across_conversations(engine: Engine) -> None:
    settings = Settings.from_env(
        {"BOT_MAX_FAILED_REFERENCES": "2", "BOT_MAX_FAILED_REFERENCES_PER_CLIENT": "3"}
    )
    services = Services(settings, engine, reference_failures=reference_throttle(settings))
    script = client_key("203.0.113.7", SECRET)

    async def guess(client: str | None) -> list[dict[str, Any]]:
        reference = references.new_reference()
        slots = {"language": "nl", "requested_slot": "booking_reference"}
        tracker = make_tracker(
            reference, "inform", slots=slots, active_loop="cancel_booking_form",
            sender_id=f"web-{uuid.uuid4().hex}", metadata={"client": client},
        )  # fmt: skip
        dispatcher = CollectingDispatcher()
        await ValidateCancelBookingForm(services).validate_booking_reference(
            reference, dispatcher, tracker, {}
        )
        return dispatcher.messages

    for _ in range(3):  # a new conversation for each guess: the client's allowance counts
        assert [m["text"] for m in await guess(script)] != [
            text("nl", "invalid.reference.throttled").format(minutes=15)
        ]
    throttled = text("nl", "invalid.reference.throttled").format(minutes=15)
    assert [m["text"] for m in await guess(script)] == [throttled]
    assert [m["text"] for m in await guess(None)] != [throttled]
