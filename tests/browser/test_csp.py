"""The Content Security Policy holds in the browser: htmx brings no styles of its own.

The walk of every persona's menu with the policy enforced is ``test_menu_walk.py``; the ``strict_page``
fixture (tests/browser/conftest.py) enforces the policy and records what it blocks.
"""

import pytest
from playwright.sync_api import expect

from tests.support.browser import log_in

pytestmark = pytest.mark.browser


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
