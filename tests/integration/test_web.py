"""The website through aiohttp's test client, against ``create_app`` with test settings."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient
from markupsafe import escape

from bot import sessions
from bot.config import Settings, privacy_url
from bot.messages import text
from bot.sessions import demo as demo_sessions
from bot.storage import db, migrate
from bot.web import content
from bot.web.app import STATIC_DIR, create_app
from bot.web.i18n import translator
from bot.web.upcoming import SessionListing
from tests.factories import html_text


def _settings(tmp_path: Path, **overrides: object) -> Settings:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    migrate.upgrade(url)
    return Settings(  # type: ignore[arg-type]
        rasa_port=5999, web_port=8999, var_dir=tmp_path, database_url=url, **overrides
    )


@pytest.fixture
async def client(aiohttp_client, tmp_path: Path) -> TestClient:
    return await aiohttp_client(create_app(_settings(tmp_path)))


def _chat_config(page: str) -> dict:
    match = re.search(
        r'<script type="application/json" id="chat-config">(.*?)</script>', page, re.S
    )
    assert match, "no chat configuration in the page"
    return json.loads(match.group(1))


@pytest.mark.parametrize(
    "header, expected",
    [
        ("nl-BE,nl;q=0.9,fr;q=0.8", "/nl/"),
        ("fr-BE,fr;q=0.9,nl;q=0.8", "/fr/"),
        ("en-GB,en;q=0.9,nl;q=0.5,fr;q=0.4", "/nl/"),
        ("de-DE", "/fr/"),
        ("", "/fr/"),
        ("nl;q=abc, ,;", "/fr/"),
    ],
)
async def test_root_redirects_by_accept_language(
    client: TestClient, header: str, expected: str
) -> None:
    response = await client.get("/", headers={"Accept-Language": header}, allow_redirects=False)
    assert response.status == 302
    assert response.headers["Location"] == expected
    assert "Accept-Language" in response.headers["Vary"]


async def test_language_without_slash_gets_one(client: TestClient) -> None:
    response = await client.get("/nl", allow_redirects=False)
    assert response.status == 301 and response.headers["Location"] == "/nl/"


@pytest.mark.parametrize("lang, other", [("fr", "nl"), ("nl", "fr")])
async def test_home_page_in_each_language(client: TestClient, lang: str, other: str) -> None:
    response = await client.get(f"/{lang}/")
    assert response.status == 200
    page = await response.text()
    assert f'<html lang="{lang}">' in page
    assert html_text(lang, "web.home.title") in page
    assert html_text(lang, "web.sessions.empty") in page  # no sessions module yet
    assert html_text(other, "web.home.title") not in page
    for site in ("https://www.francetravail.fr", "https://www.leforem.be", "https://www.vdab.be"):
        assert f'href="{site}"' in page
    assert "geonames.org" in page and "CC BY 4.0" in page
    # The switch links to the same page in the other language.
    assert f'href="/{other}/" lang="{other}"' in page
    config = _chat_config(page)
    assert config["language"] == lang
    assert config["rasaUrl"] == "http://127.0.0.1:5999"
    assert config["strings"]["send"] == text(lang, "web.chat.send")


async def test_page_scripts_come_from_this_site_only(client: TestClient) -> None:
    response = await client.get("/fr/")
    page = await response.text()
    sources = re.findall(r'<script[^>]* src="([^"]+)"', page)
    assert sources and all(src.startswith("/static/") for src in sources)
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy
    assert "ws://127.0.0.1:5999" in policy and "http://127.0.0.1:5999" in policy


async def test_public_rasa_url_from_settings(aiohttp_client, tmp_path: Path) -> None:
    settings = _settings(tmp_path, rasa_public_url="https://chat.example.org")
    client = await aiohttp_client(create_app(settings))
    response = await client.get("/nl/")
    assert _chat_config(await response.text())["rasaUrl"] == "https://chat.example.org"
    assert "wss://chat.example.org" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("lang", ["fr", "nl"])
async def test_privacy_page_says_what_is_kept_and_for_how_long(
    client: TestClient, lang: str
) -> None:
    response = await client.get(f"/{lang}/privacy")
    assert response.status == 200
    page = await response.text()
    assert html_text(lang, "web.privacy.title") in page
    assert html_text(lang, "web.privacy.how_long", days=180) in page
    assert "cnil.fr" in page


async def test_privacy_redirects_by_language(client: TestClient) -> None:
    response = await client.get(
        "/privacy", headers={"Accept-Language": "nl-BE"}, allow_redirects=False
    )
    assert response.status == 302 and response.headers["Location"] == "/nl/privacy"


async def test_the_privacy_links_the_assistant_sends_reach_the_notice(client: TestClient) -> None:
    base = str(client.make_url("")).rstrip("/")
    for language in ("fr", "nl"):
        page = await client.get(privacy_url(base, language).removeprefix(base))
        assert page.status == 200 and html_text(language, "web.privacy.title") in await page.text()
    chosen = await client.get(
        privacy_url(base).removeprefix(base), headers={"Accept-Language": "nl"}
    )
    assert chosen.status == 200 and str(chosen.url).endswith("/nl/privacy")


@pytest.mark.parametrize("lang", ["fr", "nl"])
async def test_accessibility_statement_says_what_is_met_what_is_not_and_whom_to_tell(
    client: TestClient, lang: str
) -> None:
    response = await client.get(f"/{lang}/accessibility")
    assert response.status == 200
    page = await response.text()
    t = translator(lang)
    for key in ("title", "status", "report", "appeal"):
        assert html_text(lang, f"web.accessibility.{key}") in page
    for item in (*t("web.accessibility.met"), *t("web.accessibility.not_met")):
        assert str(escape(item)) in page
    for service in content.SERVICES:  # a phone number for whoever cannot use the chat
        assert (
            html_text(lang, "web.contacts.phone", phone=t(f"web.contacts.{service}.phone")) in page
        )
    # The mediation bodies' names are not translated: each is marked with its language.
    for body in content.appeal_bodies(lang):
        assert f'<a href="{body.url}" lang="{body.name_lang}">' in page


async def test_accessibility_statement_redirects_by_language(client: TestClient) -> None:
    response = await client.get(
        "/accessibility", headers={"Accept-Language": "nl-BE"}, allow_redirects=False
    )
    assert response.status == 302 and response.headers["Location"] == "/nl/accessibility"


@pytest.mark.parametrize(
    "path",
    [
        "/fr/",
        "/nl/",
        "/nl/privacy",
        "/fr/accessibility",
        "/fr/nexiste-pas",
        "/console/login?lang=nl",
    ],
)
async def test_every_page_links_to_the_accessibility_statement_in_its_footer(
    client: TestClient, path: str
) -> None:
    page = await (await client.get(path)).text()
    lang = re.search(r'<html lang="(\w+)">', page)
    footer = re.search(r"<footer.*?</footer>", page, re.S)
    assert lang and footer, path
    link = f'href="/{lang.group(1)}/accessibility"'
    assert link in footer.group(0) and html_text(
        lang.group(1), "web.nav_accessibility"
    ) in footer.group(0)


@pytest.mark.parametrize(
    "path, headers, lang",
    [
        ("/nl/bestaat-niet", {}, "nl"),
        ("/fr/nexiste-pas", {"Accept-Language": "nl"}, "fr"),
        ("/nothing-here", {"Accept-Language": "nl-BE,nl;q=0.9"}, "nl"),
        ("/nothing-here", {"Accept-Language": "fr"}, "fr"),
    ],
)
async def test_not_found_page_in_the_right_language(
    client: TestClient, path: str, headers: dict[str, str], lang: str
) -> None:
    response = await client.get(path, headers=headers)
    assert response.status == 404
    page = await response.text()
    assert f'<html lang="{lang}">' in page
    assert html_text(lang, "web.errors.not_found_title") in page


async def test_static_files_are_served(client: TestClient) -> None:
    for name in ("site.css", "chat.js", "vendor/socket.io-client/socket.io.min.js"):
        response = await client.get(f"/static/{name}")
        assert response.status == 200, name
        assert (await response.read()) == (STATIC_DIR / name).read_bytes()
    assert (await client.get("/static/../app.py")).status in (403, 404)


async def test_health(client: TestClient) -> None:
    response = await client.get("/health")
    assert response.status == 200 and (await response.json()) == {"status": "ok"}


async def test_ready_checks_the_database(aiohttp_client, tmp_path: Path) -> None:
    good = await aiohttp_client(create_app(_settings(tmp_path)))
    response = await good.get("/ready")
    assert response.status == 200 and (await response.json())["database"] == "ok"
    unreachable = "postgresql://nobody@127.0.0.1:9/none"
    down = await aiohttp_client(
        create_app(Settings(rasa_port=5999, web_port=8999, database_url=unreachable))
    )
    response = await down.get("/ready")
    assert response.status == 503 and (await response.json())["status"] == "not ready"


async def test_sessions_from_the_provider_are_listed(aiohttp_client, tmp_path: Path) -> None:
    listing = SessionListing(
        title={"fr": "Travailler en Flandre : infos pratiques", "nl": "Werken in Vlaanderen"},
        starts_at=datetime(2026, 12, 8, 9, 30),
        ends_at=datetime(2026, 12, 8, 11, 30),
        place="Tourcoing",
        language="fr",
        seats_left=0,
    )
    client = await aiohttp_client(create_app(_settings(tmp_path), sessions=lambda: [listing]))
    page = await (await client.get("/nl/")).text()
    assert "Werken in Vlaanderen" in page
    assert "dinsdag 8 december 2026, 09:30–11:30" in page
    assert html_text("nl", "web.sessions.full") in page
    assert html_text("nl", "web.sessions.empty") not in page


async def test_a_failing_page_is_a_500_page_without_details(aiohttp_client, tmp_path: Path) -> None:
    def broken() -> list[SessionListing]:
        raise RuntimeError("database is down")

    client = await aiohttp_client(create_app(_settings(tmp_path), sessions=broken))
    response = await client.get("/fr/")
    assert response.status == 500
    page = await response.text()
    assert html_text("fr", "web.errors.server_error_title") in page
    assert "database is down" not in page


async def test_home_page_lists_the_sessions_of_the_database(aiohttp_client, tmp_path) -> None:
    settings = _settings(tmp_path)
    engine = db.make_engine(settings.database_url)
    with db.transaction(engine) as conn:
        demo_sessions.seed(conn)
        [first, *_] = sessions.upcoming_sessions(conn)
    engine.dispose()
    client = await aiohttp_client(create_app(settings))
    for lang in ("fr", "nl"):
        page = await (await client.get(f"/{lang}/")).text()
        assert str(escape(first.title(lang))) in page
        assert html_text(lang, "web.sessions.empty") not in page


async def test_calendar_invite_of_a_booking_and_404_for_an_unknown_reference(
    aiohttp_client, tmp_path
) -> None:
    settings = _settings(tmp_path)
    engine = db.make_engine(settings.database_url)
    with db.transaction(engine) as conn:
        demo_sessions.seed(conn)
        [session, *_] = sessions.upcoming_sessions(conn, only_available=True)
        result = sessions.book(
            conn, session.id, name="Marie Dupont", email="marie@example.org", language="fr"
        )
    engine.dispose()
    client = await aiohttp_client(create_app(settings))
    response = await client.get(f"/ics/{result.booking.reference}.ics")
    assert response.status == 200
    assert response.content_type == "text/calendar"
    body = await response.text()
    assert "BEGIN:VEVENT" in body and "marie@example.org" not in body
    assert (await client.get("/ics/AAAA-BBBB.ics")).status == 404


def test_a_provider_that_needs_a_missing_module_of_its_own_still_fails() -> None:
    from bot.web.upcoming import upcoming_sessions

    def provider() -> list[SessionListing]:
        import bot.no_such_module  # noqa: F401

        return []

    with pytest.raises(ModuleNotFoundError):
        upcoming_sessions(provider)
