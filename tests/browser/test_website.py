"""The website and its chat widget in headless Chromium, against the real assistant.

One journey as a visitor makes it: the French page by the browser's language, the switch
to Dutch, a short conversation, a button, a reload that keeps the conversation; then the
keyboard and screen-reader basics, contrast, and the phone-sized layout.
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
    bot_messages,
    open_chat,
    wait_for_bot_messages,
)
from tests.support.launcher import ROOT, Assistant

pytestmark = pytest.mark.browser
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")

# Relative luminance and contrast ratio of WCAG 2.x, on the colours the browser computed
# (the background is the first opaque one up the tree).
CONTRAST_JS = """
(selector) => {
  const el = document.querySelector(selector);
  if (!el) return null;
  const parse = (c) => c.match(/[\\d.]+/g).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  let node = el, bg = null;
  while (node && node.nodeType === 1) {
    const c = parse(getComputedStyle(node).backgroundColor);
    if (c.length < 4 || c[3] > 0.99) { bg = c; break; }
    node = node.parentElement;
  }
  bg = bg || [255, 255, 255];
  const fg = parse(getComputedStyle(el).color);
  const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}
"""


@pytest.fixture
def desktop(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=DESKTOP, locale="fr-BE")
    page = context.new_page()
    yield page
    context.close()


def test_conversation_in_dutch_survives_a_reload(
    desktop: Page, assistant: Assistant, artifacts: Path
) -> None:
    page = desktop
    page.goto(f"{assistant.web_url}/")
    assert page.url.endswith("/fr/"), "a French browser opens the French page"
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.screenshot(path=str(artifacts / "desktop-fr.png"), full_page=True)

    page.get_by_role("link", name="Nederlands").click()
    page.wait_for_url("**/nl/")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("heading", level=1)).to_have_text(text("nl", "web.home.title"))

    open_chat(page, "nl")
    # A new conversation opens with the greeting, in the page's language.
    wait_for_bot_messages(page, 1)
    expect(bot_messages(page).first).to_contain_text("virtuele assistent")

    # The typing indicator shows while the assistant works on the answer.
    page.evaluate(
        """() => {
          window.__typingSeen = false;
          const typing = document.getElementById('chat-typing');
          new MutationObserver(() => { if (!typing.hidden) window.__typingSeen = true; })
            .observe(typing, { attributes: true });
        }"""
    )
    page.get_by_label(text("nl", "web.chat.input_label")).fill(
        "wat kun je eigenlijk allemaal voor mij doen?"
    )
    page.keyboard.press("Enter")
    shown = wait_for_bot_messages(page, 2)
    assert page.evaluate("window.__typingSeen") is True
    expect(page.locator("#chat-typing")).to_be_hidden()
    help_answer = page.locator("#chat-log .chat-bot", has_text="vacatures")
    expect(help_answer).to_have_count(1)

    button = help_answer.get_by_role("button", name="Met een consulent praten")
    expect(button).to_be_enabled()
    button.click()
    # The click shows the button's title as the visitor's message, not its payload.
    expect(page.locator("#chat-log .chat-user").last).to_have_text(
        re.compile(r"Met een consulent praten$")
    )
    expect(page.locator("#chat-log")).not_to_contain_text("/ask_human")
    shown = wait_for_bot_messages(page, shown + 1)
    expect(button).to_be_disabled()
    page.screenshot(path=str(artifacts / "desktop-nl-chat.png"))
    shutil.copy(artifacts / "desktop-nl-chat.png", ROOT / "docs" / "screenshot-website.png")

    session_id = page.evaluate("JSON.parse(localStorage.getItem('crossborder-chat')).sessionId")
    assert UUID.match(session_id), session_id
    before = page.locator("#chat-log li").all_inner_texts()

    page.reload()
    expect(page.locator("#chat-panel")).to_be_visible()
    assert page.locator("#chat-log li").all_inner_texts() == before
    # The same conversation goes on at the server: same session id, same tracker.
    page.get_by_label(text("nl", "web.chat.input_label")).fill("top, dank je wel")
    page.get_by_role("button", name=text("nl", "web.chat.send")).click()
    wait_for_bot_messages(page, shown + 1)
    users = assistant.user_texts(session_id, at_least=4)
    assert users == [
        "/greet",
        "wat kun je eigenlijk allemaal voor mij doen?",
        "/ask_human",
        "top, dank je wel",
    ]
    assert assistant.tracker(session_id)["slots"]["language"] == "nl"


def test_links_and_newlines_in_bot_texts(desktop: Page, assistant: Assistant) -> None:
    page = desktop
    page.goto(f"{assistant.web_url}/fr/")
    open_chat(page, "fr")
    wait_for_bot_messages(page, 1)
    page.get_by_label(text("fr", "web.chat.input_label")).fill(
        "comment on s'inscrire au Forem ou au VDAB ?"
    )
    page.keyboard.press("Enter")
    wait_for_bot_messages(page, 2)
    links = page.locator("#chat-log .chat-bot a[href^='https://']")
    expect(links.first).to_be_visible(timeout=REPLY_TIMEOUT_MS)
    href = links.first.get_attribute("href")
    assert href and links.first.inner_text() == href
    white_space = page.locator("#chat-log .chat-bubble").first.evaluate(
        "el => getComputedStyle(el).whiteSpace"
    )
    assert white_space == "pre-line"


def test_keyboard_and_screen_reader_basics(desktop: Page, assistant: Assistant) -> None:
    page = desktop
    page.goto(f"{assistant.web_url}/nl/")
    log = page.locator("#chat-log")
    assert log.get_attribute("aria-live") == "polite" and log.get_attribute("role") == "log"
    assert log.get_attribute("aria-label") == text("nl", "web.chat.log_label")
    toggle = page.locator("#chat-toggle")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert page.locator("#chat-close").get_attribute("aria-label") == text("nl", "web.chat.close")

    # Tab from the top of the page: the skip link first, and the chat button is reached.
    order = []
    for _ in range(30):
        page.keyboard.press("Tab")
        order.append(page.evaluate("document.activeElement.id || document.activeElement.className"))
        if order[-1] == "chat-toggle":
            break
    assert order[0] == "skip-link" and order[-1] == "chat-toggle", order
    page.keyboard.press("Enter")
    expect(page.locator("#chat-panel")).to_be_visible()
    assert toggle.get_attribute("aria-expanded") == "true"
    # Opening the chat puts the cursor in the message field; Tab goes on to "send".
    assert page.evaluate("document.activeElement.id") == "chat-input"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "the focused field must show it has the focus"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "chat-send"
    width = page.evaluate("parseFloat(getComputedStyle(document.activeElement).outlineWidth)")
    assert width >= 2
    assert page.get_by_label(text("nl", "web.chat.input_label")).get_attribute("id") == "chat-input"
    expect(page.get_by_role("button", name=text("nl", "web.chat.send"))).to_be_visible()
    # Escape closes the chat and gives the focus back to its button.
    page.keyboard.press("Escape")
    expect(page.locator("#chat-panel")).to_be_hidden()
    assert page.evaluate("document.activeElement.id") == "chat-toggle"


def test_contrast_of_text_and_controls(desktop: Page, assistant: Assistant) -> None:
    page = desktop
    page.goto(f"{assistant.web_url}/fr/")
    open_chat(page, "fr")
    wait_for_bot_messages(page, 1)
    page.get_by_label(text("fr", "web.chat.input_label")).fill("que peux-tu faire ?")
    page.keyboard.press("Enter")
    wait_for_bot_messages(page, 2)
    selectors = [
        "main p",
        "main a",
        ".site-header a",
        ".language-switch a[aria-current]",
        ".note",
        ".chat-header h2",
        ".chat-notice",
        "#chat-log .chat-bot .chat-bubble",
        "#chat-log .chat-user .chat-bubble",
        ".chat-choice",
        ".chat-send",
        "#chat-input",
    ]
    ratios = {selector: page.evaluate(CONTRAST_JS, selector) for selector in selectors}
    assert all(ratio is not None for ratio in ratios.values()), ratios
    low = {selector: round(ratio, 2) for selector, ratio in ratios.items() if ratio < 4.5}
    assert low == {}, f"contrast below 4.5:1: {low}"


def test_phone_layout(browser: Browser, assistant: Assistant, artifacts: Path) -> None:
    context = browser.new_context(viewport=PHONE, locale="nl-BE", is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        page.goto(f"{assistant.web_url}/")
        assert page.url.endswith("/nl/")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.screenshot(path=str(artifacts / "phone-nl.png"), full_page=True)
        open_chat(page, "nl")
        wait_for_bot_messages(page, 1)
        panel = page.locator("#chat-panel").bounding_box()
        assert panel and panel["width"] == PHONE["width"] and panel["height"] >= PHONE["height"] - 1
        send = page.locator("#chat-send").bounding_box()
        assert send and send["x"] + send["width"] <= PHONE["width"]
        assert send["y"] + send["height"] <= PHONE["height"]
        page.screenshot(path=str(artifacts / "phone-nl-chat.png"))
    finally:
        context.close()
