"""Canned replies: admins keep them per language, the holder of a takeover sends one in a
click, in the conversation's language. The real app and database (SQLite and PostgreSQL) and
a local stand-in for Rasa's HTTP API (test_takeover_client)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from pathlib import Path
from typing import Any

from aiohttp import web
from markupsafe import escape

from bot.config import HandoffSettings, Secret
from bot.console import audit
from bot.messages import text
from bot.storage import db
from bot.web.app import create_app
from tests.console_factories import store_events
from tests.integration.console_client import ADMIN, CONSULTANT, console_settings, prepare, sign_in
from tests.integration.test_console_live import SENDER, _conversation, _hold
from tests.integration.test_takeover_client import TOKEN, FakeRasa, _state

WAIT = "Ik bekijk uw dossier, een ogenblik."


async def _client(
    aiohttp_client: Any, aiohttp_server: Any, tmp_path: Path, url: str, fake: FakeRasa
):  # type: ignore[no-untyped-def]  # noqa: E501
    prepare(url)
    api = web.Application()
    api.router.add_route("*", "/conversations/{tail:.*}", fake.handle)
    port = (await aiohttp_server(api)).port
    settings = dataclasses.replace(
        console_settings(tmp_path, url),
        rasa_api_token=Secret(TOKEN),
        handoff=HandoffSettings(rasa_api_url=f"http://127.0.0.1:{port}", rasa_api_timeout_s=2.0),
    )
    return await aiohttp_client(create_app(settings))


async def test_admins_keep_replies_per_language_and_the_holder_sends_one(
    aiohttp_client: Any, aiohttp_server: Any, tmp_path: Path, database_url: str
) -> None:
    _conversation(database_url, live=False)  # a Dutch conversation
    fake = FakeRasa(_state(sender_id=SENDER, paused=True))
    admin = await _client(aiohttp_client, aiohttp_server, tmp_path, database_url, fake)
    csrf = await sign_in(admin, ADMIN)  # reads French
    for language, title, body in (("nl", "Even geduld", WAIT), ("fr", "Patience", "Un instant.")):
        saved = await admin.post(
            "/console/admin/replies",
            data={"csrf_token": csrf, "language": language, "title": title, "text": body},
            allow_redirects=False,
        )
        assert saved.status == 303
    again = await admin.post(
        "/console/admin/replies",
        data={"csrf_token": csrf, "language": "nl", "title": " Even  geduld ", "text": "x"},
    )
    assert again.status == 400
    assert text("fr", "console.replies.refused.exists") in await again.text()
    empty = await admin.post(
        "/console/admin/replies", data={"csrf_token": csrf, "language": "nl", "title": ""}
    )
    assert empty.status == 400
    assert text("fr", "console.replies.refused.title") in await empty.text()
    page = await (await admin.get("/console/admin/replies")).text()
    assert WAIT in page and "Un instant." in page

    consultant = await aiohttp_client(admin.server)
    csrf = await sign_in(consultant, CONSULTANT)  # reads Dutch
    assert (await consultant.get("/console/admin/replies", allow_redirects=False)).status == 403
    engine = db.make_engine(database_url)
    with db.transaction(engine) as conn:  # paused by the takeover, as Rasa records it
        store_events(conn, SENDER, [{"event": "pause", "timestamp": time.time()}])
    engine.dispose()
    _hold(database_url, dt.datetime.now(dt.timezone.utc))
    transcript = await (await consultant.get("/console/conversations/1")).text()
    assert escape(text("nl", "console.replies.send").format(title="Even geduld")) in transcript
    assert "Un instant." not in transcript  # the conversation is Dutch
    sent = await consultant.post(
        "/console/conversations/1/message",
        data={"csrf_token": csrf, "message": WAIT},
        allow_redirects=False,
    )
    assert "takeover=sent" in sent.headers["Location"]
    assert fake.calls[-1][3][0]["text"] == WAIT

    deleted = await admin.post(
        "/console/admin/replies/1/delete", data={"csrf_token": await sign_in(admin, ADMIN)},
        allow_redirects=False,
    )  # fmt: skip
    assert deleted.status == 303
    assert WAIT not in await (await consultant.get("/console/conversations/1")).text()
    engine = db.make_engine(database_url)
    with db.reading(engine) as conn:
        actions = [entry.action for entry in audit.recent(conn)]
    engine.dispose()
    assert actions.count("reply_saved") == 2 and "reply_deleted" in actions
