"""Keyboard, screen reader, language of parts, zoom and motion, in headless Chromium.

The chat widget as someone with a keyboard and a screen reader meets it (Playwright's
keyboard and the accessibility tree), the language of text in the other language, the
pages and the chat at 320 CSS pixels and at 200 % zoom, reduced motion, and the console's
skip link, transcript headings and form errors. The screenshots of docs/ (the chat at
320 px and at 200 % zoom, the console with the keyboard focus) are taken here.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from bot.messages import text
from tests.browser.support import (
    REPLY_TIMEOUT_MS,
    open_chat,
    sign_in,
    wait_for_bot_messages,
)
from tests.support.launcher import ROOT, Assistant

pytestmark = pytest.mark.browser
DESKTOP = {"width": 1280, "height": 800}
# WCAG 1.4.10: 320 CSS pixels wide; a 1280 x 800 window at 200 % zoom is 640 x 400 CSS px.
SMALL_SCREENS = {
    "320px": {"viewport": {"width": 320, "height": 640}},
    "zoom200": {"viewport": {"width": 640, "height": 400}, "device_scale_factor": 2},
}
PUBLIC_PAGES = ("", "privacy", "accessibility")
SEARCH = "je cherche un poste de soudeur près de Courtrai"
# A message in a third language gets the bilingual answer (utter_languages_spoken).
GERMAN = "Guten Tag, ich suche eine Arbeit in Belgien. Können Sie mir bitte helfen?"
DUTCH = "Goeiedag, ik zoek eigenlijk een job als lasser in de buurt van Kortrijk"
DOCS = ROOT / "docs"

# What the live region receives: the class of each message added, and how many removed.
WATCH_LOG_JS = """
() => {
  window.__live = { added: [], removed: 0 };
  new MutationObserver((records) => {
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (node.nodeName === "LI") window.__live.added.push(node.className);
      }
      window.__live.removed += [...record.removedNodes].filter((n) => n.nodeName === "LI").length;
    }
  }).observe(document.getElementById("chat-log"), { childList: true, subtree: true });
}
"""
FOCUS_IN_CHAT_JS = "() => document.getElementById('chat').contains(document.activeElement)"
# Past the chat's last control, Tab leaves the page for the browser's own controls (the
# document's body in a headless browser), as it does after a modal dialog.
FOCUS_NOT_BEHIND_JS = (
    "() => document.activeElement === document.body"
    " || document.getElementById('chat').contains(document.activeElement)"
)
NO_HORIZONTAL_SCROLL_JS = "() => document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=DESKTOP, locale="fr-BE")
    yield context.new_page()
    context.close()


def _ask(page: Page, message: str) -> None:
    page.get_by_label(text("fr", "web.chat.input_label")).fill(message)
    page.keyboard.press("Enter")


def _search_results(page: Page) -> None:
    """Search offers in the open chat and wait for the cards and the buttons after them."""
    _ask(page, SEARCH)
    expect(page.locator("#chat-log .chat-bot a[href^='https://example.org']").first).to_be_visible(
        timeout=REPLY_TIMEOUT_MS
    )
    last = page.locator("#chat-log .chat-bot").last
    expect(last.locator(".chat-choice:enabled").first).to_be_visible(timeout=REPLY_TIMEOUT_MS)


def test_chat_with_the_keyboard_and_a_screen_reader(page: Page, assistant: Assistant) -> None:
    page.goto(f"{assistant.web_url}/fr/")
    launcher = page.get_by_role("button", name=text("fr", "web.chat.open"))
    expect(launcher).to_have_attribute("aria-expanded", "false")
    launcher.focus()
    page.keyboard.press("Enter")
    # The focus goes into the chat, on the message field, which has a name.
    field = page.get_by_role("textbox", name=text("fr", "web.chat.input_label"))
    expect(field).to_be_focused()
    wait_for_bot_messages(page, 1)
    log = page.get_by_role("log", name=text("fr", "web.chat.log_label"))
    expect(log).to_have_attribute("aria-live", "polite")

    page.evaluate(WATCH_LOG_JS)
    page.keyboard.type("que peux-tu faire ?")
    assert page.evaluate("window.__live.added") == [], "typing must not change the live region"
    page.keyboard.press("Enter")
    choice = page.locator("#chat-log .chat-bot").last.get_by_role(
        "button", name=text("fr", "intent.ask_human")
    )
    expect(choice).to_be_enabled(timeout=REPLY_TIMEOUT_MS)
    live = page.evaluate("window.__live")
    # Only the new messages reach the live region, once: nothing shown was rendered again.
    assert live["removed"] == 0, live
    assert live["added"][0] == "chat-message chat-user", live
    assert set(live["added"][1:]) == {"chat-message chat-bot"}, live

    # The conversation reads in order: a list of messages, each saying who speaks.
    tree = log.aria_snapshot()
    speakers = re.findall(r'(?:listitem|text): "(\w+):', tree)
    assert speakers[:3] == ["Assistant", "Vous", "Assistant"], tree
    # The way to the other language is named, and marked, in that language.
    expect(
        page.locator("#chat-log").get_by_role("button", name="Nederlands").last
    ).to_have_attribute("lang", "nl")

    # The choices are real buttons, reached with Shift+Tab from the field.
    field.focus()
    for _ in range(5):
        page.keyboard.press("Shift+Tab")
        if choice.evaluate("el => el === document.activeElement"):
            break
    expect(choice).to_be_focused()
    page.keyboard.press("Enter")
    # The spent choice is disabled where it stands; the focus goes on to the field.
    expect(choice).to_be_disabled()
    expect(field).to_be_focused()
    expect(page.locator("#chat-log .chat-user").last).to_have_text(
        re.compile(re.escape(text("fr", "intent.ask_human")) + "$")
    )
    before = page.locator("#chat-log .chat-bot").count()
    wait_for_bot_messages(page, before + 1)
    expect(field).to_be_focused()  # a new message does not take the focus

    # "New conversation" keeps the focus in the chat; Escape closes it, back to the launcher.
    page.get_by_role("button", name=text("fr", "web.chat.reset")).click()
    expect(field).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator("#chat-panel")).to_be_hidden()
    expect(launcher).to_be_focused()
    expect(launcher).to_have_attribute("aria-expanded", "false")


def test_language_of_parts_on_the_french_page(page: Page, assistant: Assistant) -> None:
    page.goto(f"{assistant.web_url}/fr/")
    expect(page.get_by_role("link", name="Nederlands")).to_have_attribute("lang", "nl")
    open_chat(page, "fr")
    wait_for_bot_messages(page, 1)

    # A Dutch offer on a French card: its title line is Dutch, the rest French.
    _search_results(page)
    card = page.locator("#chat-log .chat-bot .chat-bubble", has_text="Lasser").first
    expect(card).to_have_attribute("lang", "fr")
    lines = card.locator(":scope > span")
    expect(lines.first).to_have_attribute("lang", "nl")
    assert lines.nth(1).get_attribute("lang") is None  # the card's own words: French

    # The answer to a third language, in both: each line in its own language.
    shown = page.locator("#chat-log .chat-bot").count()
    _ask(page, GERMAN)
    wait_for_bot_messages(page, shown + 1)
    both = page.locator("#chat-log .chat-bot .chat-bubble", has_text="Sorry, ik spreek").last
    expect(both).to_have_attribute("lang", "fr")
    expect(both.locator(":scope > span", has_text="Sorry, ik spreek")).to_have_attribute(
        "lang", "nl"
    )

    # The visitor goes on in Dutch: the answers are Dutch, and marked so.
    shown = page.locator("#chat-log .chat-bot").count()
    _ask(page, DUTCH)
    wait_for_bot_messages(page, shown + 1)
    expect(page.locator("#chat-log .chat-bot .chat-bubble").last).to_have_attribute("lang", "nl")


def test_the_full_screen_chat_keeps_the_keyboard_inside(
    browser: Browser, assistant: Assistant
) -> None:
    context = browser.new_context(**SMALL_SCREENS["320px"])
    page = context.new_page()
    try:
        page.goto(f"{assistant.web_url}/nl/")
        open_chat(page, "nl")
        wait_for_bot_messages(page, 1)
        # The chat covers the page, which is inert: Tab never reaches the links under it.
        assert page.evaluate("document.querySelector('main').inert") is True
        for _ in range(12):
            page.keyboard.press("Tab")
            assert page.evaluate(FOCUS_NOT_BEHIND_JS), page.evaluate(
                "document.activeElement.outerHTML.slice(0, 200)"
            )
        page.locator("#chat-input").focus()
        page.keyboard.press("Escape")
        assert page.evaluate("document.querySelector('main').inert") is False
        page.keyboard.press("Shift+Tab")
        assert not page.evaluate(FOCUS_IN_CHAT_JS)  # the page is reachable again
    finally:
        context.close()


@pytest.mark.parametrize("screen", SMALL_SCREENS)
def test_pages_and_chat_reflow_on_small_screens(
    browser: Browser, assistant: Assistant, artifacts: Path, screen: str
) -> None:
    context = browser.new_context(locale="fr-BE", **SMALL_SCREENS[screen])
    page = context.new_page()
    try:
        for lang in ("fr", "nl"):
            for path in PUBLIC_PAGES:
                page.goto(f"{assistant.web_url}/{lang}/{path}")
                assert page.evaluate(NO_HORIZONTAL_SCROLL_JS), f"/{lang}/{path} scrolls sideways"
        page.goto(f"{assistant.web_url}/fr/")
        open_chat(page, "fr")
        wait_for_bot_messages(page, 1)
        _search_results(page)
        assert page.evaluate(NO_HORIZONTAL_SCROLL_JS)
        log = page.locator("#chat-log")
        assert log.evaluate("el => el.scrollWidth <= el.clientWidth"), (
            "the messages scroll sideways"
        )
        size = page.viewport_size
        assert size is not None
        controls = ["#chat-close", "#chat-reset", "#chat-input", "#chat-send", ".chat-choice"]
        for selector in controls:
            box = page.locator(selector).last.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= size["width"], selector
        for selector in controls[:4]:  # the header and the form stay on screen
            box = page.locator(selector).bounding_box()
            assert box and box["y"] >= 0 and box["y"] + box["height"] <= size["height"], selector
        shot = artifacts / f"a11y-chat-{screen}.png"
        page.screenshot(path=str(shot), scale="css")
        shutil.copy(shot, DOCS / shot.name)
    finally:
        context.close()


CONSOLE_PAGES = (
    "conversations",
    "callbacks",
    "inbox",
    "analytics",
    "sessions",
    "sessions/new",
    "account",
    "admin/users",
    "admin/privacy",
    "admin/retention",
    "admin/audit",
    "models",
)


def test_console_reflows_at_320_px(
    browser: Browser, assistant: Assistant, console_data: tuple[str, tuple[str, str]]
) -> None:
    # A wide table scrolls inside its own region (named by its caption), never the page.
    context = browser.new_context(**SMALL_SCREENS["320px"])
    page = context.new_page()
    try:
        sign_in(page, assistant, console_data[1])
        wide = []
        for path in CONSOLE_PAGES:
            page.goto(f"{assistant.web_url}/console/{path}")
            if not page.evaluate(NO_HORIZONTAL_SCROLL_JS):
                wide.append(path)
        assert wide == [], f"console pages that scroll sideways at 320 px: {wide}"
        page.goto(f"{assistant.web_url}/console/admin/users")
        region = page.get_by_role("region", name=text("fr", "console.users.caption"))
        assert region.evaluate("el => el.scrollWidth > el.clientWidth")  # it does scroll
    finally:
        context.close()


def test_reduced_motion_stops_the_animations(browser: Browser, assistant: Assistant) -> None:
    animations = {}
    for motion in ("no-preference", "reduce"):
        context = browser.new_context(reduced_motion=motion)
        page = context.new_page()
        page.goto(f"{assistant.web_url}/fr/")
        animations[motion] = page.evaluate(
            "getComputedStyle(document.querySelector('#chat-typing .dots span')).animationName"
        )
        context.close()
    assert animations == {"no-preference": "chat-blink", "reduce": "none"}


def test_console_charts_are_still_with_reduced_motion(
    browser: Browser, assistant: Assistant
) -> None:
    context = browser.new_context(viewport=DESKTOP, reduced_motion="reduce")
    page = context.new_page()
    try:
        sign_in(page, assistant)
        page.goto(f"{assistant.web_url}/console/analytics")
        page.wait_for_function("() => window.Chart && Chart.getChart('chart-perDay')")
        assert page.evaluate("() => Chart.getChart('chart-perDay').options.animation") is False
    finally:
        context.close()


def test_console_skip_link_transcript_headings_and_focus(
    page: Page, assistant: Assistant, console_data: tuple[str, tuple[str, str]], artifacts: Path
) -> None:
    sign_in(page, assistant)
    # The skip link is the first stop, shows itself, and takes the focus to the content.
    page.evaluate("() => document.activeElement.blur()")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name=text("fr", "console.skip_link"))
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box and box["y"] >= 0, "the focused skip link must be on screen"
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label(text("fr", "console.filters.search"))).to_be_focused()
    # The focus is plain to see (docs/a11y-console-focus.png).
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none")
    page.evaluate("window.scrollTo(0, 0)")
    shot = artifacts / "a11y-console-focus.png"
    page.screenshot(path=str(shot), clip={"x": 0, "y": 0, "width": 1280, "height": 560})
    shutil.copy(shot, DOCS / shot.name)

    # The transcript reads turn by turn: one heading for each message, who and when.
    page.get_by_label(text("fr", "console.filters.search")).fill("zlorbix")
    page.get_by_role("button", name=text("fr", "console.filters.apply")).click()
    page.locator("table.list tbody tr").first.get_by_role("link").click()
    turns = page.locator("ol.transcript li.turn")
    expect(turns.first).to_be_visible()
    headings = page.locator("ol.transcript").get_by_role("heading", level=3)
    expect(headings).to_have_count(turns.count())
    expect(headings.first).to_contain_text(text("fr", "console.transcript.user"))
    user_text = page.locator("ol.transcript .turn-user .text", has_text="impôts")
    expect(user_text).to_have_attribute("lang", "fr")  # the detected language of the message
    expect(page.locator("ol.transcript .turn-bot .text").first).to_have_attribute("lang", "fr")


def test_console_errors_belong_to_their_fields(page: Page, assistant: Assistant) -> None:
    sign_in(page, assistant)
    page.goto(f"{assistant.web_url}/console/sessions/new")
    page.get_by_label(text("fr", "console.sessions.form.fields.title_fr")).fill("Séance test")
    page.eval_on_selector("main form", "form => { form.noValidate = true; }")
    page.get_by_role("button", name=text("fr", "console.sessions.form.create")).click()
    expect(page.locator("#form-errors[role=alert]")).to_contain_text(
        text("fr", "console.sessions.form.invalid")
    )
    invalid = page.locator("main form [aria-invalid=true]")
    names = invalid.evaluate_all("els => els.map(el => el.name)")
    assert "title_nl" in names and "capacity" in names and "title_fr" not in names, names
    # Each one is described by the error, and the error's link leads to it.
    for name in ("title_nl", "capacity"):
        field = page.locator(f"main form [name={name}]")
        expect(field).to_have_accessible_description(
            re.compile("^" + re.escape(text("fr", "console.sessions.form.invalid")))
        )
        field_id = field.get_attribute("id")
        link = page.locator("#form-errors").get_by_role(
            "link", name=text("fr", f"console.sessions.form.fields.{name}")
        )
        expect(link).to_have_attribute("href", f"#{field_id}")
    page.locator("#form-errors").get_by_role(
        "link", name=text("fr", "console.sessions.form.fields.capacity")
    ).click()
    expect(page.locator("main form [name=capacity]")).to_be_focused()
