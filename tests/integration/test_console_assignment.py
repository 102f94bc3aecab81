"""My conversations and handing a takeover to a colleague: the real app and database
(SQLite and PostgreSQL), a local stand-in for Rasa's HTTP API (test_takeover_client)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from pathlib import Path
from typing import Any

from aiohttp import web

from bot import handoff
from bot.config import HandoffSettings, Secret
from bot.console import audit, takeovers
from bot.messages import text
from bot.storage import db
from bot.web.app import create_app
from tests.console_factories import store_events
from tests.integration.console_client import ADMIN, CONSULTANT, console_settings, prepare, sign_in
from tests.integration.test_console_live import SENDER, _conversation, _hold
from tests.integration.test_takeover_client import TOKEN, FakeRasa, _state


async def _client(aiohttp_client: Any, aiohttp_server: Any, tmp_path: Path, url: str):  # type: ignore[no-untyped-def]  # noqa: E501
    prepare(url)
    api = web.Application()
    api.router.add_route("*", "/conversations/{tail:.*}", FakeRasa(_state(paused=True)).handle)
    port = (await aiohttp_server(api)).port
    settings = dataclasses.replace(
        console_settings(tmp_path, url),
        rasa_api_token=Secret(TOKEN),
        handoff=HandoffSettings(rasa_api_url=f"http://127.0.0.1:{port}", rasa_api_timeout_s=2.0),
    )
    return await aiohttp_client(create_app(settings))


def _paused(url: str) -> None:
    engine = db.make_engine(url)
    with db.transaction(engine) as conn:
        store_events(conn, SENDER, [{"event": "pause", "timestamp": time.time()}])
    engine.dispose()


async def test_my_conversations_lists_those_i_hold_and_i_can_hand_one_to_a_colleague(
    aiohttp_client: Any, aiohttp_server: Any, tmp_path: Path, database_url: str
) -> None:
    _conversation(database_url)  # a live request, Dutch
    _paused(database_url)
    client = await _client(aiohttp_client, aiohttp_server, tmp_path, database_url)
    csrf = await sign_in(client, CONSULTANT)
    mine = await (await client.get("/console/conversations?mine=1")).text()
    assert 'href="/console/conversations/1"' not in mine  # held by nobody yet
    _hold(database_url, dt.datetime.now(dt.timezone.utc))
    mine = await (await client.get("/console/conversations?mine=1")).text()
    assert (
        'href="/console/conversations/1"' in mine
        and 'name="mine" type="checkbox" value="1" checked' in mine
    )

    page = await (await client.get("/console/conversations/1")).text()
    assert f'<option value="{ADMIN}">' in page and f'<option value="{CONSULTANT}">' not in page
    refused = await client.post(
        "/console/conversations/1/takeover/give",
        data={"csrf_token": csrf, "to": "nobody@example.org"},
        allow_redirects=False,
    )
    assert "takeover=no_colleague" in refused.headers["Location"]
    given = await client.post(
        "/console/conversations/1/takeover/give",
        data={"csrf_token": csrf, "to": ADMIN},
        allow_redirects=False,
    )
    assert "takeover=given" in given.headers["Location"]
    again = await client.post(
        "/console/conversations/1/takeover/give",
        data={"csrf_token": csrf, "to": ADMIN},
        allow_redirects=False,
    )
    assert "takeover=held" in again.headers["Location"]  # it is not mine any more
    mine = await (await client.get("/console/conversations?mine=1")).text()
    assert 'href="/console/conversations/1"' not in mine
    engine = db.make_engine(database_url)
    with db.reading(engine) as conn:
        holder = takeovers.holder(conn, SENDER)
        request = handoff.callbacks_for_candidate(conn, sender_id=SENDER)[0]
        entries = audit.recent(conn, action="takeover_given")
    engine.dispose()
    assert holder is not None and holder.consultant == ADMIN
    assert request.status == "in_progress" and request.consultant == ADMIN
    assert entries[0].actor == CONSULTANT and entries[0].details["to"] == ADMIN


async def test_a_consultant_takes_a_callback_request_in_one_click(
    aiohttp_client: Any, aiohttp_server: Any, tmp_path: Path, database_url: str
) -> None:
    _conversation(database_url, live=False)
    engine = db.make_engine(database_url)
    with db.transaction(engine) as conn:
        handoff.request_callback(
            conn, sender_id=SENDER, message_id="m9", language="nl", name="An Peeters",
            phone="+32470123456", consent_at=dt.datetime.now(dt.timezone.utc),
            consent_version=handoff.CONSENT_TEXT_VERSION,
        )  # fmt: skip
    engine.dispose()
    client = await _client(aiohttp_client, aiohttp_server, tmp_path, database_url)
    csrf = await sign_in(client, CONSULTANT)
    label = text("nl", "console.callbacks.assign_named").format(number=1)
    page = await (await client.get("/console/callbacks")).text()
    assert f'aria-label="{label}"' in page
    taken = await client.post(
        "/console/callbacks/1/status",
        data={"csrf_token": csrf, "status": "in_progress", "shown": "open"},
        allow_redirects=False,
    )
    assert taken.status == 303
    page = await (await client.get("/console/callbacks")).text()
    assert f'aria-label="{label}"' not in page and f'<p class="meta">{CONSULTANT}</p>' in page
