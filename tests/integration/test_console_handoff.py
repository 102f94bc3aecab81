"""Callback queue and live takeover in the console: the real app and database, bot.handoff
underneath, and a local stand-in for Rasa's HTTP API (tests/integration/test_takeover_client)."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlalchemy import select

from bot import handoff
from bot.config import HandoffSettings, Secret
from bot.console import takeovers
from bot.console.projection import refresh_projection
from bot.messages import catalog, text
from bot.storage import db, rasa_events
from bot.storage.console import audit
from bot.web.app import create_app
from tests.console_factories import greeting, store_events, user
from tests.integration.console_client import ADMIN, CONSULTANT, console_settings, prepare, sign_in
from tests.integration.test_takeover_client import TOKEN, FakeRasa, _state

SENDER = "whatsapp:+32470123456"


def _conversation(database_url: str, paused: bool = False) -> None:
    engine = db.make_engine(database_url)
    rasa_events.create(engine)
    with db.transaction(engine) as conn:
        events = [*greeting("Dag", "nl"), user("ik wil iemand spreken", "ask_human", 0.9, "nl")]
        if paused:
            events.append({"event": "pause", "timestamp": events[-1]["timestamp"] + 1})
        store_events(conn, SENDER, events)
        handoff.request_callback(
            conn,
            sender_id=SENDER,
            message_id="m1",
            language="nl",
            channel="twilio",
            name="An Peeters",
            phone="+32470123456",
            preferred_moment="morgen voormiddag",
            topic="faq/taxes",
            consent_at=datetime.now(timezone.utc),
            consent_version=handoff.CONSENT_TEXT_VERSION,
        )
    refresh_projection(engine)
    engine.dispose()


async def _client(
    aiohttp_client,
    aiohttp_server,
    tmp_path: Path,
    database_url: str,
    fake: FakeRasa | None,
    accounts: bool = True,
) -> TestClient:
    if accounts:
        prepare(database_url)
    api = "http://127.0.0.1:9"  # nothing listens there: the API is down
    if fake is not None:
        app = web.Application()
        app.router.add_route("*", "/conversations/{tail:.*}", fake.handle)
        api = f"http://127.0.0.1:{(await aiohttp_server(app)).port}"
    settings = dataclasses.replace(
        console_settings(tmp_path, database_url),
        rasa_api_token=Secret(TOKEN),
        handoff=HandoffSettings(rasa_api_url=api, rasa_api_timeout_s=1.0),
    )
    return await aiohttp_client(create_app(settings))


async def test_callback_queue_lists_requests_and_takes_a_status(
    aiohttp_client, aiohttp_server, tmp_path: Path, database_url: str
) -> None:
    _conversation(database_url)
    client = await _client(aiohttp_client, aiohttp_server, tmp_path, database_url, None)
    csrf = await sign_in(client, CONSULTANT)
    page = await (await client.get("/console/callbacks")).text()
    assert "An Peeters" in page and "morgen voormiddag" in page
    topic = catalog("nl")["console"]["intent_names"]["faq/taxes"]  # named, not faq/taxes
    assert f'<span title="faq/taxes">{topic}</span>' in page
    assert 'href="/console/conversations/1#takeover"' in page
    response = await client.post(
        "/console/callbacks/1/status",
        data={"csrf_token": csrf, "status": "done"},
        allow_redirects=False,
    )
    assert response.status == 303
    assert "An Peeters" not in await (await client.get("/console/callbacks")).text()
    done = await (await client.get("/console/callbacks?status=done")).text()
    assert "An Peeters" in done and CONSULTANT in done


async def test_take_over_write_and_hand_back(
    aiohttp_client, aiohttp_server, tmp_path: Path, database_url: str
) -> None:
    _conversation(database_url)
    fake = FakeRasa(_state(sender_id=SENDER))
    client = await _client(aiohttp_client, aiohttp_server, tmp_path, database_url, fake)
    csrf = await sign_in(client, CONSULTANT)
    page = await (await client.get("/console/conversations/1")).text()
    assert text("nl", "console.takeover.take_over") in page
    taken = await client.post(
        "/console/conversations/1/takeover", data={"csrf_token": csrf}, allow_redirects=False
    )
    assert taken.headers["Location"].endswith("?takeover=taken#takeover")
    assert fake.calls[-1][3][0] == {"event": "pause"}
    assert fake.calls[-1][1] == f"/conversations/{SENDER}/tracker/events"
    again = await client.post(
        "/console/conversations/1/takeover", data={"csrf_token": csrf}, allow_redirects=False
    )
    assert "takeover=already" in again.headers["Location"]
    sent = await client.post(
        "/console/conversations/1/message",
        data={"csrf_token": csrf, "message": "Dag An, ik bel je zo."},
        allow_redirects=False,
    )
    assert "takeover=sent" in sent.headers["Location"]
    assert fake.calls[-1][3] == [
        {
            "event": "bot",
            "text": "Dag An, ik bel je zo.",
            "metadata": {"handoff": True, "kind": "consultant_message"},
        }
    ]
    back = await client.post(
        "/console/conversations/1/handback", data={"csrf_token": csrf}, allow_redirects=False
    )
    assert "takeover=handed_back" in back.headers["Location"]
    assert fake.calls[-1][3][0] == {"event": "resume"}
    engine = db.make_engine(database_url)
    with db.reading(engine) as conn:
        actions = [row.action for row in conn.execute(select(audit.c.action))]
    engine.dispose()
    assert "takeover" in actions


async def test_a_paused_conversation_offers_the_message_box(
    aiohttp_client, aiohttp_server, tmp_path: Path, database_url: str
) -> None:
    _conversation(database_url, paused=True)
    client = await _client(aiohttp_client, aiohttp_server, tmp_path, database_url, None)
    await sign_in(client, CONSULTANT)
    page = await (await client.get("/console/conversations/1")).text()
    assert text("nl", "console.takeover.hand_back") in page
    assert 'name="message"' in page


async def test_rasa_api_down_is_said_not_crashed(
    aiohttp_client, aiohttp_server, tmp_path: Path, database_url: str
) -> None:
    _conversation(database_url)
    client = await _client(aiohttp_client, aiohttp_server, tmp_path, database_url, None)
    csrf = await sign_in(client, CONSULTANT)
    response = await client.post("/console/conversations/1/takeover", data={"csrf_token": csrf})
    assert response.status == 200
    assert str(text("nl", "console.takeover.outcome.unavailable"))[:30] in await response.text()


async def test_a_moment_chosen_with_a_button_is_said_in_the_consultants_language(
    aiohttp_client, aiohttp_server, tmp_path: Path, database_url: str
) -> None:
    _conversation(database_url)
    engine = db.make_engine(database_url)
    with db.transaction(engine) as conn:
        handoff.request_callback(
            conn,
            sender_id="web-other",
            message_id="m9",
            language="fr",
            channel="socketio",
            name="Marie Dupont",
            phone="0612345678",
            preferred_moment="afternoon",
            consent_at=datetime.now(timezone.utc),
            consent_version=handoff.CONSENT_TEXT_VERSION,
        )
    engine.dispose()
    client = await _client(aiohttp_client, aiohttp_server, tmp_path, database_url, None)
    await sign_in(client, CONSULTANT)
    page = await (await client.get("/console/callbacks")).text()
    assert f"<td>{text('nl', 'handoff.moment.afternoon')}</td>" in page
    assert "<td>afternoon</td>" not in page
    assert "<td>morgen voormiddag</td>" in page  # the candidate's own words stay as typed


async def test_erasure_covers_callback_requests(
    aiohttp_client, aiohttp_server, tmp_path: Path, database_url: str
) -> None:
    _conversation(database_url)
    client = await _client(aiohttp_client, aiohttp_server, tmp_path, database_url, None)
    csrf = await sign_in(client, ADMIN)
    form = {"csrf_token": csrf, "email": "", "phone": "0470 12 34 56", "conversation": ""}
    found = await (await client.post("/console/admin/privacy", data=form)).text()
    assert text("fr", "console.privacy.found_callbacks").format(count=1) in found
    erased = await client.post("/console/admin/privacy/erase", data={**form, "confirm": "yes"})
    assert erased.status == 200
    engine = db.make_engine(database_url)
    with db.reading(engine) as conn:
        assert handoff.callbacks_for_candidate(conn, phone="+32470123456") == []
        assert handoff.list_callbacks(conn) == []
    engine.dispose()


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy"):
        monkeypatch.delenv(name, raising=False)


async def test_a_takeover_belongs_to_its_consultant_until_a_colleague_takes_it_explicitly(
    aiohttp_client, aiohttp_server, tmp_path: Path, database_url: str
) -> None:
    _conversation(database_url, paused=True)  # paused before holders were kept: nobody holds it
    engine = db.make_engine(database_url)
    with db.transaction(engine) as conn:  # the candidate waits live, besides the callback
        live = handoff.request_callback(
            conn, sender_id=SENDER, message_id="m2", language="nl", channel="twilio", live=True
        )

    def statuses() -> dict[bool, tuple[str, str | None]]:
        with db.reading(engine) as conn:
            return {c.live: (c.status, c.consultant) for c in handoff.list_callbacks(conn)}

    fake = FakeRasa(_state(sender_id=SENDER, paused=True))
    mine = await _client(aiohttp_client, aiohttp_server, tmp_path, database_url, fake)
    theirs = await _client(aiohttp_client, aiohttp_server, tmp_path, database_url, fake, False)
    jan, anne = await sign_in(mine, CONSULTANT), await sign_in(theirs, ADMIN)

    async def post(client: TestClient, csrf: str, path: str, **data: str) -> str:
        response = await client.post(
            f"/console/conversations/1/{path}",
            data={"csrf_token": csrf, **data},
            allow_redirects=False,
        )
        return response.headers["Location"]

    assert "takeover=taken" in await post(mine, jan, "takeover")  # claimed, not paused again
    assert not [call for call in fake.calls if call[0] == "POST"]
    assert statuses() == {True: ("in_progress", CONSULTANT), False: ("new", None)}
    page = await (await theirs.get("/console/conversations/1")).text()
    assert text("fr", "console.takeover.take_from").format(who=CONSULTANT) in page
    assert 'name="message"' not in page  # no message box over a colleague's shoulder
    calls = len(fake.calls)
    assert "takeover=held" in await post(theirs, anne, "message", message="Bonjour")
    assert "takeover=held" in await post(theirs, anne, "handback")
    assert "takeover=held" in await post(theirs, anne, "takeover")
    assert len(fake.calls) == calls  # Rasa was not asked anything
    mine_page = await (await mine.get("/console/conversations/1")).text()
    assert 'name="message"' in mine_page

    assert "takeover=transferred" in await post(theirs, anne, "takeover/from")
    assert statuses()[True] == ("in_progress", ADMIN)
    assert "takeover=held" in await post(mine, jan, "message", message="Dag An")
    assert "takeover=sent" in await post(theirs, anne, "message", message="Bonjour An")
    assert "takeover=handed_back" in await post(theirs, anne, "handback")
    assert fake.calls[-1][3][0] == {"event": "resume"}
    assert statuses() == {True: ("done", ADMIN), False: ("new", None)}
    assert live.status == "new"
    with db.reading(engine) as conn:
        rows = conn.execute(select(audit.c.actor, audit.c.action, audit.c.details)).all()
        assert takeovers.holder(conn, SENDER) is None  # handed back: nobody holds it
    engine.dispose()
    transferred = [r for r in rows if r.action == "takeover_transferred"]
    assert [(r.actor, json.loads(r.details)["previous"]) for r in transferred] == [
        (ADMIN, CONSULTANT)
    ]
