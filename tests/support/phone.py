"""What browser tests check on a 360 px phone: the page does not scroll sideways, an element is seen whole
without scrolling sideways, and a wide table says that it scrolls (the .table-scroll pattern)."""

from __future__ import annotations

import io
import statistics

from PIL import Image
from playwright.sync_api import Locator, Page

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1366, "height": 768}

# The element's left and right, and the part of the screen's width that shows it: the viewport cut by every
# ancestor that clips or scrolls sideways (a table's .table-scroll box).
HORIZONTAL_VIEW = """(el) => {
  const rect = el.getBoundingClientRect();
  let left = 0, right = document.documentElement.clientWidth;
  for (let node = el.parentElement; node; node = node.parentElement) {
    if (getComputedStyle(node).overflowX !== 'visible') {
      const box = node.getBoundingClientRect();
      left = Math.max(left, box.left + node.clientLeft);
      right = Math.min(right, box.left + node.clientLeft + node.clientWidth);
    }
  }
  return {left: rect.left, right: rect.right, viewLeft: left, viewRight: right, text: el.textContent.trim()};
}"""

# Every .table-scroll box of the page: does its table overflow, is the hint shown, can Tab reach it, its name.
SCROLL_BOXES = """() => [...document.querySelectorAll('.table-scroll')].map(box => {
  const hint = box.previousElementSibling && box.previousElementSibling.classList.contains('scroll-hint')
    ? box.previousElementSibling : null;
  return {
    overflows: box.scrollWidth > box.clientWidth + 1,
    marked: box.hasAttribute('data-overflowing'),
    hint: hint && !hint.hidden && hint.offsetParent !== null ? hint.textContent : null,
    describedBy: (box.getAttribute('aria-describedby') || '').split(' ').includes(hint && hint.id),
    tabindex: box.getAttribute('tabindex'),
    role: box.getAttribute('role'),
    label: box.getAttribute('aria-label'),
  };
})"""

# Tables wider than their parent that are not inside a .table-scroll box (they would widen the page).
LOOSE_WIDE_TABLES = """() => [...document.querySelectorAll('main table')].filter(t =>
  !t.closest('.table-scroll') && t.getBoundingClientRect().width > t.parentElement.clientWidth + 1
  && getComputedStyle(t.parentElement).overflowX === 'visible').map(t => t.className || t.outerHTML.slice(0, 60))"""


def assert_no_sideways_scroll(page: Page) -> None:
    """The page itself does not scroll sideways (a wide table scrolls inside its own box)."""
    width = page.evaluate("document.documentElement.clientWidth")
    scroll_width = page.evaluate("document.scrollingElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} scrolls sideways: {scroll_width} px wide for a {width} px screen"
    assert not page.evaluate(LOOSE_WIDE_TABLES), f"tables wider than the page outside .table-scroll on {page.url}"


def assert_seen_whole(locator: Locator) -> None:
    """The element is seen whole across the screen's width, with no sideways scroll of the page or its box."""
    view = locator.evaluate(HORIZONTAL_VIEW)
    assert view["viewLeft"] - 0.5 <= view["left"] and view["right"] <= view["viewRight"] + 0.5, (
        f"{view['text']!r} spans {view['left']:.0f}–{view['right']:.0f} px, "
        f"the screen shows {view['viewLeft']:.0f}–{view['viewRight']:.0f} px of it"
    )


def scroll_boxes(page: Page) -> list[dict]:
    """The .table-scroll boxes of the page, checked: one that overflows says so, one that fits does not."""
    hint = "Faites défiler le tableau →"
    boxes = page.evaluate(SCROLL_BOXES)
    for box in boxes:
        if box["overflows"]:
            assert box["marked"] and box["hint"] == hint and box["describedBy"], (
                f"an overflowing table says nothing: {box}"
            )
            assert box["tabindex"] == "0" and box["role"] == "region" and box["label"], f"not a named tab stop: {box}"
        else:
            assert not box["marked"] and box["hint"] is None, f"a table that fits shows the scroll hint: {box}"
    return boxes


def edge_brightness(locator: Locator) -> tuple[float, float]:
    """The median brightness (0–255) of the 3 px strips along the left and right edges of an element, as
    drawn: the scroll shadow of a .table-scroll box darkens the side where more of the table hides."""
    image = Image.open(io.BytesIO(locator.screenshot())).convert("L")
    width, height = image.size
    pixels = image.load()

    def strip(xs: range) -> float:
        return statistics.median(pixels[x, y] for x in xs for y in range(height))

    return strip(range(0, 3)), strip(range(width - 3, width))
