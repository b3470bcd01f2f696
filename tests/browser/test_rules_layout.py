"""The communication rules at 1366 px and on a 360 px phone: every choice reads whole, nothing leaves the
screen, and the simulation tells that replies stay allowed; axe-core checks each page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.browser import follow, log_in, visit
from tests.support.phone import DESKTOP, PHONE

pytestmark = pytest.mark.browser
SIZES = {"phone": PHONE, "desktop": DESKTOP}

# Each select of the rule table: the width its box has against the width it needs to show its longest
# choice whole (a copy of it sized to its content, off the screen), and whether the box lies on the screen.
MEASURE = """
() => [...document.querySelectorAll('.msg-rules select')].map(select => {
  const copy = select.cloneNode(true);
  copy.removeAttribute('id');
  copy.style.cssText = 'position:absolute; left:-9999px; width:max-content; max-width:none; min-width:0';
  select.parentElement.appendChild(copy);
  const needs = copy.getBoundingClientRect().width;
  copy.remove();
  const box = select.getBoundingClientRect();
  return {
    name: select.labels[0]?.innerText || select.name,
    has: Math.round(box.width * 10) / 10, needs: Math.round(needs * 10) / 10,
    inside: box.left >= 0 && box.right <= window.innerWidth + 1,
  };
})
"""


@pytest.mark.parametrize("size", SIZES)
def test_every_rule_choice_reads_whole(page, school, size):
    """julie.moreau's rule table: 49 selects, each wide enough for « Seulement les personnes liées », each
    on the screen; the page does not scroll sideways."""
    page.set_viewport_size(SIZES[size])
    log_in(page, "julie.moreau")
    visit(page, "/messagerie/regles/")
    cells = page.evaluate(MEASURE)
    assert len(cells) == 49
    cut = [c for c in cells if c["has"] + 0.5 < c["needs"]]
    assert not cut, f"truncated choices at {size}: {cut[:5]}"
    outside = [c["name"] for c in cells if not c["inside"]]
    assert not outside, f"choices off the screen at {size}: {outside[:5]}"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("size", SIZES)
def test_the_simulation_says_replies_stay_allowed(page, school, size):
    """Closing parents-to-teachers, the simulation says that a reply to the person who wrote stays allowed."""
    page.set_viewport_size(SIZES[size])
    log_in(page, "julie.moreau")
    visit(page, "/messagerie/regles/")
    page.get_by_role("group", name="Les parents écrivent…").get_by_label("aux professeurs").select_option("none")
    with follow(page):
        page.get_by_role("button", name="Simuler").click()
    simulation = page.get_by_role("region", name="Simulation (rien n'est enregistré)")
    expect(simulation.get_by_text("Les réponses restent permises")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
