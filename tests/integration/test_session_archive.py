"""Archiving a past or test session (SQLite and PostgreSQL): it leaves the lists and what
candidates see, takes no booking, and the statistics still count it; through the console in
both languages, audited."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot import sessions
from bot.console import support_stats
from bot.console.analytics import Period
from bot.errors import SessionCancelled
from bot.sessions.archive import ArchiveRefused, archive_session
from bot.storage import db
from bot.storage.console import audit
from bot.web.app import create_app
from bot.web.keys import SETTINGS
from tests.factories import booking_fields, html_text, in_days, make_info_session
from tests.integration.console_client import (
    ADMIN,
    CONSULTANT,
    console_settings,
    prepare,
    sign_in,
)


def test_a_test_session_nobody_booked_is_archived_hidden_and_takes_no_booking(
    engine: Engine,
) -> None:
    with db.transaction(engine) as conn:
        test = make_info_session(conn, starts_at=in_days(5))
        kept = make_info_session(conn, starts_at=in_days(6))
        archived = archive_session(conn, test.id, "anne@forem.be")
        assert archived.archived_at is not None and archived.status == "cancelled"
        assert [s.id for s in sessions.upcoming_sessions(conn)] == [kept.id]
        assert [s.id for s in sessions.list_sessions(conn)] == [kept.id]
        assert [s.id for s in sessions.list_sessions(conn, archived=True)] == [test.id]
        with pytest.raises(SessionCancelled):
            sessions.book(conn, test.id, **booking_fields())
        again = archive_session(conn, test.id, "jan@vdab.be")
        assert again.archived_at == archived.archived_at  # archiving twice changes nothing


def test_a_future_session_with_bookings_is_refused_and_a_past_one_is_archived_and_counted(
    engine: Engine,
) -> None:
    with db.transaction(engine) as conn:
        booked = make_info_session(conn, starts_at=in_days(5))
        sessions.book(conn, booked.id, **booking_fields())
        with pytest.raises(ArchiveRefused) as refused:
            archive_session(conn, booked.id, "anne@forem.be")
        assert refused.value.reason == "has_bookings"
        after_it = booked.ends_at + dt.timedelta(days=1)
        archived = archive_session(conn, booked.id, "anne@forem.be", now=after_it)
        assert archived.status == booked.status  # a past session keeps its status
        start = booked.starts_at.date()
        found = support_stats.compute(conn, Period(start, start))
    assert [(s.id, s.booked) for s in found.sessions] == [(booked.id, 1)]


@pytest.fixture
async def client(aiohttp_client, tmp_path: Path) -> TestClient:
    from bot.storage import migrate

    url = f"sqlite:///{tmp_path / 'app.db'}"
    migrate.upgrade(url)
    prepare(url)
    engine = db.make_engine(url)
    with db.transaction(engine) as conn:
        make_info_session(conn, starts_at=in_days(4), title_fr="Séance de test", title_nl="Test")
        booked = make_info_session(conn, starts_at=in_days(5))
        sessions.book(conn, booked.id, **booking_fields())
    engine.dispose()
    return await aiohttp_client(create_app(console_settings(tmp_path, url)))


@pytest.mark.parametrize(("account", "lang"), [(ADMIN, "fr"), (CONSULTANT, "nl")])
async def test_the_console_archives_a_test_session_and_refuses_a_booked_one(
    client: TestClient, account: str, lang: str
) -> None:
    csrf = await sign_in(client, account)
    page = await (await client.get("/console/sessions/1")).text()
    assert html_text(lang, "console.sessions.archive_explained") in page
    archived = await client.post("/console/sessions/1/archive", data={"csrf_token": csrf})
    listing = await archived.text()
    assert str(archived.url).endswith("/console/sessions?done=archived")
    assert html_text(lang, "console.sessions.done.archived") in listing
    assert 'href="/console/sessions/1"' not in listing
    assert 'href="/console/sessions/2"' in listing
    shelf = await (await client.get("/console/sessions", params={"archived": "yes"})).text()
    assert html_text(lang, "console.sessions.archived_intro") in shelf
    assert 'href="/console/sessions/1"' in shelf and 'href="/console/sessions/2"' not in shelf
    detail = await (await client.get("/console/sessions/1")).text()
    assert html_text(lang, "console.sessions.archive_explained") not in detail
    refused = await client.post("/console/sessions/2/archive", data={"csrf_token": csrf})
    assert html_text(lang, "console.sessions.done.archive_has_bookings") in await refused.text()
    engine = db.make_engine(client.server.app[SETTINGS].database_url)
    with db.transaction(engine) as conn:
        entries = conn.execute(select(audit.c.details).where(audit.c.action == "session_saved"))
        assert [row.details for row in entries] == ['{"change": "archived", "session": 1}']
    engine.dispose()
