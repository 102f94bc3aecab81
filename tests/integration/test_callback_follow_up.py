"""Callback requests keep notes, call attempts and an outcome (SQLite and PostgreSQL); notes
go with the candidate's erasure and with retention; the callback's page through the real app
in both languages, every change audited."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import func, select
from sqlalchemy.engine import Connection, Engine

from bot import handoff, privacy
from bot.errors import CallbackNotFound
from bot.handoff import follow_up
from bot.storage import db
from bot.storage.handoff import callback_notes
from bot.web.app import create_app
from tests.factories import html_text
from tests.integration.console_client import (
    ADMIN,
    CONSULTANT,
    console_settings,
    prepare,
    sign_in,
)

T0 = dt.datetime(2026, 12, 2, 9, 30, tzinfo=dt.timezone.utc)


def _callback(conn: Connection, n: int = 1, now: dt.datetime = T0) -> int:
    return handoff.request_callback(
        conn,
        sender_id=f"conv-{n}",
        message_id=f"m-{n}",
        language="fr",
        channel="socketio",
        name="Marie Dupont",
        phone=f"+3247012{n:04d}",
        preferred_moment="morning",
        topic="faq/taxes",
        consent_at=now,
        consent_version=handoff.CONSENT_TEXT_VERSION,
        now=now,
    ).id


def test_notes_and_attempts_are_kept_in_order_and_the_outcome_sets_the_status(
    engine: Engine,
) -> None:
    with db.transaction(engine) as conn:
        number = _callback(conn)
        follow_up.record_attempt(conn, number, "anne@forem.be", False, T0, now=T0)
        follow_up.add_note(conn, number, "anne@forem.be", "  Rappeler après 14 h  ", now=T0)
        later = T0 + dt.timedelta(hours=5)
        follow_up.record_attempt(conn, number, "jan@vdab.be", True, later, now=later)
        status = follow_up.close(conn, number, "reached", "jan@vdab.be", now=later)
        history = follow_up.history(conn, number)
        stored = handoff.list_callbacks(conn)[0]
    assert status == "done" and stored.status == "done" and stored.outcome == "reached"
    assert [(h.kind, h.author, h.reached, h.text) for h in history] == [
        ("attempt", "anne@forem.be", False, None),
        ("note", "anne@forem.be", None, "Rappeler après 14 h"),
        ("attempt", "jan@vdab.be", True, None),
    ]
    assert history[2].at == later


@pytest.mark.parametrize(
    ("outcome", "status"),
    [("unreachable", "no_answer"), ("wrong_number", "no_answer"), ("cancelled", "done")],
)
def test_each_outcome_gives_its_status_and_reopening_forgets_it(
    engine: Engine, outcome: str, status: str
) -> None:
    with db.transaction(engine) as conn:
        number = _callback(conn)
        assert follow_up.close(conn, number, outcome, "anne@forem.be") == status
        assert handoff.list_callbacks(conn)[0].outcome == outcome
        handoff.set_callback_status(conn, number, "in_progress", "anne@forem.be")
        assert handoff.list_callbacks(conn)[0].outcome is None


def test_what_is_refused_is_refused_with_its_reason(engine: Engine) -> None:
    with db.transaction(engine) as conn:
        number = _callback(conn)
        for call, reason in (
            (lambda: follow_up.add_note(conn, number, "a", "   "), "empty"),
            (lambda: follow_up.add_note(conn, number, "a", "x" * 2001), "too_long"),
            (lambda: follow_up.close(conn, number, "lost", "a"), "outcome"),
            (
                lambda: follow_up.record_attempt(
                    conn, number, "a", True, T0 + dt.timedelta(hours=1), now=T0
                ),
                "future",
            ),
        ):
            with pytest.raises(follow_up.FollowUpRefused) as refused:
                call()
            assert refused.value.reason == reason
        with pytest.raises(CallbackNotFound):
            follow_up.add_note(conn, 999, "a", "note")
        assert follow_up.history(conn, number) == []


def test_notes_are_erased_with_the_candidate_and_attempts_stay_anonymous(
    engine: Engine,
) -> None:
    with db.transaction(engine) as conn:
        number, other = _callback(conn, 1), _callback(conn, 2)
        follow_up.add_note(conn, number, "anne@forem.be", "Marie préfère le soir")
        follow_up.record_attempt(conn, number, "anne@forem.be", False)
        follow_up.add_note(conn, other, "anne@forem.be", "Autre candidat")
        candidate = privacy.find(conn, privacy.CandidateQuery.of(phone="+32470120001"))
        exported = privacy.export(conn, candidate)
        assert [item["text"] for item in exported["callback_follow_up"]] == [
            "Marie préfère le soir",
            None,
        ]
        privacy.erase(conn, candidate, "admin@forem.be")
        left = conn.execute(select(callback_notes.c.callback_id, callback_notes.c.kind)).all()
    assert sorted(map(tuple, left)) == [(number, "attempt"), (other, "note")]


def test_retention_deletes_the_notes_of_requests_closed_long_ago(engine: Engine) -> None:
    with db.transaction(engine) as conn:
        old, recent = _callback(conn, 1), _callback(conn, 2)
        follow_up.add_note(conn, old, "a", "ancienne note", now=T0)
        follow_up.close(conn, old, "reached", "a", now=T0)
        follow_up.add_note(conn, recent, "a", "récente", now=T0)
        handoff.expire(conn, T0 + dt.timedelta(days=1), now=T0 + dt.timedelta(days=400))
        notes = conn.execute(select(func.count()).select_from(callback_notes)).scalar_one()
        assert notes == 1 and follow_up.history(conn, recent)[0].text == "récente"


@pytest.fixture
async def client(aiohttp_client, tmp_path: Path) -> TestClient:
    from bot.storage import migrate

    url = f"sqlite:///{tmp_path / 'app.db'}"
    migrate.upgrade(url)
    prepare(url)
    engine = db.make_engine(url)
    with db.transaction(engine) as conn:
        _callback(conn, 1, dt.datetime.now(dt.timezone.utc))
    engine.dispose()
    return await aiohttp_client(create_app(console_settings(tmp_path, url)))


@pytest.mark.parametrize(("account", "lang"), [(ADMIN, "fr"), (CONSULTANT, "nl")])
async def test_the_callback_page_adds_notes_attempts_and_an_outcome_audited(
    client: TestClient, account: str, lang: str
) -> None:
    csrf = await sign_in(client, account)
    queue = await (await client.get("/console/callbacks")).text()
    assert 'href="/console/callbacks/1"' in queue
    page = await (await client.get("/console/callbacks/1")).text()
    assert html_text(lang, "console.callback.title", number=1) in page
    assert html_text(lang, "handoff.moment.morning") in page  # the moment in the reader's language
    assert html_text(lang, "console.callback.no_history") in page
    note = await client.post(
        "/console/callbacks/1/note", data={"csrf_token": csrf, "text": "Rappeler lundi"}
    )
    assert note.status == 200 and "done=note" in str(note.url)
    empty = await client.post("/console/callbacks/1/note", data={"csrf_token": csrf, "text": ""})
    assert html_text(lang, "console.callback.done.refused_empty") in await empty.text()
    attempt = await client.post(
        "/console/callbacks/1/attempt",
        data={"csrf_token": csrf, "reached": "no", "at": ""},
    )
    page = await attempt.text()
    assert html_text(lang, "console.callback.done.attempt") in page
    assert "Rappeler lundi" in page
    assert html_text(lang, "console.callback.attempt_not_reached") in page
    assert re.search(r"<caption id=\"history-caption\">", page)
    future = await client.post(
        "/console/callbacks/1/attempt",
        data={"csrf_token": csrf, "reached": "yes", "at": "2999-01-01T10:00"},
    )
    assert html_text(lang, "console.callback.done.refused_future") in await future.text()
    closed = await client.post(
        "/console/callbacks/1/outcome", data={"csrf_token": csrf, "outcome": "wrong_number"}
    )
    page = await closed.text()
    assert html_text(lang, "console.callback.outcomes.wrong_number") in page
    assert html_text(lang, "console.callbacks.filter.no_answer") in page
    missing = await client.get("/console/callbacks/99")
    assert missing.status == 404
    audit_page = await client.get("/console/admin/audit")
    if account == ADMIN:
        trail = await audit_page.text()
        for action in ("callback_note", "callback_attempt", "callback_outcome"):
            assert html_text(lang, f"console.audit.actions.{action}") in trail
