"""The preferences page: theme, text size and language, applied on every page, in Chromium."""

import pytest
from playwright.sync_api import expect

from tests.support.browser import follow, log_in, visit

pytestmark = pytest.mark.browser


def open_preferences(page) -> None:
    with follow(page):
        page.get_by_role("link", name="Préférences").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Préférences")


def test_dark_theme_and_large_text_apply_at_once_and_persist(page):
    """Choosing the dark theme and large text changes the page's classes, after a reload and elsewhere."""
    log_in(page, "lucas.martin")
    body = page.locator("body")
    expect(body).to_have_class("theme-light text-normal")
    open_preferences(page)
    page.get_by_label("Thème", exact=True).select_option(label="Sombre")
    page.get_by_label("Taille du texte", exact=True).select_option(label="Grande")
    with follow(page):
        page.get_by_role("button", name="Enregistrer").click()

    expect(page.get_by_text("Vos préférences sont enregistrées.")).to_be_visible()
    expect(body).to_have_class("theme-dark text-large")
    with follow(page):
        page.reload()
    expect(body).to_have_class("theme-dark text-large")
    expect(page.get_by_label("Thème", exact=True)).to_have_value("dark")
    visit(page, "/")
    expect(body).to_have_class("theme-dark text-large")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(21, 23, 28)", background


@pytest.mark.parametrize(
    ("theme", "extra"),
    [("Contraste élevé", "Police adaptée à la dyslexie"), ("Sombre", "Réduire les animations")],
)
def test_every_theme_passes_axe_core(page, theme, extra):
    """The high-contrast and dark themes, with the comfort options, keep every page accessible."""
    log_in(page, "claire.martin")
    open_preferences(page)
    page.get_by_label("Thème", exact=True).select_option(label=theme)
    page.get_by_label("Taille du texte", exact=True).select_option(label="Très grande")
    page.get_by_label(extra, exact=True).check()
    with follow(page):
        page.get_by_role("button", name="Enregistrer").click()
    visit(page, "/")
    page.set_viewport_size({"width": 360, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_switching_to_english_turns_the_pages_to_english(page):
    """With English chosen, the pages speak English, and French again once French is chosen back."""
    log_in(page, "paul.dupont")
    open_preferences(page)
    page.get_by_label("Langue", exact=True).select_option(label="English")
    with follow(page):
        page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Preferences")
    visit(page, "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello Paul")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    with follow(page):
        page.get_by_role("link", name="Preferences").click()
    page.get_by_label("Language", exact=True).select_option(label="Français")
    with follow(page):
        page.get_by_role("button", name="Save").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Préférences")
