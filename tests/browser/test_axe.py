"""axe-core finds no WCAG 2.1 A or AA violation: public pages, chat widget, console.

(And every table of these pages has a caption and column headers.)

Every page is checked as a visitor or a consultant sees it, with the real assistant behind
it: the public pages in both languages, the chat widget open on a vacancy search (result
cards with their links, then buttons), and every page of the console with data in its
tables, a form with its errors and the sign-in page with its error.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from bot.messages import text
from tests.browser.axe import report, violations
from tests.browser.support import (
    REPLY_TIMEOUT_MS,
    open_chat,
    sign_in,
    wait_for_bot_messages,
)
from tests.support.launcher import Assistant

pytestmark = pytest.mark.browser
DESKTOP = {"width": 1280, "height": 800}
PUBLIC_PAGES = ("", "privacy", "accessibility", "no-such-page")
SEARCH = {
    "fr": "je cherche un poste de soudeur près de Courtrai",
    "nl": "ik zoek werk als lasser in de buurt van Kortrijk",
}


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=DESKTOP, locale="fr-BE")
    yield context.new_page()
    context.close()


# A data table says what it holds (caption) and what each column is (headers): axe checks
# that headers belong to cells, not that a table has them.
UNNAMED_TABLES_JS = """
() => [...document.querySelectorAll("table")]
  .filter((t) => !(t.caption && t.caption.textContent.trim())
    || t.querySelectorAll("thead th[scope=col]").length === 0)
  .map((t) => t.outerHTML.slice(0, 120))
"""


def _check(page: Page, where: str, found: dict[str, str]) -> None:
    problems = report(violations(page))
    unnamed = page.evaluate(UNNAMED_TABLES_JS)
    if unnamed:
        problems += "\ntables without caption or column headers:\n    " + "\n    ".join(unnamed)
    if problems.strip():
        found[where] = problems.strip()


def _assert_none(found: dict[str, str]) -> None:
    assert found == {}, "\n\n".join(f"{where}:\n{text}" for where, text in found.items())


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_public_pages(page: Page, assistant: Assistant, lang: str) -> None:
    found: dict[str, str] = {}
    for path in PUBLIC_PAGES:
        page.goto(f"{assistant.web_url}/{lang}/{path}")
        _check(page, f"/{lang}/{path}", found)
    _assert_none(found)


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_chat_widget_with_result_cards_and_buttons(
    page: Page, assistant: Assistant, lang: str
) -> None:
    page.goto(f"{assistant.web_url}/{lang}/")
    open_chat(page, lang)
    wait_for_bot_messages(page, 1)
    page.get_by_label(text(lang, "web.chat.input_label")).fill(SEARCH[lang])
    page.keyboard.press("Enter")
    # The cards carry the offers' links; the last message, buttons (show more, new search...).
    expect(page.locator("#chat-log .chat-bot a[href^='https://example.org']").first).to_be_visible(
        timeout=REPLY_TIMEOUT_MS
    )
    last = page.locator("#chat-log .chat-bot").last
    expect(last.locator(".chat-choice:enabled").first).to_be_visible(timeout=REPLY_TIMEOUT_MS)
    found: dict[str, str] = {}
    _check(page, f"/{lang}/ with the chat open", found)
    _assert_none(found)


def _submit_without_browser_checks(page: Page, selector: str) -> None:
    """Send a form as it is, empty fields included: the server's errors are what we check."""
    page.eval_on_selector(selector, "form => { form.noValidate = true; }")
    page.locator(f"{selector} button[type=submit]").last.click()


def test_console_pages(
    page: Page, assistant: Assistant, console_data: tuple[str, tuple[str, str]]
) -> None:
    sender, admin = console_data
    found: dict[str, str] = {}
    console = f"{assistant.web_url}/console"
    page.goto(f"{console}/login?lang=nl")
    _check(page, "sign-in (nl)", found)
    page.goto(f"{console}/login?lang=fr")
    page.get_by_label(text("fr", "console.login.email")).fill("nobody@example.org")
    page.get_by_label(text("fr", "console.login.password")).fill("not the password")
    page.get_by_role("button", name=text("fr", "console.login.submit")).click()
    expect(page.get_by_role("alert")).to_be_visible()
    _check(page, "sign-in with an error (fr)", found)

    sign_in(page, assistant)
    _check(page, "conversation list (demo account, with its warning)", found)
    page.get_by_role("button", name=text("fr", "console.logout")).click()
    sign_in(page, assistant, admin)
    _check(page, "conversation list", found)
    page.get_by_label(text("fr", "console.filters.search")).fill("zlorbix")
    page.get_by_role("button", name=text("fr", "console.filters.apply")).click()
    page.locator("table.list tbody tr").first.get_by_role("link").click()
    expect(page.locator("ol.transcript")).to_contain_text("grumpf zlorbix")
    _check(page, "transcript", found)
    for path in ("callbacks", "inbox", "analytics", "sessions", "account", "nothing-here"):
        page.goto(f"{console}/{path}")
        _check(page, path, found)
    page.goto(f"{console}/analytics")
    page.wait_for_function("() => window.Chart && Chart.getChart('chart-perDay')")
    page.locator(".data-tables summary").click()
    _check(page, "analytics with its tables open", found)

    page.goto(f"{console}/sessions")
    page.locator("table.list tbody tr").filter(has_text=re.compile(r"12 / 12")).first.get_by_role(
        "link"
    ).click()
    _check(page, "session", found)
    page.get_by_role("link", name=text("fr", "console.sessions.edit")).click()
    _check(page, "session edit form", found)
    page.goto(f"{console}/sessions/new")
    _check(page, "new session form", found)
    _submit_without_browser_checks(page, "main form")
    expect(page.locator("#form-errors")).to_be_visible()
    _check(page, "new session form with errors", found)

    for path in ("admin/users", "admin/privacy", "admin/retention", "admin/audit", "admin/replies"):
        page.goto(f"{console}/{path}")
        _check(page, path, found)
    page.get_by_label(text("fr", "console.replies.reply_title")).fill("Un instant")
    page.get_by_label(text("fr", "console.replies.text")).fill("Je regarde votre dossier.")
    page.get_by_role("button", name=text("fr", "console.replies.save")).click()
    expect(page.locator("table.list")).to_contain_text("Je regarde votre dossier.")
    _check(page, "canned replies with one", found)
    page.get_by_role("link", name=text("fr", "console.nav.privacy")).click()
    page.get_by_label(text("fr", "console.privacy.conversation")).fill(sender)
    page.get_by_role("button", name=text("fr", "console.privacy.search")).click()
    expect(page.locator("#found-title")).to_be_visible()
    _check(page, "privacy search result", found)
    _assert_none(found)


def test_axe_reports_a_violation_when_there_is_one(page: Page, assistant: Assistant) -> None:
    # The harness can fail: a field without a label is what axe's "label" rule is for.
    page.goto(f"{assistant.web_url}/fr/privacy")
    page.evaluate(
        "() => document.querySelector('main').appendChild(document.createElement('input'))"
    )
    assert [v["id"] for v in violations(page)] == ["label"]
