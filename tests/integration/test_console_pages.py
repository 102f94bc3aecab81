"""Console pages and forms through the real app (SQLite; the database-heavy parts of the
console are covered on both databases in test_console_projection and test_console_security)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient
from markupsafe import escape
from sqlalchemy import select

from bot.config import PROJECT_DIR
from bot.console import users
from bot.console.projection import refresh_projection
from bot.messages import catalog
from bot.storage import db
from bot.storage.console import audit
from bot.web.app import create_app
from tests.console_factories import action, bot, greeting, slot, store_events, user
from tests.factories import html_text
from tests.integration.console_client import (
    ADMIN,
    CONSULTANT,
    PASSWORD,
    console_settings,
    prepare,
    sign_in,
    token,
)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    from bot.storage import migrate

    url = f"sqlite:///{tmp_path / 'app.db'}"
    migrate.upgrade(url)
    prepare(url)
    return url


@pytest.fixture
async def client(aiohttp_client, tmp_path: Path, sqlite_url: str) -> TestClient:
    engine = db.make_engine(sqlite_url)
    with db.transaction(engine) as conn:
        store_events(
            conn,
            "fr-web",
            [
                *greeting(),
                user("je cherche un emploi de soudeur à Courtrai", "search_vacancies", 0.93),
                bot("Voici des offres", "utter_vacancies"),
                user("blorfzak", "nlu_fallback", 0.2),
                action("action_two_stage_fallback"),
            ],
        )
        store_events(
            conn,
            "nl-telegram",
            [
                *greeting("Dag", "nl"),
                user("ik wil met iemand praten", "ask_human", 0.9, "nl", channel="telegram"),
            ],
        )
    refresh_projection(engine)
    engine.dispose()
    return await aiohttp_client(create_app(console_settings(tmp_path, sqlite_url)))


def _intent_names(lang: str) -> dict[str, str]:
    return dict(catalog(lang)["console"]["intent_names"])


async def test_list_shows_conversations_and_filters_them(client: TestClient) -> None:
    await sign_in(client, ADMIN)
    page = await (await client.get("/console/conversations")).text()
    assert html_text("fr", "console.conversations.title") in page
    assert "/console/conversations/1" in page and "/console/conversations/2" in page
    dutch = await (await client.get("/console/conversations?language=nl&handoff=yes")).text()
    assert "/console/conversations/2" in dutch and "/console/conversations/1" not in dutch
    search = await (await client.get("/console/conversations?q=soudeur+courtrai")).text()
    assert "/console/conversations/1" in search and "/console/conversations/2" not in search
    none = await (await client.get("/console/conversations?channel=facebook")).text()
    assert html_text("fr", "console.conversations.none") in none


async def test_consultant_works_in_the_language_of_their_account(client: TestClient) -> None:
    await sign_in(client, CONSULTANT)  # created with the Dutch interface
    page = await (await client.get("/console/conversations")).text()
    assert '<html lang="nl">' in page and html_text("nl", "console.conversations.title") in page


async def test_transcript_tags_notes_and_review(client: TestClient) -> None:
    csrf = await sign_in(client, CONSULTANT)
    page = await (await client.get("/console/conversations/1")).text()
    assert "search_vacancies" in page and "0.93" in page and "utter_vacancies" in page
    assert "action_two_stage_fallback" in page
    await client.post("/console/conversations/1/tags", data={"csrf_token": csrf, "tag": "Suivi"})
    await client.post(
        "/console/conversations/1/notes",
        data={"csrf_token": csrf, "note": "<b>rappeler</b> demain"},
    )
    response = await client.post(
        "/console/conversations/1/review",
        data={"csrf_token": csrf, "reviewed": "yes"},
        allow_redirects=False,
    )
    assert response.status == 303 and response.headers["Location"].endswith("#review")
    page = await (await client.get("/console/conversations/1")).text()
    assert '<span class="tag">suivi</span>' in page
    assert "&lt;b&gt;rappeler&lt;/b&gt; demain" in page
    assert html_text("nl", "console.transcript.mark_unreviewed") in page
    tagged = await (await client.get("/console/conversations?tag=suivi&reviewed=yes")).text()
    assert "/console/conversations/1" in tagged and "/console/conversations/2" not in tagged
    await client.post(
        "/console/conversations/1/tags/remove", data={"csrf_token": csrf, "tag": "suivi"}
    )
    page = await (await client.get("/console/conversations/1")).text()
    assert '<span class="tag">suivi</span>' not in page


async def test_unknown_conversation_is_a_console_404(client: TestClient) -> None:
    await sign_in(client, ADMIN)
    response = await client.get("/console/conversations/999")
    assert response.status == 404
    assert html_text("fr", "console.errors.not_found_title") in await response.text()


async def test_inbox_message_is_corrected_and_exported(client: TestClient) -> None:
    csrf = await sign_in(client, ADMIN)
    page = await (await client.get("/console/inbox")).text()
    assert "blorfzak" in page
    item = re.search(r'action="/console/inbox/(\d+)/label"', page)
    assert item
    response = await client.post(
        f"/console/inbox/{item.group(1)}/label",
        data={"csrf_token": csrf, "intent": "out_of_scope", "status": "open"},
        allow_redirects=False,
    )
    assert response.status == 303 and "done=labelled" in response.headers["Location"]
    labelled = await (await client.get("/console/inbox?status=labelled")).text()
    assert "blorfzak" in labelled and _intent_names("fr")["out_of_scope"] in labelled
    export = await client.post("/console/inbox/export/fr", data={"csrf_token": csrf})
    assert export.status == 200 and "attachment" in export.headers["Content-Disposition"]
    body = await export.text()
    assert "- intent: out_of_scope" in body and "    - blorfzak" in body
    refused = await client.post(
        f"/console/inbox/{item.group(1)}/label",
        data={"csrf_token": csrf, "intent": "no_such_intent"},
    )
    assert refused.status == 404


async def test_a_confident_message_reported_wrong_from_the_transcript_is_in_the_inbox(
    client: TestClient,
) -> None:
    csrf = await sign_in(client, ADMIN)
    inbox_page = await (await client.get("/console/inbox")).text()
    assert "soudeur à Courtrai" not in inbox_page  # understood with 0.93
    page = await (await client.get("/console/conversations/1")).text()
    forms = re.findall(r'name="event_id" value="(\d+)"', page)
    assert len(forms) == 3  # one per user message: the greeting, the search, blorfzak
    assert html_text("fr", "console.transcript.report_wrong") in page
    response = await client.post(
        "/console/conversations/1/wrong",
        data={"csrf_token": csrf, "event_id": forms[1]},
        allow_redirects=False,
    )
    assert response.status == 303
    assert response.headers["Location"].endswith(f"?reported=reported#event-{forms[1]}")
    shown = await (await client.get(response.headers["Location"])).text()
    assert html_text("fr", "console.transcript.reported.reported") in shown
    inbox_page = await (await client.get("/console/inbox")).text()
    assert "soudeur à Courtrai" in inbox_page
    assert html_text("fr", "console.inbox.reason.reported") in inbox_page
    elsewhere = await client.post(
        "/console/conversations/2/wrong", data={"csrf_token": csrf, "event_id": forms[1]}
    )
    assert elsewhere.status == 404  # an event of another conversation


async def test_analytics_page_gives_the_charts_their_figures(client: TestClient) -> None:
    await sign_in(client, ADMIN)
    page = await (await client.get("/console/analytics")).text()
    found = re.search(r'<script type="application/json" id="chart-data">(.*?)</script>', page, re.S)
    assert found
    charts = json.loads(found.group(1))
    assert sum(charts["perDay"]["values"]) == 2
    assert sorted(charts["languages"]["values"]) == [1, 1]
    assert _intent_names("fr")["search_vacancies"] in charts["intents"]["labels"]
    assert not [label for label in charts["intents"]["labels"] if "_" in label or "/" in label]
    assert "/static/vendor/chart.js/chart.umd.min.js" in page and "<script>" not in page


@pytest.mark.parametrize(
    ("start", "end", "reason"),
    [
        ("2025-01-01", "2026-12-01", "too_long"),
        ("2026-12-01", "2026-11-01", "reversed"),
        ("2026-13-45", "", "invalid_date"),
        ("2999-01-01", "2999-01-31", "future"),
    ],
)
async def test_a_period_outside_the_allowed_range_is_refused_with_a_message(
    client: TestClient, start: str, end: str, reason: str
) -> None:
    await sign_in(client, CONSULTANT)
    response = await client.get("/console/analytics", params={"from": start, "to": end})
    page = await response.text()
    assert response.status == 400
    assert html_text("nl", f"console.analytics.refused.{reason}", days=366) in page
    assert 'id="chart-data"' not in page  # no figures of another period
    assert f'value="{start}"' in page  # the dates as typed, to correct them


async def test_a_year_is_the_longest_period_accepted(client: TestClient) -> None:
    await sign_in(client, CONSULTANT)
    response = await client.get(
        "/console/analytics", params={"from": "2025-12-02", "to": "2026-12-02"}
    )
    assert response.status == 200 and 'id="chart-data"' in await response.text()


async def test_transcript_names_intents_and_clicked_buttons_and_folds_slot_events(
    aiohttp_client, tmp_path: Path, sqlite_url: str
) -> None:
    engine = db.make_engine(sqlite_url)
    with db.transaction(engine) as conn:
        store_events(
            conn,
            "buttons",
            [
                *greeting(),
                user("impôts ?", "faq", 0.9, faq="taxes"),
                bot("Vous vivez où ?", buttons=["En France", "En Belgique"]),
                user("/En Belgique", "inform_direction", 1.0),
                slot("residence_country", "BE"),
            ],
        )
    refresh_projection(engine)
    engine.dispose()
    client = await aiohttp_client(create_app(console_settings(tmp_path, sqlite_url)))
    await sign_in(client, ADMIN)
    names = _intent_names("fr")
    listed = await (await client.get("/console/conversations")).text()
    shown = [escape(names[i]) for i in ("faq/taxes", "greet", "inform_direction")]
    assert f'<td class="intents">{", ".join(shown)}</td>' in listed
    assert ">faq/taxes<" not in listed and ", faq/taxes" not in listed
    page = await (await client.get("/console/conversations/1")).text()
    assert str(escape(names["faq/taxes"])) in page and str(escape(names["greet"])) in page
    assert "/En Belgique" not in page
    assert re.search(r'<p class="text"[^>]*><span class="badge">[^<]+</span> En Belgique</p>', page)
    assert "residence_country" not in page  # behind the toggle
    assert html_text("fr", "console.transcript.show_technical", count=2) in page
    detailed = await (await client.get("/console/conversations/1?technical=1")).text()
    assert "residence_country" in detailed and "/En Belgique" not in detailed


async def test_admin_creates_an_account_and_cannot_remove_the_last_admin(
    client: TestClient, sqlite_url: str
) -> None:
    csrf = await sign_in(client, ADMIN)
    response = await client.post(
        "/console/admin/users",
        data={
            "csrf_token": csrf,
            "email": "New@Example.org",
            "role": "consultant",
            "language": "nl",
            "password": "long-enough-password",
        },
        allow_redirects=False,
    )
    assert response.status == 303
    short = await client.post(
        "/console/admin/users",
        data={
            "csrf_token": csrf,
            "email": "x@example.org",
            "role": "consultant",
            "language": "fr",
            "password": "short",
        },
    )
    assert short.status == 400
    engine = db.make_engine(sqlite_url)
    with db.reading(engine) as conn:
        created = users.get_by_email(conn, "new@example.org")
        admin = users.get_by_email(conn, ADMIN)
    engine.dispose()
    assert created is not None and created.language == "nl" and admin is not None
    demote = await client.post(
        f"/console/admin/users/{admin.id}",
        data={"csrf_token": csrf, "action": "role", "role": "consultant"},
    )
    assert demote.status == 400
    assert html_text("fr", "console.users.errors.last_admin") in await demote.text()


async def test_deactivated_consultant_is_signed_out(client: TestClient, sqlite_url: str) -> None:
    await sign_in(client, CONSULTANT)
    engine = db.make_engine(sqlite_url)
    with db.transaction(engine) as conn:
        consultant = users.get_by_email(conn, CONSULTANT)
        assert consultant is not None
        users.update_user(conn, consultant.id, active=False)
    engine.dispose()
    response = await client.get("/console/conversations", allow_redirects=False)
    assert response.status == 303


async def test_changing_ones_password_keeps_this_session(client: TestClient) -> None:
    csrf = await sign_in(client, CONSULTANT)
    response = await client.post(
        "/console/account/password",
        data={
            "csrf_token": csrf,
            "current_password": PASSWORD,
            "new_password": "another-long-password",
            "new_password_again": "another-long-password",
        },
        allow_redirects=False,
    )
    assert response.status == 303
    account = await client.get("/console/account")
    assert account.status == 200
    csrf = token(await account.text())  # a new session, with a new token
    wrong = await client.post(
        "/console/account/password",
        data={
            "csrf_token": csrf,
            "current_password": "nope",
            "new_password": "another-long-password2",
            "new_password_again": "another-long-password2",
        },
    )
    assert wrong.status == 400


async def test_retention_page_purges_old_conversations(client: TestClient, sqlite_url: str) -> None:
    engine = db.make_engine(sqlite_url)
    with db.transaction(engine) as conn:
        store_events(conn, "ancient", [user("vieux message", ts=time.time() - 400 * 86400)])
    refresh_projection(engine)
    csrf = await sign_in(client, ADMIN)
    page = await (await client.get("/console/admin/retention")).text()
    assert html_text("fr", "console.retention.expired", count=1) in page
    response = await client.post(
        "/console/admin/retention/purge", data={"csrf_token": csrf}, allow_redirects=False
    )
    assert response.headers["Location"].endswith("done=1")
    listing = await (await client.get("/console/conversations?q=vieux")).text()
    assert html_text("fr", "console.conversations.none") in listing
    with db.reading(engine) as conn:
        actions = [r.action for r in conn.execute(select(audit.c.action))]
    engine.dispose()
    assert "purge" in actions


def _manage(
    database_url: str, tmp_path: Path, *args: str, stdin: str = ""
) -> subprocess.CompletedProcess:
    env = {"DATABASE_URL": database_url, "BOT_VAR_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, "-m", "bot.manage", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=PROJECT_DIR,
        env=env,
        timeout=120,
    )


def test_create_user_and_purge_commands(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    created = _manage(
        url,
        tmp_path,
        "create-user",
        "Boss@Example.org",
        "--role",
        "admin",
        "--password-stdin",
        stdin="a-very-long-password\n",
    )
    assert created.returncode == 0, created.stderr
    assert "admin account created: boss@example.org" in created.stdout
    again = _manage(
        url,
        tmp_path,
        "create-user",
        "boss@example.org",
        "--password-stdin",
        stdin="a-very-long-password\n",
    )
    assert again.returncode == 2 and "exists" in again.stderr
    weak = _manage(
        url, tmp_path, "create-user", "x@example.org", "--password-stdin", stdin="short\n"
    )
    assert weak.returncode == 2
    prepare_events = db.make_engine(url)
    from bot.storage import rasa_events

    rasa_events.create(prepare_events)
    with db.transaction(prepare_events) as conn:
        store_events(conn, "old", [user("ancien", ts=time.time() - 40 * 86400)])
        store_events(conn, "new", [user("récent")])
    prepare_events.dispose()
    purged = _manage(url, tmp_path, "purge-conversations", "--days", "30")
    assert purged.returncode == 0, purged.stderr
    assert "1 conversations idle for more than 30 days deleted" in purged.stdout
    engine = db.make_engine(url)
    with db.reading(engine) as conn:
        senders = {r.sender_id for r in conn.execute(select(rasa_events.events.c.sender_id))}
    engine.dispose()
    assert senders == {"new"}


def test_demo_account_is_created_once(sqlite_url: str) -> None:
    engine = db.make_engine(sqlite_url)
    with db.transaction(engine) as conn:
        assert users.ensure_demo_user(conn) is None  # accounts exist already
    fresh = db.make_engine(sqlite_url.replace("app.db", "fresh.db"))
    from bot.storage import migrate

    migrate.upgrade(sqlite_url.replace("app.db", "fresh.db"))
    with db.transaction(fresh) as conn:
        email, password = users.ensure_demo_user(conn) or ("", "")
        assert users.ensure_demo_user(conn) is None
        demo = users.get_by_email(conn, email)
    assert demo is not None and demo.demo and demo.role == "consultant"
    assert len(password) >= users.MIN_PASSWORD
    engine.dispose()
    fresh.dispose()


async def test_in_production_mode_the_list_leaves_the_projection_to_the_event_consumer(
    client: TestClient, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """bot.events feeds the projection from RabbitMQ there: folding the tracker store's
    events as well would count every message twice."""
    monkeypatch.setenv("BOT_MODE", "production")
    engine = db.make_engine(sqlite_url)
    with db.transaction(engine) as conn:
        store_events(conn, "not-folded-here", [user("bonjour depuis la production")])
    engine.dispose()
    await sign_in(client, ADMIN)
    page = await (await client.get("/console/conversations?q=production")).text()
    assert html_text("fr", "console.conversations.none") in page


async def test_stale_vacancy_sources_are_flagged_on_the_statistics_page(
    aiohttp_client, tmp_path: Path, sqlite_url: str
) -> None:
    from datetime import datetime, timedelta, timezone

    from bot.storage import vacancies as vacancy_table

    now = datetime.now(timezone.utc)
    engine = db.make_engine(sqlite_url)
    with db.transaction(engine) as conn:
        for source, age, ok, error in (
            ("forem", timedelta(days=3), True, ""),
            ("vdab", timedelta(hours=1), True, ""),
            ("old-partner", timedelta(hours=1), False, "HTTP 404"),
        ):
            vacancy_table.record_sync(
                conn,
                source,
                {"finished_at": now - age, "ok": ok, "added": 7, "error": error},
            )
    engine.dispose()
    feeds = (("forem", "https://feeds.example/f.xml"), ("vdab", "https://feeds.example/v.json"))
    settings = console_settings(
        tmp_path, sqlite_url, vacancy_feeds=feeds, vacancy_sync_interval_s=0.0
    )
    client = await aiohttp_client(create_app(settings))
    await sign_in(client, CONSULTANT)  # Dutch interface
    page = await (await client.get("/console/analytics")).text()
    page = page.split('id="vacancy-sources"')[1]  # the tables above have row headers too
    rows = re.findall(r'<th scope="row">([^<]+)</th>.*?</tr>', page, re.S)
    assert rows == ["forem", "vdab", "old-partner"]
    stale, fresh = (
        html_text("nl", "console.vacancy_sources.stale"),
        html_text("nl", "console.vacancy_sources.fresh"),
    )
    states = {
        name: row for name, row in re.findall(r'<th scope="row">([^<]+)</th>(.*?)</tr>', page, re.S)
    }
    assert stale in states["forem"]  # three days old, synchronised by the command only
    assert fresh in states["vdab"] and stale not in states["vdab"]
    assert stale in states["old-partner"] and "HTTP 404" in states["old-partner"]
