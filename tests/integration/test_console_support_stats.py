"""The statistics of the consultants' work on SQLite and PostgreSQL, with real rows: takeovers
per channel, live and callback requests with their waiting and answer times, and the
attendance of the sessions of the period; then the page in both languages."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import insert, select
from sqlalchemy.engine import Connection, Engine

from bot import handoff, sessions
from bot.console import support_stats
from bot.console.analytics import Period
from bot.console.projection import refresh_projection
from bot.storage import db
from bot.storage.console import audit, conversations
from bot.web.app import create_app
from tests.console_factories import greeting, store_events, user
from tests.factories import booking_fields, html_text, in_days, make_info_session
from tests.integration.console_client import (
    ADMIN,
    CONSULTANT,
    console_settings,
    prepare,
    sign_in,
)

DAY = dt.date(2026, 11, 10)
T0 = dt.datetime(2026, 11, 10, 9, 0, tzinfo=dt.timezone.utc)
PERIOD = Period(DAY, DAY + dt.timedelta(days=6))


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    prepare(database_url)
    engine = db.make_engine(database_url)
    yield engine
    engine.dispose()


def _request(
    conn: Connection,
    n: int,
    channel: str,
    live: bool,
    made: dt.datetime,
    taken_after: float | None = None,
    closed_after: float | None = None,
) -> None:
    request = handoff.request_callback(
        conn,
        sender_id=f"conv-{n}",
        message_id=f"m-{n}",
        language="fr",
        channel=channel,
        live=live,
        name=None if live else "Marie Dupont",
        phone=None if live else f"+3247012{n:04d}",
        consent_at=None if live else made,
        consent_version=None if live else handoff.CONSENT_TEXT_VERSION,
        now=made,
    )
    if taken_after is not None:
        moment = made + dt.timedelta(seconds=taken_after)
        handoff.set_callback_status(conn, request.id, "in_progress", "anne@forem.be", moment)
    if closed_after is not None:
        moment = made + dt.timedelta(seconds=closed_after)
        handoff.set_callback_status(conn, request.id, "done", "anne@forem.be", moment)


def _takeover(conn: Connection, conversation: int, at: dt.datetime) -> None:
    details = json.dumps({"conversation": conversation})
    conn.execute(
        insert(audit).values(at=at, actor="anne@forem.be", action="takeover", details=details)
    )


def _number(conn: Connection, sender: str) -> int:
    c = conversations.c
    return int(conn.execute(select(c.id).where(c.sender_id == sender)).scalar_one())


def test_requests_are_counted_per_channel_with_median_and_p90_times(engine: Engine) -> None:
    with db.transaction(engine) as conn:
        # Website callbacks taken after 60, 120, 300 and 600 s; closed after 1 h (twice).
        for n, taken in enumerate((60, 120, 300, 600), start=1):
            closed = 3600 if n <= 2 else None
            _request(conn, n, "socketio", False, T0 + dt.timedelta(hours=n), taken, closed)
        _request(conn, 5, "socketio", False, T0, None)  # never acted on: counted, not timed
        _request(conn, 6, "twilio", True, T0, 30, 900)  # WhatsApp, live
        _request(conn, 7, "facebook", True, T0, 90)  # Messenger, live, still in progress
        _request(conn, 8, "telegram", False, T0 - dt.timedelta(days=1), 5, 10)  # before
        _request(conn, 9, "rest", False, T0 + dt.timedelta(days=7), 5, 10)  # after
    with db.transaction(engine) as conn:
        found = support_stats.compute(conn, PERIOD)
    callbacks = {row.channel: row for row in found.of("callback")}
    assert callbacks["website"].count == 5
    assert callbacks["website"].waiting == support_stats.Timing(4, 120.0, 600.0)
    assert callbacks["website"].answer == support_stats.Timing(2, 3600.0, 3600.0)
    assert callbacks["telegram"].count == callbacks["rest"].count == 0  # outside the period
    assert callbacks["total"].count == 5
    live = {row.channel: row for row in found.of("live")}
    assert live["whatsapp"].count == live["messenger"].count == 1
    assert live["whatsapp"].waiting.median == 30.0 and live["whatsapp"].answer.median == 900.0
    assert live["messenger"].answer == support_stats.Timing(0, None, None)
    assert live["total"].waiting == support_stats.Timing(2, 30.0, 90.0)
    assert live["website"].count == 0


def test_reopening_a_request_keeps_its_first_action_and_clears_its_closing(
    engine: Engine,
) -> None:
    with db.transaction(engine) as conn:
        _request(conn, 1, "socketio", False, T0, 60, 120)
        handoff.set_callback_status(
            conn, 1, "in_progress", "jan@vdab.be", T0 + dt.timedelta(hours=2)
        )
        found = support_stats.compute(conn, PERIOD)
    website = {row.channel: row for row in found.of("callback")}["website"]
    assert website.waiting.median == 60.0  # the first action, not the last one
    assert website.answer.measured == 0  # open again


def test_takeovers_are_counted_on_their_conversation_channel(engine: Engine) -> None:
    with db.transaction(engine) as conn:
        store_events(conn, "web-1", [*greeting(), user("un conseiller", "ask_human")])
        store_events(
            conn,
            "tg-1",
            [
                user("Dag", language="nl", channel="telegram"),
                user("iemand", "ask_human", language="nl", channel="telegram"),
            ],
        )
    refresh_projection(engine)
    with db.transaction(engine) as conn:
        web, telegram = _number(conn, "web-1"), _number(conn, "tg-1")
        _takeover(conn, web, T0)
        _takeover(conn, web, T0 + dt.timedelta(days=2))
        _takeover(conn, telegram, T0 + dt.timedelta(days=1))
        _takeover(conn, telegram, T0 + dt.timedelta(days=30))  # outside the period
        found = support_stats.compute(conn, PERIOD)
    takeovers = {row.channel: row.count for row in found.of("takeover")}
    assert takeovers["website"] == 2 and takeovers["telegram"] == 1
    assert takeovers["total"] == 3 and takeovers["whatsapp"] == 0


def test_attendance_counts_booked_waiting_and_cancelled_per_session_of_the_period(
    engine: Engine,
) -> None:
    with db.transaction(engine) as conn:
        small = make_info_session(conn, capacity=1, starts_at=in_days(3))
        later = make_info_session(conn, capacity=5, starts_at=in_days(40))
        first = sessions.book(conn, small.id, **booking_fields())
        sessions.book(conn, small.id, **booking_fields())  # waiting list
        cancelled = sessions.book(conn, small.id, **booking_fields())
        sessions.cancel(conn, cancelled.booking.reference)
        sessions.book(conn, later.id, **booking_fields())
    today = dt.datetime.now(dt.timezone.utc).date()
    with db.transaction(engine) as conn:
        found = support_stats.compute(conn, Period(today, today + dt.timedelta(days=10)))
    assert [s.id for s in found.sessions] == [small.id]
    held = found.sessions[0]
    assert (held.capacity, held.booked, held.waitlisted, held.cancelled) == (1, 1, 1, 1)
    assert held.attended is None and first.booking.status == "confirmed"


@pytest.mark.parametrize(
    ("seconds", "fr", "nl"),
    [
        (None, "—", "—"),
        (45, "45 s", "45 s"),
        (754, "12 min", "12 min"),
        (7500, "2 h 05", "2 u 05"),
        (3 * 86400 + 4 * 3600, "3 j 4 h", "3 d 4 u"),
    ],
)
def test_durations_read_in_the_consultants_language(
    seconds: float | None, fr: str, nl: str
) -> None:
    from bot.web.console.analytics_views import duration_text

    assert duration_text("fr", seconds) == fr and duration_text("nl", seconds) == nl


@pytest.fixture
async def client(aiohttp_client, tmp_path: Path) -> TestClient:
    from bot.storage import migrate

    url = f"sqlite:///{tmp_path / 'app.db'}"
    migrate.upgrade(url)
    prepare(url)
    engine = db.make_engine(url)
    now = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)
    with db.transaction(engine) as conn:
        _request(conn, 1, "twilio", True, now, 150, 1800)
        _request(conn, 2, "socketio", False, now, 600)
        session = make_info_session(conn, capacity=2, starts_at=in_days(2))
        sessions.book(conn, session.id, **booking_fields())
    engine.dispose()
    return await aiohttp_client(create_app(console_settings(tmp_path, url)))


@pytest.mark.parametrize(("account", "lang"), [(ADMIN, "fr"), (CONSULTANT, "nl")])
async def test_the_statistics_page_shows_the_tables_with_captions_in_both_languages(
    client: TestClient, account: str, lang: str
) -> None:
    await sign_in(client, account)
    today = dt.date.today()
    period = {
        "from": (today - dt.timedelta(days=3)).isoformat(),
        "to": (today + dt.timedelta(days=5)).isoformat(),
    }
    page = await (await client.get("/console/analytics", params=period)).text()
    for kind in support_stats.KINDS:
        assert (
            f'<caption id="support-{kind}">{html_text(lang, f"console.support.kinds.{kind}")}'
            in page
        )
    assert html_text(lang, "console.support.attendance.caption") in page
    assert html_text(lang, "console.support.waiting_p90") in page
    whatsapp = re.search(
        rf'<th scope="row">{html_text(lang, "console.support.channels.whatsapp")}</th>(.*?)</tr>',
        page.split('id="support-live"')[1],
        re.S,
    )
    assert whatsapp
    cells = re.findall(r'<td class="number">([^<]*)</td>', whatsapp.group(1))
    assert cells == ["1", "2 min", "2 min", "30 min", "30 min"]
    title = "Belastingen en sociale zekerheid" if lang == "nl" else "Impôts et sécurité sociale"
    assert title in page
    assert html_text(lang, "console.support.attendance.unknown") in page


def test_a_live_request_is_timed_by_the_takeover_that_follows_it(engine: Engine) -> None:
    with db.transaction(engine) as conn:
        _request(conn, 1, "telegram", True, T0)
        taken, handed_back = T0 + dt.timedelta(seconds=75), T0 + dt.timedelta(minutes=20)
        handoff.live_request_follows(conn, "conv-1", "in_progress", "anne@forem.be", taken)
        handoff.live_request_follows(conn, "conv-1", "in_progress", "jan@vdab.be", handed_back)
        handoff.live_request_follows(conn, "conv-1", "done", "jan@vdab.be", handed_back)
        found = support_stats.compute(conn, PERIOD)
    telegram = {row.channel: row for row in found.of("live")}["telegram"]
    assert telegram.waiting == support_stats.Timing(1, 75.0, 75.0)  # the first takeover
    assert telegram.answer == support_stats.Timing(1, 1200.0, 1200.0)  # handed back
