"""Idle takeovers handed back, and the console's live stream: the real app and database
(SQLite and PostgreSQL), a local stand-in for Rasa's HTTP API (test_takeover_client).
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from aiohttp import ClientResponse, web
from aiohttp.test_utils import TestClient

from bot import handoff
from bot.config import HandoffSettings, Secret, Settings
from bot.console import audit, conversations, takeovers
from bot.console.idle_takeovers import hand_back_idle
from bot.console.projection import refresh_projection
from bot.messages import text
from bot.storage import db, rasa_events
from bot.storage.console import conversation_takeovers
from bot.web.app import create_app
from bot.web.console.live import HUB
from tests.console_factories import bot, greeting, store_events, user
from tests.integration.console_client import ADMIN, CONSULTANT, console_settings, prepare, sign_in
from tests.integration.test_takeover_client import TOKEN, FakeRasa, _state

SENDER = "whatsapp:+32470123456"
MINUTE = 60.0


def _conversation(database_url: str, live: bool = True) -> None:
    engine = db.make_engine(database_url)
    rasa_events.create(engine)
    with db.transaction(engine) as conn:
        events = [*greeting("Dag", "nl"), user("ik wil iemand spreken", "ask_human", 0.9, "nl")]
        store_events(conn, SENDER, events)
        if live:
            handoff.request_callback(
                conn, sender_id=SENDER, message_id="m1", language="nl", channel="twilio", live=True
            )
    refresh_projection(engine)
    engine.dispose()


async def _settings(aiohttp_server: Any, tmp_path: Path, database_url: str, fake: FakeRasa,
                    idle_minutes: float = 15) -> Settings:  # fmt: skip
    app = web.Application()
    app.router.add_route("*", "/conversations/{tail:.*}", fake.handle)
    api = f"http://127.0.0.1:{(await aiohttp_server(app)).port}"
    return dataclasses.replace(
        console_settings(tmp_path, database_url),
        rasa_api_token=Secret(TOKEN),
        handoff=HandoffSettings(
            rasa_api_url=api, rasa_api_timeout_s=2.0, takeover_idle_s=idle_minutes * MINUTE
        ),
    )


def _hold(database_url: str, since: dt.datetime, consultant: str = CONSULTANT) -> None:
    engine = db.make_engine(database_url)
    with db.transaction(engine) as conn:
        takeovers.claim(conn, SENDER, consultant)
        conn.execute(conversation_takeovers.update().values(since=since))
        handoff.live_request_follows(conn, SENDER, "in_progress", consultant)
    engine.dispose()


def _candidate_writes(database_url: str, at: dt.datetime) -> None:
    engine = db.make_engine(database_url)
    with db.transaction(engine) as conn:
        store_events(conn, SENDER, [user("hallo?", "greet", 0.9, "nl", ts=at.timestamp())])
    engine.dispose()


def _read(database_url: str) -> tuple[Any, list[str], str]:
    engine = db.make_engine(database_url)
    with db.reading(engine) as conn:
        holder = takeovers.holder(conn, SENDER)
        actions = [entry.action for entry in audit.recent(conn)]
        status = handoff.callbacks_for_candidate(conn, sender_id=SENDER)[0].status
    engine.dispose()
    return holder, actions, status


async def test_a_quiet_takeover_goes_back_to_the_assistant_and_a_busy_one_stays(
    aiohttp_server: Any, tmp_path: Path, database_url: str
) -> None:
    _conversation(database_url)
    fake = FakeRasa(_state(sender_id=SENDER, paused=True))
    settings = await _settings(aiohttp_server, tmp_path, database_url, fake)
    taken = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=30)
    _hold(database_url, taken)
    _candidate_writes(database_url, taken + dt.timedelta(minutes=10))
    engine = db.make_engine(database_url)
    try:
        # 20 minutes after the takeover, the candidate wrote 10 minutes ago: not idle.
        assert await hand_back_idle(engine, settings, now=taken + dt.timedelta(minutes=20)) == []
        assert fake.calls == [] and _read(database_url)[0] is not None
        # 26 minutes after: nobody wrote for 16 minutes (limit 15).
        handed = await hand_back_idle(engine, settings, now=taken + dt.timedelta(minutes=26))
    finally:
        engine.dispose()
    assert [h.consultant for h in handed] == [CONSULTANT] and handed[0].number == 1
    events = fake.calls[-1][3]
    assert events[0] == {"event": "resume"}
    assert events[1]["text"] == text("nl", "handoff.takeover.idle")
    assert events[1]["metadata"]["kind"] == "assistant_back_idle"
    holder, actions, status = _read(database_url)
    assert holder is None and "takeover_idle" in actions and status == "done"


async def test_an_idle_takeover_is_kept_when_rasa_cannot_be_reached(
    aiohttp_server: Any, tmp_path: Path, database_url: str
) -> None:
    _conversation(database_url)
    settings = dataclasses.replace(
        console_settings(tmp_path, database_url),
        rasa_api_token=Secret(TOKEN),
        handoff=HandoffSettings(rasa_api_url="http://127.0.0.1:9", rasa_api_timeout_s=1.0),
    )
    taken = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)
    _hold(database_url, taken)
    engine = db.make_engine(database_url)
    try:
        assert await hand_back_idle(engine, settings) == []
    finally:
        engine.dispose()
    holder, actions, status = _read(database_url)
    assert holder is not None and holder.consultant == CONSULTANT  # retried next time
    assert "takeover_idle" not in actions and status == "in_progress"


# --- the live stream ----------------------------------------------------------------------


async def _events(response: ClientResponse) -> AsyncIterator[tuple[str, str, dict[str, Any]]]:
    """(id, event, data) of a text/event-stream, as an EventSource reads it."""
    fields: dict[str, str] = {}
    async for raw in response.content:
        line = raw.decode().rstrip("\n")
        if not line:
            if "event" in fields or "data" in fields:
                yield (
                    fields.get("id", ""),
                    fields.get("event", "message"),
                    json.loads(fields.get("data") or "{}"),
                )
            fields = {}
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(": ")
        fields[name] = value


async def _next(stream: AsyncIterator[tuple[str, str, dict[str, Any]]], kind: str,
                timeout: float = 10.0) -> tuple[str, dict[str, Any]]:  # fmt: skip
    async def find() -> tuple[str, dict[str, Any]]:
        async for event_id, name, data in stream:
            if name == kind:
                return event_id, data
        raise AssertionError("the stream ended")

    return await asyncio.wait_for(find(), timeout)


async def _app(aiohttp_client: Any, settings: Settings) -> TestClient:
    prepare(settings.database_url)
    return await aiohttp_client(create_app(settings))


async def test_the_stream_needs_a_signed_in_consultant(
    aiohttp_client: Any, tmp_path: Path, database_url: str
) -> None:
    client = await _app(aiohttp_client, console_settings(tmp_path, database_url))
    response = await client.get("/console/live", allow_redirects=False)
    assert response.status == 303 and "/console/login" in response.headers["Location"]


async def test_a_candidate_message_and_a_live_request_reach_every_open_console(
    aiohttp_client: Any, tmp_path: Path, database_url: str
) -> None:
    _conversation(database_url, live=False)
    settings = console_settings(tmp_path, database_url)
    first = await _app(aiohttp_client, settings)
    await sign_in(first, CONSULTANT)
    second = await aiohttp_client(first.server)  # the same app, another browser
    await sign_in(second, ADMIN)
    streams = []
    for client in (first, second):
        response = await client.get("/console/live")
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/event-stream")
        streams.append(_events(response))
    await asyncio.sleep(0)  # both subscribed before anything happens
    engine = db.make_engine(database_url)
    written = time.time()
    with db.transaction(engine) as conn:
        store_events(conn, SENDER, [user("is daar iemand?", "ask_human", 0.9, "nl")])
        handoff.request_callback(
            conn, sender_id=SENDER, message_id="m2", language="nl", channel="twilio", live=True
        )
    engine.dispose()
    for stream in streams:
        _, message = await _next(stream, "message")
        assert message["conversation"] == 1 and message["author"] == "candidate"
        _, request = await _next(stream, "request")
        assert request["conversation"] == 1 and request["live"] and request["status"] == "new"
    assert time.time() - written < 5
    # Nothing personal in the stream: no sender id, no text.
    assert SENDER not in json.dumps([message, request]) and "iemand" not in json.dumps(message)


async def test_a_reconnecting_tab_gets_what_it_missed(
    aiohttp_client: Any, tmp_path: Path, database_url: str
) -> None:
    _conversation(database_url, live=False)
    client = await _app(aiohttp_client, console_settings(tmp_path, database_url))
    await sign_in(client, CONSULTANT)
    stream = _events(await client.get("/console/live"))
    engine = db.make_engine(database_url)
    with db.transaction(engine) as conn:
        store_events(conn, SENDER, [user("een", "greet", 0.9, "nl")])
    first_id, _ = await _next(stream, "message")
    with db.transaction(engine) as conn:  # written while the tab is away
        store_events(conn, SENDER, [user("twee", "greet", 0.9, "nl")])
    engine.dispose()
    hub = client.server.app[HUB]
    for _ in range(100):  # until the hub has read it (no tab waits for it meanwhile)
        if hub.seq >= int(first_id.split(".")[1]) + 1:
            break
        await asyncio.sleep(0.05)
    again = _events(await client.get("/console/live", headers={"Last-Event-ID": first_id}))
    event_id, data = await _next(again, "message")
    assert data["conversation"] == 1 and event_id != first_id
    unknown = _events(await client.get("/console/live", headers={"Last-Event-ID": "other.3"}))
    await _next(unknown, "resync")


async def test_an_idle_takeover_is_handed_back_and_its_holder_told_on_the_stream(
    aiohttp_client: Any, aiohttp_server: Any, tmp_path: Path, database_url: str
) -> None:
    _conversation(database_url)
    fake = FakeRasa(_state(sender_id=SENDER))
    settings = await _settings(aiohttp_server, tmp_path, database_url, fake, idle_minutes=0.02)
    holder = await _app(aiohttp_client, settings)
    csrf = await sign_in(holder, CONSULTANT)
    colleague = await aiohttp_client(holder.server)
    await sign_in(colleague, ADMIN)
    mine = _events(await holder.get("/console/live"))
    theirs = _events(await colleague.get("/console/live"))
    taken = await holder.post(
        "/console/conversations/1/takeover", data={"csrf_token": csrf}, allow_redirects=False
    )
    assert "takeover=taken" in taken.headers["Location"]
    _, held = await _next(theirs, "takeover")
    assert held == {"conversation": 1, "held_by": CONSULTANT}
    _, request = await _next(theirs, "request")
    assert request["status"] == "in_progress" and request["held_by"] == CONSULTANT
    # Nobody writes: after 1.2 s (BOT_TAKEOVER_IDLE_MINUTES=0.02) the background hands back.
    _, told = await _next(mine, "idle")
    assert told == {"conversation": 1}
    _, released = await _next(theirs, "takeover")
    assert released == {"conversation": 1, "held_by": None}
    assert fake.calls[-1][3][1]["text"] == text("nl", "handoff.takeover.idle")
    _, actions, status = _read(database_url)
    assert "takeover_idle" in actions and status == "done"


async def test_the_queue_puts_whoever_waits_live_first_longest_wait_first(
    aiohttp_client: Any, tmp_path: Path, database_url: str
) -> None:
    engine = db.make_engine(database_url)
    rasa_events.create(engine)
    start = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=2)
    with db.transaction(engine) as conn:
        for minutes, sender, live in ((0, "call", False), (30, "late", True), (10, "early", True)):
            store_events(conn, sender, [user("iemand aub", "ask_human", 0.9, "nl")])
            handoff.request_callback(
                conn, sender_id=sender, message_id="m", language="nl", live=live,
                name=None if live else "An Peeters", phone=None if live else "+32470123456",
                consent_at=None if live else start, consent_version="v",
                now=start + dt.timedelta(minutes=minutes),
            )  # fmt: skip
    refresh_projection(engine)
    with db.reading(engine) as conn:
        numbers = conversations.numbers_for(conn, ["call", "late", "early"])
    engine.dispose()
    client = await _app(aiohttp_client, console_settings(tmp_path, database_url))
    await sign_in(client, CONSULTANT)
    page = await (await client.get("/console/callbacks")).text()
    order = [page.index(f">#{numbers[s]}</a>") for s in ("early", "late", "call")]
    assert order == sorted(order)
    assert page.count('class="waiting" data-since=') == 2
    # Every console page carries the live bar (hidden until the script runs) and its texts.
    assert 'id="live-bar"' in page and "hidden>" in page
    assert json.dumps(text("nl", "console.live.waiting_none"))[1:-1] in page


async def test_a_held_transcript_says_since_when_the_candidate_waits_for_an_answer(
    aiohttp_client: Any, tmp_path: Path, database_url: str
) -> None:
    _conversation(database_url, live=False)
    engine = db.make_engine(database_url)
    asked = time.time() - 90
    with db.transaction(engine) as conn:
        store_events(conn, SENDER, [{"event": "pause", "timestamp": asked - 10}])
        store_events(conn, SENDER, [user("hallo, nog iemand daar?", "greet", 0.9, "nl", ts=asked)])
    engine.dispose()
    _hold(database_url, dt.datetime.now(dt.timezone.utc))
    client = await _app(aiohttp_client, console_settings(tmp_path, database_url))
    await sign_in(client, CONSULTANT)
    waits = f'<p class="waiting-line">{text("nl", "console.live.candidate_waits")} <span'
    page = await (await client.get("/console/conversations/1")).text()
    assert waits in page
    assert f'data-since="{dt.datetime.fromtimestamp(asked, dt.timezone.utc).isoformat()}"' in page
    engine = db.make_engine(database_url)
    with db.transaction(engine) as conn:  # the consultant answers: nobody waits any more
        store_events(conn, SENDER, [bot("Ja, ik ben er.", ts=asked + 5)])
    engine.dispose()
    assert waits not in await (await client.get("/console/conversations/1")).text()
