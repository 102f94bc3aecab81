"""The takeover functions against a local stand-in for Rasa's HTTP API (real HTTP on loopback).

What the real Rasa server does with these calls is tested in tests/e2e/test_takeover.py;
here: the requests sent (paths, token, query, events) and every way the API can fail.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web

from bot import handoff, messages
from bot.config import Settings
from bot.errors import (
    AlreadyTakenOver,
    ConversationNotFound,
    NotTakenOver,
    RasaApiUnavailable,
)
from bot.ops.cli import free_port

TOKEN = "s3cret-api-token"


class FakeRasa:
    """Answers GET tracker and POST tracker/events like Rasa, and records the calls."""

    def __init__(self, state: dict[str, Any]) -> None:
        self.state = state
        self.calls: list[tuple[str, str, dict[str, str], Any]] = []

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.json() if request.can_read_body else None
        self.calls.append(
            (request.method, request.raw_path.split("?")[0], dict(request.query), body)
        )
        if request.query.get("token") != TOKEN:
            return web.json_response({"message": "unauthorised"}, status=401)
        for event in body or []:
            if event["event"] in ("pause", "resume"):
                self.state["paused"] = event["event"] == "pause"
        return web.json_response(self.state)


Server = Callable[..., Awaitable[Any]]


async def _start(aiohttp_server: Server, fake: FakeRasa) -> Settings:
    app = web.Application()
    app.router.add_route("*", "/conversations/{tail:.*}", fake.handle)
    server = await aiohttp_server(app)
    return Settings.from_env(
        {"BOT_RASA_API_URL": f"http://127.0.0.1:{server.port}", "RASA_API_TOKEN": TOKEN}
    )


def _state(**changes: Any) -> dict[str, Any]:
    return {
        "sender_id": "whatsapp:+32470123456",
        "slots": {"language": "nl"},
        "paused": False,
        "latest_input_channel": "twilio",
        "active_loop": {},
        **changes,
    }


async def test_take_over_pauses_and_tells_the_candidate_in_their_language(
    aiohttp_server: Server,
) -> None:
    fake = FakeRasa(_state())
    settings = await _start(aiohttp_server, fake)
    await handoff.take_over(settings, "whatsapp:+32470123456", "jan.vdab")
    (get, _, query, _), (post, path, post_query, events) = fake.calls
    assert get == "GET" and query == {"include_events": "NONE", "token": TOKEN}
    assert post == "POST" and path == "/conversations/whatsapp:+32470123456/tracker/events"
    assert post_query["output_channel"] == "latest"
    assert post_query["execute_side_effects"] == "true"
    assert events == [
        {"event": "pause"},
        {
            "event": "bot",
            "text": messages.text("nl", "handoff.takeover.joined"),
            "metadata": {"handoff": True, "kind": "consultant_joined", "consultant": "jan.vdab"},
        },
    ]


async def test_take_over_closes_a_form_and_forgets_its_answers(aiohttp_server: Server) -> None:
    state = _state(
        active_loop={"name": "callback_form"},
        slots={
            "language": "fr",
            "callback_name": "Marie Dupont",
            "callback_phone": None,
            "callback_email_typo": "marie@gmial.com",
        },
    )
    fake = FakeRasa(state)
    await handoff.take_over(await _start(aiohttp_server, fake), "whatsapp:+32470123456", "s")
    events = fake.calls[-1][3]
    assert events[:4] == [
        {"event": "active_loop", "name": None},
        {"event": "slot", "name": "requested_slot", "value": None},
        {"event": "slot", "name": "callback_name", "value": None},
        {"event": "slot", "name": "callback_email_typo", "value": None},
    ]
    assert events[-1]["text"] == messages.text("fr", "handoff.takeover.joined")


async def test_consultant_words_pass_through_and_hand_back_resumes(aiohttp_server: Server) -> None:
    fake = FakeRasa(_state(paused=True))
    settings = await _start(aiohttp_server, fake)
    text = "Dag An, ik bel je zo meteen op 0470 12 34 56 😊"
    await handoff.send_as_consultant(settings, "whatsapp:+32470123456", text)
    assert fake.calls[-1][3] == [
        {"event": "bot", "text": text, "metadata": {"handoff": True, "kind": "consultant_message"}}
    ]
    await handoff.hand_back(settings, "whatsapp:+32470123456")
    resume, back = fake.calls[-1][3]
    assert resume == {"event": "resume"}
    assert back["text"] == messages.text("nl", "handoff.takeover.left")
    calls = len(fake.calls)
    await handoff.hand_back(settings, "whatsapp:+32470123456")  # already back: only a read
    assert len(fake.calls) == calls + 1 and fake.calls[-1][0] == "GET"


async def test_refusals_of_the_conversation_state(aiohttp_server: Server) -> None:
    paused = await _start(aiohttp_server, FakeRasa(_state(paused=True)))
    with pytest.raises(AlreadyTakenOver):
        await handoff.take_over(paused, "c", "x")
    active = await _start(aiohttp_server, FakeRasa(_state()))
    with pytest.raises(NotTakenOver):
        await handoff.send_as_consultant(active, "c", "hello")
    with pytest.raises(ValueError):
        await handoff.send_as_consultant(active, "c", "   ")
    unknown = await _start(aiohttp_server, FakeRasa(_state(latest_input_channel=None)))
    with pytest.raises(ConversationNotFound):
        await handoff.take_over(unknown, "c", "x")


async def test_wrong_token_is_an_unavailable_api_without_the_token_in_it(
    aiohttp_server: Server,
) -> None:
    settings = await _start(aiohttp_server, FakeRasa(_state()))
    wrong = Settings.from_env(
        {"BOT_RASA_API_URL": settings.rasa_api_url, "RASA_API_TOKEN": "guessed"}
    )
    with pytest.raises(RasaApiUnavailable) as refused:
        await handoff.take_over(wrong, "c", "x")
    assert refused.value.status == 401 and "guessed" not in str(refused.value)


async def test_api_off_without_a_token() -> None:
    with pytest.raises(RasaApiUnavailable, match="RASA_API_TOKEN"):
        await handoff.take_over(Settings.from_env({}), "c", "x")


async def test_nobody_listening_is_an_unavailable_api() -> None:
    settings = Settings.from_env(
        {"BOT_RASA_API_URL": f"http://127.0.0.1:{free_port()}", "RASA_API_TOKEN": TOKEN}
    )
    with pytest.raises(RasaApiUnavailable, match="cannot reach") as failed:
        await handoff.hand_back(settings, "c")
    assert failed.value.__cause__ is not None


@pytest.mark.parametrize(
    "answer, match",
    [
        (lambda: web.json_response({"message": "boom"}, status=500), "500"),
        (lambda: web.Response(text="<html>proxy error</html>"), "not JSON"),
        (lambda: web.json_response(["not", "a", "state"]), "not a conversation"),
    ],
)
async def test_bad_answers_are_an_unavailable_api(
    aiohttp_server: Server, answer: Callable[[], web.Response], match: str
) -> None:
    async def handler(_request: web.Request) -> web.Response:
        return answer()

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    server = await aiohttp_server(app)
    settings = Settings.from_env(
        {"BOT_RASA_API_URL": f"http://127.0.0.1:{server.port}", "RASA_API_TOKEN": TOKEN}
    )
    with pytest.raises(RasaApiUnavailable, match=match):
        await handoff.take_over(settings, "c", "x")


async def test_slow_api_times_out(aiohttp_server: Server) -> None:
    async def slow(_request: web.Request) -> web.Response:
        await asyncio.sleep(2)
        return web.json_response(_state())

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", slow)
    server = await aiohttp_server(app)
    settings = Settings.from_env(
        {
            "BOT_RASA_API_URL": f"http://127.0.0.1:{server.port}",
            "RASA_API_TOKEN": TOKEN,
            "BOT_RASA_API_TIMEOUT": "0.2",
        }
    )
    with pytest.raises(RasaApiUnavailable, match="in time"):
        await handoff.take_over(settings, "c", "x")
