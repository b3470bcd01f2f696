"""Every page of each persona's main menu, walked once on a 360 px phone with the Content Security Policy
enforced: each page is marked current in the menu, passes axe-core, reports no CSP violation (htmx loaded,
its fragments swapped in), does not scroll sideways, and each wide table box says whether it scrolls.

One walk checks what three walks used to check separately (the menu, the phone, the policy): each page is
loaded and audited once, which is most of what a browser test costs."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.browser import csp_violations, log_in, visit
from tests.support.personas import MENU_PERSONAS
from tests.support.phone import PHONE, assert_no_sideways_scroll, scroll_boxes
from tests.support.reportcards import add_marks_and_absences

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("username", MENU_PERSONAS)
def test_every_page_of_the_menu_on_a_phone_with_the_policy_enforced(strict_page, school, settings, tmp_path, username):
    """With 5e A's marks and Lucas's absences: each entry of the persona's menu opens a page marked current in
    the menu, accessible, within the policy and the phone's width; the entry to the Django admin (the regional
    administration's) opens the admin."""
    settings.MEDIA_ROOT = str(tmp_path)
    add_marks_and_absences(school)
    page = strict_page
    page.set_viewport_size(PHONE)
    log_in(page, username)
    found = [f"{page.url}: {v}" for v in csp_violations(page)]
    menu = page.locator("#main-menu")  # hidden behind the « Menu » button on a phone: not asked by its role
    hrefs = menu.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert len(hrefs) > 3, hrefs
    for href in hrefs:
        visit(page, href)
        found += [f"{page.url}: {v}" for v in csp_violations(page)]
        if href.startswith("/admin/"):
            expect(page.locator("#site-name")).to_be_visible()
            continue
        expect(menu.locator(f'a[href="{href}"]')).to_have_attribute("aria-current", "page")
        assert_no_sideways_scroll(page)
        scroll_boxes(page)
    assert not found, "CSP violations:\n" + "\n".join(found)
