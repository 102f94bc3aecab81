"""Headless Chromium (Debian's package) driven by Playwright, and the real assistant.

Nothing is downloaded at test time: Playwright launches /usr/bin/chromium (``make
browser-deps`` installs it), never a browser of its own.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from bot.console import users
from bot.handoff import callbacks
from bot.storage.db import make_engine, transaction
from tests.browser.support import say
from tests.support.launcher import ROOT, Assistant, start_assistant, stop_assistant

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps calling home on a closed network.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = ROOT / "var" / "artifacts" / "browser"


@pytest.fixture(scope="session")
def artifacts() -> Path:
    if ARTIFACTS.exists():
        shutil.rmtree(ARTIFACTS)
    ARTIFACTS.mkdir(parents=True)
    print(f"\n[browser] screenshots in {ARTIFACTS}")
    return ARTIFACTS


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser-deps`")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    try:
        started = start_assistant(tmp_path_factory.mktemp("var"))
    except RuntimeError as exc:
        pytest.fail(str(exc))
    yield started
    stop_assistant(started)


def _add_callback_and_admin(assistant: Assistant, sender: str) -> tuple[str, str]:
    """A Dutch callback request in the queue, and an admin account (the demo one is not)."""
    admin = (f"admin-{uuid.uuid4().hex[:8]}@example.org", uuid.uuid4().hex)
    engine = make_engine(f"sqlite:///{assistant.var_dir / 'rasa.db'}")
    try:
        with transaction(engine) as conn:
            users.create_user(conn, *admin, role="admin")
            callbacks.request_callback(
                conn,
                sender_id=sender,
                message_id=uuid.uuid4().hex,
                language="nl",
                channel="rest",
                name="Lotte Test",
                phone="+32470000000",
                preferred_moment="morgenvoormiddag",
                topic="family_allowances",
                consent_at=datetime.now(timezone.utc),
                consent_version="test",
            )
    finally:
        engine.dispose()
    return admin


@pytest.fixture(scope="session")
def console_data(assistant: Assistant) -> tuple[str, tuple[str, str]]:
    """A French conversation with a misunderstood message, a Dutch callback request, and
    an admin account: the conversation's sender id and the account."""
    sender = f"axe-{uuid.uuid4().hex}"
    for message in ("Bonjour", "est-ce que je paie mes impôts en Belgique ?", "grumpf zlorbix"):
        say(assistant, sender, message)
    assert len(assistant.user_texts(sender, at_least=3)) >= 3
    return sender, _add_callback_and_admin(assistant, f"axe-nl-{uuid.uuid4().hex}")
