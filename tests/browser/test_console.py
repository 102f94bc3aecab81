"""The consultant console in headless Chromium, on conversations held with the real assistant.

The conversations are held over the REST webhook first (a French one with a question, a
message the model does not understand and an e-mail address, and a Dutch one); then a
consultant signs in with the demo account the launcher printed, filters the list, opens
the French transcript, tags it, and corrects the misunderstood message in the inbox.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from bot.messages import catalog, text
from tests.browser.support import demo_account, say
from tests.support.launcher import Assistant

pytestmark = pytest.mark.browser
DESKTOP = {"width": 1280, "height": 900}
FRENCH = [
    "Bonjour",
    "est-ce que je paie mes impôts en Belgique si je travaille à Menen ?",
    "blorfzak wizzle",
    "mon adresse est jeanne.test@example.org",
]
DUTCH = ["Dag", "hoe zit het met de kinderbijslag als ik in Frankrijk werk"]
# Every field of a page has a label (a <label for>, or aria-label on the control).
UNLABELLED_JS = """
() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
  .filter(el => el.labels.length === 0 && !el.getAttribute('aria-label'))
  .map(el => el.name || el.id)
"""


@pytest.fixture(scope="module")
def conversations(assistant: Assistant) -> dict[str, str]:
    senders = {"fr": f"console-fr-{uuid.uuid4().hex}", "nl": f"console-nl-{uuid.uuid4().hex}"}
    for language, messages in (("fr", FRENCH), ("nl", DUTCH)):
        for message in messages:
            say(assistant, senders[language], message)
        # The two-stage fallback stores a rephrasing it understood twice: at least as many.
        texts = assistant.user_texts(senders[language], at_least=len(messages))
        assert set(messages) <= set(texts), texts
    return senders


@pytest.fixture
def console(browser: Browser) -> Iterator[tuple[Page, list[str]]]:
    context = browser.new_context(viewport=DESKTOP, locale="fr-BE")
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    yield page, problems
    context.close()


def _sign_in(page: Page, assistant: Assistant, artifacts: Path) -> None:
    email, password = demo_account(assistant)
    page.goto(f"{assistant.web_url}/console/")
    expect(page).to_have_url(re.compile(r"/console/login\?next="))
    expect(page.get_by_role("heading", level=1)).to_have_text(text("fr", "console.login.title"))
    page.screenshot(path=str(artifacts / "console-login.png"))
    page.get_by_label(text("fr", "console.login.email")).fill(email)
    page.get_by_label(text("fr", "console.login.password")).fill(password)
    page.get_by_role("button", name=text("fr", "console.login.submit")).click()
    expect(page).to_have_url(re.compile(r"/console/conversations$"))
    # The demo account says it must be changed before production.
    expect(page.get_by_role("alert")).to_contain_text(text("fr", "console.demo_change"))


def test_consultant_reviews_a_real_conversation(
    console: tuple[Page, list[str]],
    assistant: Assistant,
    conversations: dict[str, str],
    artifacts: Path,
) -> None:
    page, problems = console
    _sign_in(page, assistant, artifacts)
    assert page.evaluate(UNLABELLED_JS) == []

    # Filter: the Dutch conversation only (of the REST channel: the chat widget's tests hold
    # Dutch conversations with the same assistant).
    page.get_by_label(text("fr", "console.filters.language")).select_option("nl")
    page.get_by_label(text("fr", "console.filters.channel")).select_option("rest")
    page.get_by_role("button", name=text("fr", "console.filters.apply")).click()
    expect(page).to_have_url(re.compile(r"language=nl&channel=rest"))
    rows = page.locator("table.list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(text("fr", "console.language.nl"))
    page.screenshot(path=str(artifacts / "console-filtered.png"), full_page=True)

    # Search the French one by a word of its messages, then open it.
    page.get_by_label(text("fr", "console.filters.language")).select_option("fr")
    page.get_by_label(text("fr", "console.filters.search")).fill("impôts Menen")
    page.get_by_role("button", name=text("fr", "console.filters.apply")).click()
    expect(rows).to_have_count(1)
    rows.first.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        text("fr", "console.transcript.title").split("{")[0].strip()
    )
    transcript = page.locator("ol.transcript")
    expect(transcript).to_contain_text("blorfzak wizzle")
    intent_names = catalog("fr")["console"]["intent_names"]  # named for the consultant
    expect(transcript).to_contain_text(intent_names["nlu_fallback"])
    expect(transcript).to_contain_text(intent_names["faq/taxes"])
    expect(transcript).not_to_contain_text("jeanne.test@example.org")  # masked
    expect(transcript).to_contain_text("***@***")

    # Tag it.
    page.get_by_label(text("fr", "console.transcript.new_tag")).fill("suivi fiscal")
    page.get_by_role("button", name=text("fr", "console.transcript.add_tag"), exact=True).click()
    expect(page.locator("#tags .tag")).to_have_text(["suivi fiscal"])
    page.screenshot(path=str(artifacts / "console-transcript.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 1000})
    page.evaluate("window.scrollTo(0, 0)")  # the tag form sends the page to #tags
    page.screenshot(path=str(artifacts / "console-readme.png"))

    # Reveal the personal data: shown, and said so.
    page.get_by_role("button", name=text("fr", "console.transcript.reveal")).click()
    expect(transcript).to_contain_text("jeanne.test@example.org")

    # The list filtered on the tag finds it.
    page.goto(f"{assistant.web_url}/console/conversations?tag=suivi+fiscal")
    expect(rows).to_have_count(1)
    assert problems == [], problems


def test_consultant_corrects_a_misunderstood_message(
    console: tuple[Page, list[str]],
    assistant: Assistant,
    conversations: dict[str, str],
    artifacts: Path,
) -> None:
    page, problems = console
    _sign_in(page, assistant, artifacts)
    page.get_by_role("link", name=text("fr", "console.nav.inbox")).click()
    item = page.locator("li.inbox-item", has_text="blorfzak wizzle")
    expect(item).to_have_count(1)
    assert page.evaluate(UNLABELLED_JS) == []
    item.get_by_label(text("fr", "console.inbox.right_intent")).select_option("out_of_scope")
    page.screenshot(path=str(artifacts / "console-inbox.png"), full_page=True)
    item.get_by_role("button", name=text("fr", "console.inbox.save")).click()
    expect(page.get_by_role("status")).to_have_text(text("fr", "console.inbox.done.labelled"))
    expect(page.locator("li.inbox-item", has_text="blorfzak wizzle")).to_have_count(0)
    page.get_by_role("link", name=re.compile(text("fr", "console.inbox.status.labelled"))).click()
    labelled = page.locator("li.inbox-item", has_text="blorfzak wizzle")
    expect(labelled).to_contain_text(catalog("fr")["console"]["intent_names"]["out_of_scope"])

    # The export for data/nlu_fr/ carries it.
    with page.expect_download() as download:
        page.get_by_role("button", name=text("fr", "console.inbox.export.fr")).click()
    exported = Path(download.value.path()).read_text(encoding="utf-8")
    assert "- intent: out_of_scope" in exported and "    - blorfzak wizzle" in exported

    # Analytics: the charts are drawn by the vendored Chart.js, under the site's CSP.
    page.get_by_role("link", name=text("fr", "console.nav.analytics")).click()
    page.wait_for_function("() => window.Chart && Chart.getChart('chart-perDay')")
    assert (
        page.evaluate("() => Chart.getChart('chart-languages').data.datasets[0].data.length") >= 1
    )
    page.screenshot(path=str(artifacts / "console-analytics.png"), full_page=True)
    assert problems == [], problems


def test_sign_in_page_in_dutch_starts_in_the_email_field(
    console: tuple[Page, list[str]], assistant: Assistant
) -> None:
    page, _problems = console
    page.goto(f"{assistant.web_url}/console/login?lang=nl")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("heading", level=1)).to_have_text(text("nl", "console.login.title"))
    assert page.evaluate("document.activeElement.id") == "email"
    # Back through the language links and the console's name to the skip link.
    for _ in range(4):
        page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"


def test_consultant_exports_the_attendees_of_a_session(
    console: tuple[Page, list[str]], assistant: Assistant, artifacts: Path
) -> None:
    page, problems = console
    _sign_in(page, assistant, artifacts)
    page.get_by_role("link", name=text("fr", "console.nav.sessions"), exact=True).click()
    rows = page.locator("table.list tbody tr")
    expect(rows.first).to_be_visible()  # the demo sessions of `make run`
    page.screenshot(path=str(artifacts / "console-sessions.png"), full_page=True)
    # A demo session that is full, with a waiting list.
    rows.filter(has_text="12 / 12").first.get_by_role("link").click()
    expect(page.get_by_role("heading", level=2).first).to_contain_text(
        text("fr", "console.sessions.part.confirmed")
    )
    with page.expect_download() as download:
        page.get_by_role("link", name=text("fr", "console.sessions.export_csv")).click()
    assert download.value.suggested_filename.endswith(".csv")
    body = Path(download.value.path()).read_bytes()
    assert body.startswith(b"\xef\xbb\xbf")
    header = body.decode("utf-8-sig").splitlines()[0].split(";")
    assert header[0] == text("fr", "console.sessions.csv.reference")
    assert len(body.decode("utf-8-sig").splitlines()) > 12  # twelve seats and the waiting list
    assert problems == [], problems


def test_consultant_takes_a_conversation_over_and_hands_it_back(
    console: tuple[Page, list[str]],
    assistant: Assistant,
    conversations: dict[str, str],
    artifacts: Path,
) -> None:
    page, problems = console
    _sign_in(page, assistant, artifacts)
    page.get_by_label(text("fr", "console.filters.search")).fill("kinderbijslag")
    page.get_by_role("button", name=text("fr", "console.filters.apply")).click()
    page.locator("table.list tbody tr").first.get_by_role("link").click()
    page.get_by_role("button", name=text("fr", "console.takeover.take_over")).click()
    expect(page.locator("#takeover [role=status]")).to_have_text(
        text("fr", "console.takeover.outcome.taken")
    )
    page.get_by_label(text("fr", "console.takeover.message")).fill("Bonjour, ici Marie du Forem.")
    page.get_by_role("button", name=text("fr", "console.takeover.send")).click()
    expect(page.locator("ol.transcript .turn-consultant")).to_contain_text(
        "Bonjour, ici Marie du Forem."
    )
    page.screenshot(path=str(artifacts / "console-takeover.png"), full_page=True)
    events = assistant.tracker(conversations["nl"])["events"]
    assert any(e["event"] == "pause" for e in events)
    assert any(e.get("text") == "Bonjour, ici Marie du Forem." for e in events)
    page.get_by_role("button", name=text("fr", "console.takeover.hand_back")).click()
    expect(
        page.get_by_role("button", name=text("fr", "console.takeover.take_over"))
    ).to_be_visible()
    kinds = [e["event"] for e in assistant.tracker(conversations["nl"])["events"]][::-1]
    assert kinds.index("resume") < kinds.index("pause")  # the last of the two is a resume
    assert problems == [], problems
