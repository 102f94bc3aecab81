"""The real website app with the console, on a real database, driven by aiohttp's client."""

from __future__ import annotations

import html
import re
from pathlib import Path

from aiohttp.test_utils import TestClient

from bot.config import Settings
from bot.console import users
from bot.storage import db, rasa_events

PASSWORD = "correct-horse-battery-staple"
ADMIN = "admin@example.org"
CONSULTANT = "consultant@example.org"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def console_settings(tmp_path: Path, database_url: str, **overrides: object) -> Settings:
    return Settings(  # type: ignore[arg-type]
        rasa_port=5999, web_port=8999, var_dir=tmp_path, database_url=database_url, **overrides
    )


def prepare(database_url: str) -> None:
    """The Rasa table and two accounts: an admin and a consultant (Dutch interface)."""
    engine = db.make_engine(database_url)
    rasa_events.create(engine)
    with db.transaction(engine) as conn:
        users.create_user(conn, ADMIN, PASSWORD, "admin", "fr")
        users.create_user(conn, CONSULTANT, PASSWORD, "consultant", "nl")
    engine.dispose()


def token(page: str) -> str:
    found = _TOKEN.search(page)
    assert found, "no CSRF token in the page"
    return html.unescape(found.group(1))


async def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> str:
    """Sign in through the form; the CSRF token of the new session."""
    login = await client.get("/console/login")
    response = await client.post(
        "/console/login",
        data={"csrf_token": token(await login.text()), "email": email, "password": password},
        allow_redirects=False,
    )
    assert response.status == 303, await response.text()
    page = await client.get("/console/account")
    return token(await page.text())
