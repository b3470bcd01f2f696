"""The Content Security Policy holds in the browser: no page of the main personas breaks it.

The other browser tests bypass the CSP (so that axe-core can be injected as a script tag); these ones run
with the policy enforced, inject axe-core as an init script (which the CSP does not govern), and fail on
any violation the browser reports — in the console or as a ``securitypolicyviolation`` event.
"""

import pytest
from playwright.sync_api import expect

from tests.support.browser import AXE_SCRIPT, AxeAudit, follow, log_in

pytestmark = pytest.mark.browser

# Record every violation the document reports, before any of its own scripts run.
VIOLATION_LISTENER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(`${e.violatedDirective}: ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`);
});
"""

PERSONAS = ["lucas.martin", "claire.martin", "paul.dupont", "julie.moreau", "nadia.petit", "marc.leroy"]


@pytest.fixture
def strict_page(browser, live_server, school):
    """A page with the CSP enforced, whose console and violation events are recorded."""
    context = browser.new_context(base_url=live_server.url, locale="fr-FR", viewport={"width": 1280, "height": 800})
    context.set_default_timeout(10_000)
    context.add_init_script(path=str(AXE_SCRIPT))
    context.add_init_script(script=VIOLATION_LISTENER)
    page = context.new_page()
    audit = AxeAudit(page)
    page.console_violations = []
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and page.console_violations.append(message.text),
    )
    yield page
    audit.finish()
    context.close()


def violations(page) -> list[str]:
    page.wait_for_load_state("networkidle")
    return page.console_violations + page.evaluate("() => window.__cspViolations || []")


@pytest.mark.parametrize("username", PERSONAS)
def test_no_page_of_the_menu_breaks_the_content_security_policy(strict_page, username):
    """Every entry of the persona's menu (htmx loaded, its fragments swapped in) reports no CSP violation."""
    page = strict_page
    log_in(page, username)
    found = [f"{page.url}: {v}" for v in violations(page)]
    menu = page.get_by_role("navigation", name="Menu principal")
    for label in menu.get_by_role("link").all_inner_texts():
        with follow(page):
            menu.get_by_role("link", name=label, exact=True).click()
        found += [f"{page.url}: {v}" for v in violations(page)]
    assert not found, "CSP violations:\n" + "\n".join(found)


def test_htmx_indicator_styles_come_from_our_stylesheet(strict_page):
    """htmx injects no <style> of its own; the indicator is hidden by cartable.css until a request runs."""
    page = strict_page
    log_in(page, "lucas.martin")
    assert page.evaluate("() => htmx.config.includeIndicatorStyles") is False
    expect(page.locator("head style")).to_have_count(0)
    page.evaluate(
        "() => { const s = document.createElement('span'); s.className = 'htmx-indicator'; s.id = 'probe';"
        " document.querySelector('main').append(s); }"
    )
    assert page.evaluate("() => getComputedStyle(document.getElementById('probe')).visibility") == "hidden"
