"""Helpers for browser tests: navigate, sign in, and run axe-core on every page a test loads.

Every ``load`` of a page is recorded by :class:`AxeAudit`; :func:`visit` and :func:`follow` run axe-core
on the page they lead to, and the ``page`` fixture fails a test that loaded a page nobody checked
(the last page is checked at teardown), so no page escapes the accessibility audit.
"""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Iterator
from pathlib import Path

from playwright.sync_api import Page, Response, expect

ROOT = Path(__file__).resolve().parents[2]
AXE_SCRIPT = (
    Path(__file__).resolve().parents[1] / "browser" / "vendor" / "axe-core" / "axe.min.js"
)  # kept with its licence
SCREENSHOTS = ROOT / "var" / "screenshots"
PASSWORD = "demo"

# WCAG 2.1 A and AA: what RGAA 4 asks of a French public service.
AXE_RUN = """
() => axe.run(document, {
  runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
  resultTypes: ['violations'],
}).then(results => results.violations.map(v => ({
  id: v.id,
  impact: v.impact,
  help: v.help,
  nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary || ''})),
})))
"""

_audits: weakref.WeakKeyDictionary[Page, AxeAudit] = weakref.WeakKeyDictionary()


class AxeAudit:
    """Records the pages a browser page loads and which of them axe-core has checked."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.loads: list[str] = []
        self.checked = 0  # how many of ``loads`` have been dealt with
        self.unchecked: list[str] = []
        self.script_errors: list[str] = []
        page.on("load", lambda p: self.loads.append(p.url))
        page.on("pageerror", lambda error: self.script_errors.append(str(error)))
        _audits[page] = self

    def mark_checked(self) -> None:
        """The current page was checked; any page loaded before it since the last check was not."""
        self.unchecked.extend(self.loads[self.checked : -1])
        self.checked = len(self.loads)

    def finish(self) -> None:
        """Check the page left open, then fail on any loaded page that was never checked."""
        if self.loads[self.checked :] and not self.page.is_closed():
            assert_accessible(self.page)
        self.unchecked.extend(self.loads[self.checked :])
        unchecked = ", ".join(self.unchecked)
        assert not unchecked, f"pages loaded but never checked by axe-core (use visit() or follow()): {unchecked}"
        assert not self.script_errors, "JavaScript errors: " + "; ".join(self.script_errors)


def format_violations(url: str, violations: list[dict]) -> str:
    """A readable report: one line per rule, then the CSS selector of each failing node."""
    lines = [f"axe-core found {len(violations)} accessibility violation(s) on {url}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            summary = " ".join(node["summary"].split())
            lines.append(f"    {node['target']}  — {summary}")
    return "\n".join(lines)


def assert_accessible(page: Page) -> None:
    """Run axe-core (WCAG 2.1 A and AA rules) on the current page and fail listing every violation."""
    page.wait_for_load_state("load")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_SCRIPT))
    violations = page.evaluate(AXE_RUN)
    if audit := _audits.get(page):
        audit.mark_checked()
    assert not violations, format_violations(page.url, violations)
    title = page.title()
    assert title and "<" not in title, f"{page.url}: the title should be plain words, not {title!r}"


def visit(page: Page, url: str) -> Response:
    """Open ``url`` (relative to the live server), check the page with axe-core, return the response."""
    response = page.goto(url)
    assert response is not None and response.status < 500, f"{url} answered {response and response.status}"
    assert_accessible(page)
    return response


@contextlib.contextmanager
def follow(page: Page) -> Iterator[None]:
    """Wrap an action that loads a new page (a click, a form sent); check that page with axe-core."""
    with page.expect_navigation(wait_until="load"):
        yield
    assert_accessible(page)


def log_in(page: Page, username: str, password: str = PASSWORD) -> None:
    """Sign in through the real login form and land on the page it leads to."""
    visit(page, "/comptes/connexion/")
    page.get_by_label("Identifiant", exact=True).fill(username)
    page.get_by_label("Mot de passe", exact=True).fill(password)
    with follow(page):
        page.get_by_role("button", name="Se connecter").click()


def expect_identity(page: Page, *, name: str, role: str, establishment: str) -> None:
    """The header and the identity widget show who is signed in, as what, and where."""
    who = page.locator(".who")
    expect(who.locator(".who-name")).to_have_text(name)
    widget = page.locator(".facts")
    expect(widget.locator("dt:text-is('Nom') + dd")).to_have_text(name)
    expect(widget.locator("dt:text-is('Rôle') + dd")).to_have_text(role)
    if establishment:
        expect(who.locator(".who-role")).to_contain_text(establishment)
        expect(widget.locator("dt:text-is('Établissement') + dd")).to_contain_text(establishment)
    else:
        expect(widget.locator("dt:text-is('Établissement')")).to_have_count(0)


# Record every Content Security Policy violation the document reports, before any of its own scripts run.
CSP_VIOLATION_LISTENER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(`${e.violatedDirective}: ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`);
});
"""


def csp_violations(page: Page) -> list[str]:
    """What the policy blocked on the current page (its htmx fragments loaded), from the console and events.

    Only meaningful on a page of the ``strict_page`` fixture, which enforces the policy and listens."""
    page.wait_for_load_state("networkidle")
    return page.console_violations + page.evaluate("() => window.__cspViolations || []")  # type: ignore[attr-defined]
