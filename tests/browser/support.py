"""What the browser tests share: the chat widget's steps and the console's sign-in."""

from __future__ import annotations

import json
import re
import urllib.request

from playwright.sync_api import Locator, Page, expect

from bot.messages import text
from tests.support.launcher import Assistant

REPLY_TIMEOUT_MS = 30_000
DEMO = re.compile(r"console demo account created: (\S+) / password (\S+) ")


def bot_messages(page: Page) -> Locator:
    return page.locator("#chat-log .chat-bot")


def open_chat(page: Page, lang: str) -> None:
    page.get_by_role("button", name=text(lang, "web.chat.open")).click()
    expect(page.locator("#chat-panel")).to_be_visible()


def wait_for_bot_messages(page: Page, count: int) -> int:
    """Wait until the chat shows at least ``count`` bot messages; returns how many."""
    page.wait_for_function(
        "n => document.querySelectorAll('#chat-log .chat-bot').length >= n",
        arg=count,
        timeout=REPLY_TIMEOUT_MS,
    )
    return bot_messages(page).count()


def say(assistant: Assistant, sender: str, message: str) -> None:
    """One message over the REST webhook, as another channel's candidate writes it."""
    request = urllib.request.Request(
        f"{assistant.rasa_url}/webhooks/rest/webhook",
        data=json.dumps({"sender": sender, "message": message}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status == 200


def demo_account(assistant: Assistant) -> tuple[str, str]:
    """The e-mail and password of the demo consultant account the launcher printed."""
    for line in assistant.output:
        found = DEMO.search(line)
        if found:
            return found.group(1), found.group(2)
    raise AssertionError("the launcher printed no demo account:\n" + "".join(assistant.output))


def sign_in(page: Page, assistant: Assistant, account: tuple[str, str] | None = None) -> None:
    """Sign in to the console (the demo account by default), in French; lands on the list."""
    email, password = account or demo_account(assistant)
    page.goto(f"{assistant.web_url}/console/login?lang=fr")
    page.get_by_label(text("fr", "console.login.email")).fill(email)
    page.get_by_label(text("fr", "console.login.password")).fill(password)
    page.get_by_role("button", name=text("fr", "console.login.submit")).click()
    expect(page).to_have_url(re.compile(r"/console/conversations$"))
