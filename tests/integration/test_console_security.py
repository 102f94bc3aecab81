"""Security properties of the console, against the real app on real databases.

Every console route is enumerated from the app's router, so that a page added later is
checked too: refused without a session, refused without a valid CSRF token, refused to a
consultant under /console/admin/.
"""

from __future__ import annotations

import asyncio
from ipaddress import ip_network
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from markupsafe import escape
from sqlalchemy import MetaData, String, Table, Text, inspect, select

from bot import sessions
from bot.console import users
from bot.console.projection import refresh_projection
from bot.errors import SignInThrottled
from bot.messages import text
from bot.storage import db
from bot.web.app import create_app
from tests.console_factories import greeting, slot, store_events, user
from tests.factories import booking_fields, make_info_session
from tests.integration.console_client import (
    ADMIN,
    CONSULTANT,
    PASSWORD,
    console_settings,
    prepare,
    sign_in,
    token,
)

PLACEHOLDERS = {"id": "1", "lang": "fr", "booking": "1", "model": "20260101-000000"}


def console_routes(app: web.Application) -> list[tuple[str, str, str]]:
    """(method, url, name) of every console route, placeholders filled in."""
    found = []
    for route in app.router.routes():
        name = route.resource.name if route.resource else None
        if not name or not name.startswith("console.") or route.method == "HEAD":
            continue
        info = route.resource.get_info()
        parts = {k: v for k, v in PLACEHOLDERS.items() if "{" + k in info.get("formatter", "")}
        found.append((route.method, str(route.resource.url_for(**parts)), name))
    return found


@pytest.fixture
async def client(aiohttp_client, tmp_path: Path, database_url: str) -> TestClient:
    prepare(database_url)
    return await aiohttp_client(create_app(console_settings(tmp_path, database_url)))


def test_the_route_table_covers_every_kind_of_console_page(tmp_path: Path) -> None:
    app = create_app(console_settings(tmp_path, f"sqlite:///{tmp_path / 'x.db'}"))
    names = {name for _m, _u, name in console_routes(app)}
    assert {"console.conversations", "console.inbox", "console.analytics"} <= names
    assert {"console.users", "console.privacy_erase", "console.retention_purge"} <= names
    assert len(names) >= 30


async def test_every_console_page_but_sign_in_is_refused_without_a_session(
    client: TestClient,
) -> None:
    for method, url, name in console_routes(client.app):
        response = await client.request(method, url, allow_redirects=False)
        if name == "console.login":
            assert response.status == 200, url
        elif method == "GET":
            assert response.status == 303, (method, url)
            assert response.headers["Location"].startswith("/console/login?next="), url
        else:
            assert response.status == 403, (method, url)


async def test_every_form_without_a_valid_csrf_token_is_refused(client: TestClient) -> None:
    await sign_in(client, ADMIN)
    posts = [(m, u) for m, u, _n in console_routes(client.app) if m == "POST"]
    assert posts
    for method, url in posts:
        for data in ({}, {"csrf_token": "forged"}):
            response = await client.request(method, url, data=data, allow_redirects=False)
            assert response.status == 403, (url, data)
    # and the session is still valid: the refusals changed nothing
    assert (await client.get("/console/account")).status == 200


async def test_a_consultant_cannot_reach_admin_pages(client: TestClient) -> None:
    csrf = await sign_in(client, CONSULTANT)
    admin = [(m, u) for m, u, _n in console_routes(client.app) if u.startswith("/console/admin/")]
    assert len(admin) >= 8
    for method, url in admin:
        data = {"csrf_token": csrf} if method == "POST" else None
        response = await client.request(method, url, data=data, allow_redirects=False)
        assert response.status == 403, url
    assert (await client.get("/console/conversations")).status == 200
    page = await (await client.get("/console/conversations")).text()
    assert "/console/admin/" not in page  # no admin links in a consultant's menu


async def test_session_cookie_is_httponly_samesite_strict_and_secure_over_https(
    client: TestClient,
) -> None:
    login = await client.get("/console/login")
    cookie = login.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/console" in cookie
    assert "Secure" not in cookie  # plain http on the test server
    response = await client.post(
        "/console/login",
        data={"csrf_token": token(await login.text()), "email": ADMIN, "password": PASSWORD},
        headers={"X-Forwarded-Proto": "https"},
        allow_redirects=False,
    )
    signed_in = response.headers["Set-Cookie"]
    assert "Secure" in signed_in and "HttpOnly" in signed_in and "SameSite=Strict" in signed_in


async def test_pages_are_not_cached_and_keep_the_site_security_headers(client: TestClient) -> None:
    await sign_in(client, ADMIN)
    response = await client.get("/console/conversations")
    assert response.headers["Cache-Control"] == "no-store"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"


async def _attempt(
    client: TestClient, email: str, password: str, forwarded_for: str | None = None
) -> int:
    login = await client.get("/console/login")
    response = await client.post(
        "/console/login",
        data={"csrf_token": token(await login.text()), "email": email, "password": password},
        headers={"X-Forwarded-For": forwarded_for} if forwarded_for else None,
        allow_redirects=False,
    )
    return response.status


async def test_five_failures_lock_the_account_even_for_the_right_password(
    client: TestClient,
) -> None:
    for _ in range(5):
        assert await _attempt(client, ADMIN, "wrong password!") == 401
    assert await _attempt(client, ADMIN, PASSWORD) == 429
    assert await _attempt(client, CONSULTANT, PASSWORD) == 429  # same address: locked too


async def test_five_failures_from_one_address_lock_every_account_from_it(
    client: TestClient,
) -> None:
    for n in range(5):
        assert await _attempt(client, f"nobody{n}@example.org", "guess-guess-guess") == 401
    assert await _attempt(client, CONSULTANT, PASSWORD) == 429


async def test_a_forwarded_address_is_ignored_unless_the_peer_is_a_trusted_proxy(
    client: TestClient,
) -> None:
    # The test client connects from 127.0.0.1, which this app does not trust: the header
    # is anyone's to forge, and the lock stays on the real peer's address.
    for n in range(5):
        assert await _attempt(client, f"nobody{n}@example.org", "guess", f"203.0.113.{n}") == 401
    assert await _attempt(client, CONSULTANT, PASSWORD, "198.51.100.9") == 429


async def test_behind_a_trusted_proxy_each_client_address_is_throttled_on_its_own(
    aiohttp_client, tmp_path: Path, database_url: str
) -> None:
    prepare(database_url)
    settings = console_settings(
        tmp_path, database_url, trusted_proxies=(ip_network("127.0.0.0/8"),)
    )
    client = await aiohttp_client(create_app(settings))
    # A browser may send its own header: the proxy appends the address it saw, the last one.
    for n in range(5):
        forged = f"198.51.100.{n}, 203.0.113.7"
        assert await _attempt(client, f"nobody{n}@example.org", "guess", forged) == 401
    assert await _attempt(client, CONSULTANT, PASSWORD, "203.0.113.7") == 429
    assert await _attempt(client, CONSULTANT, PASSWORD, "203.0.113.8") == 303


async def test_parallel_attempts_are_counted_before_any_password_is_checked(
    client: TestClient,
) -> None:
    login = await client.get("/console/login")
    csrf = token(await login.text())

    async def attempt() -> int:
        response = await client.post(
            "/console/login",
            data={"csrf_token": csrf, "email": ADMIN, "password": "wrong password!"},
            allow_redirects=False,
        )
        return response.status

    statuses = await asyncio.gather(*(attempt() for _ in range(20)))
    # Four free failures and the fifth; every other attempt waits, unchecked.
    assert statuses.count(401) == users.FREE_FAILURES + 1
    assert statuses.count(429) == 20 - users.FREE_FAILURES - 1


async def test_failures_delay_the_next_attempt_they_do_not_lock_the_account(
    client: TestClient,
) -> None:
    for _ in range(users.FREE_FAILURES + 1):
        assert await _attempt(client, ADMIN, "wrong password!") == 401
    assert await _attempt(client, ADMIN, PASSWORD) == 429
    await asyncio.sleep(2.2)  # the first delay: 2 s after the last failure
    assert await _attempt(client, ADMIN, PASSWORD) == 303


def test_an_account_never_waits_longer_than_a_minute(database_url: str) -> None:
    prepare(database_url)
    engine = db.make_engine(database_url)
    moment = 1_000_000.0
    with db.transaction(engine) as conn:
        for n in range(40):  # forty failures from forty addresses in a few minutes
            try:
                users.check_sign_in(conn, ADMIN, f"203.0.113.{n}", now=moment + n * 5)
            except SignInThrottled:
                pass
    with db.transaction(engine) as conn, pytest.raises(SignInThrottled) as waiting:
        users.check_sign_in(conn, ADMIN, "198.51.100.1", now=moment + 200)
    assert waiting.value.retry_after_s <= users.MAX_ACCOUNT_DELAY_S
    with db.transaction(engine) as conn:
        check = users.check_sign_in(conn, ADMIN, "198.51.100.1", now=moment + 200 + 61)
    assert check.user is not None
    engine.dispose()


async def test_a_success_clears_the_account_failures(client: TestClient) -> None:
    for _ in range(3):
        await _attempt(client, CONSULTANT, "wrong password!")
    assert await _attempt(client, CONSULTANT, PASSWORD) == 303


async def test_logout_ends_the_session_even_for_a_copied_cookie(client: TestClient) -> None:
    csrf = await sign_in(client, ADMIN)
    stolen = {c.key: c.value for c in client.session.cookie_jar}
    response = await client.post(
        "/console/logout", data={"csrf_token": csrf}, allow_redirects=False
    )
    assert response.status == 303
    client.session.cookie_jar.update_cookies(stolen)
    again = await client.get("/console/conversations", allow_redirects=False)
    assert again.status == 303 and again.headers["Location"].startswith("/console/login")


async def test_an_open_redirect_after_sign_in_is_refused(client: TestClient) -> None:
    login = await client.get("/console/login")
    response = await client.post(
        "/console/login",
        data={
            "csrf_token": token(await login.text()),
            "email": ADMIN,
            "password": PASSWORD,
            "next": "//evil.example.org/",
        },
        allow_redirects=False,
    )
    assert response.headers["Location"] == "/console/conversations"


async def test_user_messages_are_escaped_in_the_transcript(
    client: TestClient, database_url: str
) -> None:
    engine = db.make_engine(database_url)
    with db.transaction(engine) as conn:
        store_events(conn, "xss", [user('<script>alert("x")</script><img src=x onerror=alert(1)>')])
    refresh_projection(engine)
    engine.dispose()
    await sign_in(client, CONSULTANT)
    listing = await (await client.get("/console/conversations?q=script")).text()
    assert "/console/conversations/1" in listing
    page = await (await client.get("/console/conversations/1")).text()
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert" in page


# --- erasure ------------------------------------------------------------------------------

CANDIDATE_EMAIL = "marie.dubois@example.org"
CANDIDATE_PHONE = "+32 470 12 34 56"
CANDIDATE_NAME = "Marie Dubois"
CANDIDATE_SENDER = "whatsapp:+32470123456"


def _candidate_conversations(database_url: str) -> None:
    engine = db.make_engine(database_url)
    with db.transaction(engine) as conn:
        store_events(
            conn,
            "web-marie",
            [
                *greeting(),
                user(CANDIDATE_NAME, "inform", 0.4),
                slot("candidate_name", CANDIDATE_NAME),
                user(f"mon adresse est {CANDIDATE_EMAIL}", "inform", 0.5),
                slot("candidate_email", CANDIDATE_EMAIL),
            ],
        )
        store_events(
            conn,
            CANDIDATE_SENDER,
            [
                *greeting(),
                user("bonjour c'est encore Marie", "greet", 0.3, channel="twilio"),
            ],
        )
        store_events(conn, "someone-else", [*greeting(), user("autre personne", "greet", 0.3)])
        session = make_info_session(conn, capacity=1)
        sessions.book(
            conn,
            session.id,
            name=CANDIDATE_NAME,
            email=CANDIDATE_EMAIL,
            phone=CANDIDATE_PHONE,
            language="fr",
            sender_id="web-marie",
            message_id="m-1",
        )
        sessions.book(conn, session.id, **booking_fields(name="Autre Personne"))
        from bot.events import BrokerEvent, write_batch  # what production mode records too

        write_batch(conn, [BrokerEvent(CANDIDATE_SENDER, "user", 1.0, {"event": "user"})])
    refresh_projection(engine)
    engine.dispose()


def _rows_mentioning(database_url: str, needles: list[str]) -> list[tuple[str, str]]:
    """(table, value) of every text cell in the database that contains one of ``needles``."""
    engine = db.make_engine(database_url)
    found = []
    with db.reading(engine) as conn:
        inspector = inspect(conn)
        for table_name in inspector.get_table_names():
            table = Table(table_name, MetaData(), autoload_with=conn)
            texts = [c for c in table.columns if isinstance(c.type, String | Text)]
            for row in conn.execute(select(*texts)) if texts else []:
                for value in row:
                    if isinstance(value, str) and any(n in value for n in needles):
                        found.append((table_name, value[:80]))
    engine.dispose()
    return found


async def test_erasure_leaves_nothing_of_the_candidate_in_any_table(
    client: TestClient, database_url: str
) -> None:
    _candidate_conversations(database_url)
    csrf = await sign_in(client, ADMIN)
    for number in (1, 2):  # a consultant's tag and note on both conversations
        await client.post(
            f"/console/conversations/{number}/tags", data={"csrf_token": csrf, "tag": "suivi"}
        )
        await client.post(
            f"/console/conversations/{number}/notes",
            data={"csrf_token": csrf, "note": f"rappeler {CANDIDATE_NAME}"},
        )
        await client.post(
            f"/console/conversations/{number}/review", data={"csrf_token": csrf, "reviewed": "yes"}
        )
    needles = [CANDIDATE_EMAIL, CANDIDATE_NAME, "470123456", "web-marie", CANDIDATE_SENDER]
    assert {t for t, _v in _rows_mentioning(database_url, needles)} >= {
        "session_bookings",
        "consumed_events",
        "events",
        "conversations",
        "conversation_notes",
        "conversation_tags",
        "inbox_messages",
    }
    form = {
        "csrf_token": csrf,
        "email": CANDIDATE_EMAIL,
        "phone": CANDIDATE_PHONE,
        "conversation": "",
    }
    search = await (await client.post("/console/admin/privacy", data=form)).text()
    links = {n for n in (1, 2, 3) if f'href="/console/conversations/{n}"' in search}
    assert links == {1, 2}
    refused = await client.post("/console/admin/privacy/erase", data=form)
    assert refused.status == 400  # not confirmed
    erased = await client.post("/console/admin/privacy/erase", data={**form, "confirm": "yes"})
    assert erased.status == 200
    assert _rows_mentioning(database_url, needles) == []
    assert _rows_mentioning(database_url, ["autre personne"])  # someone else's data stays
    assert _rows_mentioning(database_url, ["Autre Personne"])  # and their booking
    audit = await (await client.get("/console/admin/audit")).text()
    assert text("fr", "console.audit.actions.erase_candidate").replace("'", "&#39;") in audit
    assert not any(needle in audit for needle in needles)


async def test_export_holds_the_candidates_events_notes_and_tags(
    client: TestClient, database_url: str
) -> None:
    _candidate_conversations(database_url)
    csrf = await sign_in(client, ADMIN)
    await client.post("/console/conversations/1/notes", data={"csrf_token": csrf, "note": "vu"})
    form = {"csrf_token": csrf, "email": CANDIDATE_EMAIL, "phone": "", "conversation": ""}
    response = await client.post("/console/admin/privacy/export", data=form)
    assert response.status == 200
    assert "attachment" in response.headers["Content-Disposition"]
    document = await response.json()
    senders = {c["conversation_id"] for c in document["conversations"]}
    assert senders == {"web-marie"}
    assert any(e.get("text") == CANDIDATE_NAME for e in document["conversations"][0]["events"])
    assert [n["text"] for n in document["console_notes"]] == ["vu"]
    assert [b["email"] for b in document["bookings"]] == [CANDIDATE_EMAIL]


async def test_a_conversation_id_finds_and_erases_the_bookings_made_in_it(
    client: TestClient, database_url: str
) -> None:
    engine = db.make_engine(database_url)
    with db.transaction(engine) as conn:
        store_events(conn, "web-jan", [*greeting(), user("je réserve", "book_info_session", 0.9)])
        session = make_info_session(conn)
        booked = sessions.book(
            conn, session.id, **booking_fields(email="jan@example.org", sender_id="web-jan")
        )
    refresh_projection(engine)
    csrf = await sign_in(client, ADMIN)
    form = {"csrf_token": csrf, "email": "", "phone": "", "conversation": "web-jan"}
    found = await (await client.post("/console/admin/privacy", data=form)).text()
    assert text("fr", "console.privacy.found_bookings").format(count=1) in found
    erased = await client.post("/console/admin/privacy/erase", data={**form, "confirm": "yes"})
    assert erased.status == 200
    with db.reading(engine) as conn:
        booking = sessions.find_booking(conn, booked.booking.reference)
    engine.dispose()
    assert (booking.email, booking.sender_id) == (None, None) and booking.erased_at is not None


async def test_revealing_personal_data_is_audited(client: TestClient, database_url: str) -> None:
    _candidate_conversations(database_url)
    csrf = await sign_in(client, ADMIN)
    masked = await (await client.get("/console/conversations/1")).text()
    assert CANDIDATE_EMAIL not in masked and CANDIDATE_NAME not in masked
    shown = await (
        await client.post("/console/conversations/1/reveal", data={"csrf_token": csrf})
    ).text()
    assert CANDIDATE_EMAIL in shown and CANDIDATE_NAME in shown
    audit = await (await client.get("/console/admin/audit")).text()
    assert ADMIN in audit and "conversation" in audit


@pytest.mark.parametrize(
    "password", ["1qaz2wsx3edc", "Password123456", "sunshine2024!!", "LeaveMeAlone"]
)
def test_a_breached_password_is_refused(password: str) -> None:
    assert users.breached(password)


def test_a_password_outside_the_list_is_accepted() -> None:
    assert not users.breached(PASSWORD) and not users.breached("Kortrijk-Lille-2027 soleil")


async def test_an_admin_cannot_give_an_account_a_breached_password(client: TestClient) -> None:
    csrf = await sign_in(client, ADMIN)
    response = await client.post(
        "/console/admin/users",
        data={
            "csrf_token": csrf,
            "email": "leaked@example.org",
            "role": "consultant",
            "language": "fr",
            "password": "password1234567",
        },
    )
    assert response.status == 400
    assert str(escape(text("fr", "console.users.errors.invalid_breached_password"))) in (
        await response.text()
    )


async def test_a_consultant_cannot_choose_a_breached_password(client: TestClient) -> None:
    csrf = await sign_in(client, CONSULTANT)
    response = await client.post(
        "/console/account/password",
        data={
            "csrf_token": csrf,
            "current_password": PASSWORD,
            "new_password": "iloveyou123456",
            "new_password_again": "iloveyou123456",
        },
    )
    assert response.status == 400
    assert str(escape(text("nl", "console.account.errors.breached"))) in await response.text()
