"""axe-core in the page under test: the WCAG 2.1 A and AA rules, violations as readable text.

axe-core is vendored in tests/browser/vendor/axe-core/ (version, licence and checksum in its
README.md): nothing is downloaded at test time. It is evaluated through Playwright, which
the page's content security policy (``script-src 'self'``) does not apply to, so the pages
are checked with their real policy on.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
# WCAG 2.0 and 2.1, levels A and AA: what the EU Web Accessibility Directive (EN 301 549) asks.
WCAG21_AA = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")

RUN_JS = """
async ([selector, tags]) => {
  const result = await axe.run(selector || document, {
    runOnly: { type: "tag", values: tags },
    resultTypes: ["violations"],
  });
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => ({ target: n.target.join(" "), summary: n.failureSummary })),
  }));
}
"""


@cache
def _source() -> str:
    return AXE.read_text(encoding="utf-8")


def violations(page: Page, selector: str | None = None) -> list[dict[str, Any]]:
    """The WCAG 2.1 A/AA violations axe finds on the page (or inside ``selector``)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_source())
    return page.evaluate(RUN_JS, [selector, list(WCAG21_AA)])


def report(found: list[dict[str, Any]]) -> str:
    """One line per rule and element: what fails and why."""
    lines = []
    for violation in found:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            summary = " ".join((node["summary"] or "").split())
            lines.append(f"    {node['target']}: {summary}")
    return "\n".join(lines)


def assert_no_violations(page: Page, where: str, selector: str | None = None) -> None:
    """Fail with axe's findings when the page breaks a WCAG 2.1 A or AA rule."""
    found = violations(page, selector)
    assert found == [], f"axe on {where}:\n{report(found)}"
