"""Saved filters of the conversation list, per consultant: the real app and database
(SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from markupsafe import escape
from sqlalchemy import select

from bot.messages import text
from bot.storage import db
from bot.storage.console import saved_filters
from bot.web.app import create_app
from tests.integration.console_client import ADMIN, CONSULTANT, console_settings, prepare, sign_in

NAME = "Nederlands op WhatsApp"


async def test_a_consultant_saves_opens_and_removes_a_filter_of_their_own(
    aiohttp_client: Any, tmp_path: Path, database_url: str
) -> None:
    prepare(database_url)
    app = create_app(console_settings(tmp_path, database_url))
    mine = await aiohttp_client(app)
    csrf = await sign_in(mine, CONSULTANT)  # reads Dutch
    form = {"csrf_token": csrf, "name": f" {NAME} ", "language": "nl", "channel": "twilio",
            "mine": "1", "q": "0470 12 34 56"}  # fmt: skip
    saved = await mine.post("/console/conversations/filters", data=form, allow_redirects=False)
    assert saved.status == 303
    assert saved.headers["Location"].endswith("channel=twilio&language=nl&mine=1&filter_saved=1")
    page = await (await mine.get(saved.headers["Location"])).text()
    link = escape("/console/conversations?channel=twilio&language=nl&mine=1")
    assert f'<a href="{link}">{NAME}</a>' in page
    assert text("nl", "console.saved_filters.saved") in page
    engine = db.make_engine(database_url)
    with db.reading(engine) as conn:
        stored = [row.query for row in conn.execute(select(saved_filters.c.query))]
    engine.dispose()
    assert stored == ["channel=twilio&language=nl&mine=1"]  # never the search (a phone here)

    again = await mine.post("/console/conversations/filters", data=form, allow_redirects=False)
    assert "filter_error=exists" in again.headers["Location"]
    nothing = await mine.post(
        "/console/conversations/filters", data={"csrf_token": csrf, "name": "Alles"},
        allow_redirects=False,
    )  # fmt: skip
    assert "filter_error=empty" in nothing.headers["Location"]
    shown = await (await mine.get(nothing.headers["Location"])).text()
    assert text("nl", "console.saved_filters.refused.empty") in shown

    colleague = await aiohttp_client(mine.server)
    other_csrf = await sign_in(colleague, ADMIN)
    assert NAME not in await (await colleague.get("/console/conversations")).text()
    theirs = await colleague.post(
        "/console/conversations/filters/1/delete", data={"csrf_token": other_csrf}
    )
    assert theirs.status == 404
    removed = await mine.post(
        "/console/conversations/filters/1/delete", data={"csrf_token": csrf},
        allow_redirects=False,
    )  # fmt: skip
    assert removed.status == 303
    assert NAME not in await (await mine.get("/console/conversations")).text()
