"""Keyboard use and a phone-sized screen, in Chromium."""

import pytest
from playwright.sync_api import expect

from tests.support.browser import SCREENSHOTS, log_in, visit
from tests.support.phone import PHONE

pytestmark = pytest.mark.browser


ACTIVE_ELEMENT = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {
    tag: el.tagName.toLowerCase(), id: el.id, text: (el.textContent || '').trim().slice(0, 40),
    className: el.className, outline: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth),
    inHeader: !!el.closest('header'),
  };
}"""


def test_the_skip_link_is_the_first_tab_stop_and_moves_focus_to_the_content(page):
    """The first Tab shows the "Aller au contenu" link; Enter on it puts the focus on <main>."""
    log_in(page, "paul.dupont")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Aller au contenu")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box is not None and box["y"] >= 0 and box["x"] >= 0, f"the focused skip link is off screen: {box}"
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    assert page.url.endswith("#main")
    page.keyboard.press("Tab")
    assert not page.evaluate(ACTIVE_ELEMENT)["inHeader"], "Tab after the skip link went back to the header"


def test_every_tab_stop_of_the_dashboard_shows_a_visible_focus(page):
    """Each element reached with Tab has a visible focus outline (the skip link, switchers, menu...)."""
    log_in(page, "claire.martin")  # two switchers: the longest header
    seen = []
    for _ in range(40):
        page.keyboard.press("Tab")
        active = page.evaluate(ACTIVE_ELEMENT)
        if active["tag"] == "body" or (seen and active == seen[0]):
            break
        seen.append(active)
        assert active["outline"] != "none" and active["outlineWidth"] >= 2, f"focus not visible on {active}"
    tags = [a["tag"] for a in seen]
    assert seen[0]["className"] == "skip-link"
    assert {"a", "select", "button"} <= set(tags), f"expected links, selects and buttons among {tags}"


@pytest.mark.parametrize("username", ["claire.martin", "paul.dupont", "sophie.bernard", "admin.region"])
def test_login_and_dashboard_fit_a_360_pixel_phone(page, username):
    """At 360×740 neither the login page nor the dashboard scrolls sideways."""
    page.set_viewport_size(PHONE)
    visit(page, "/comptes/connexion/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    log_in(page, username)
    expect(page.locator(".who-name")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_dashboard_screenshots_for_human_review(page):
    """Screenshots of a dashboard at 360 and 1280 pixels wide are saved under var/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    log_in(page, "claire.martin")
    for width, height in [(360, 740), (1280, 800)]:
        page.set_viewport_size({"width": width, "height": height})
        path = SCREENSHOTS / f"dashboard-{width}.png"
        page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 0
