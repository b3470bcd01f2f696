"""Actualités in Chromium: the principal publishes to the families of 5e A and claire.martin finds it on her
dashboard; axe-core checks every page, and the pages fit a 360 px phone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cartable.news.models import NewsItem
from tests.support.browser import follow, log_in, visit
from tests.support.phone import PHONE

pytestmark = pytest.mark.browser


def _news(school, title="Cross du collège : les résultats", **kw):
    item = NewsItem.objects.create(
        establishment=school.college.establishment,
        audience=kw.pop("audience", NewsItem.Audience.EVERYONE),
        title=title,
        body="<p>Bravo à toutes et à tous ; le classement complet est affiché au CDI et en salle de sport.</p>",
        publish_at=timezone.now() - dt.timedelta(hours=2),
        author=school["marc.leroy"],
        **kw,
    )
    return item


def test_the_principal_publishes_to_5e_a_families_and_claire_sees_it(page, school):
    """marc.leroy publishes for 5e A through the form; claire.martin sees it on her dashboard and opens it;
    thomas.girard (4e B) does not see it."""
    _news(school, "Photos de classe", pinned=True)
    log_in(page, "marc.leroy")
    visit(page, "/actualites/")
    with follow(page):
        page.get_by_role("link", name="Publier une actualité").click()
    page.get_by_label("Titre").fill("Réunion des familles de 5e A")
    page.get_by_label("Texte", exact=True).fill("<p>Jeudi à 18 h, salle polyvalente.</p>")
    page.get_by_label("Pour qui").select_option("classes")
    page.get_by_label("5e A").check()
    with follow(page):
        page.get_by_role("button", name="Publier").click()
    expect(page.get_by_role("heading", name="Réunion des familles de 5e A")).to_be_visible()
    page.context.clear_cookies()
    log_in(page, "claire.martin")
    widget = page.locator("section.widget", has=page.get_by_role("heading", name="Actualités", exact=True))
    expect(widget.get_by_role("link", name="Réunion des familles de 5e A")).to_be_visible()
    expect(widget.locator("li").first).to_contain_text("Photos de classe")  # pinned first
    with follow(page):
        widget.get_by_role("link", name="Réunion des familles de 5e A").click()
    expect(page.get_by_text("Jeudi à 18 h, salle polyvalente.")).to_be_visible()
    page.context.clear_cookies()
    log_in(page, "thomas.girard")
    expect(page.get_by_role("link", name="Réunion des familles de 5e A")).to_have_count(0)


def test_a_missing_alt_text_is_explained_and_what_was_typed_is_kept(page, school, tmp_path, settings):
    """An image without its alternative text is refused with a French message; the title stays typed."""
    from tests.support.files import tiny_png

    settings.MEDIA_ROOT = str(tmp_path)
    image = tmp_path / "cross.png"
    image.write_bytes(tiny_png())
    log_in(page, "nadia.petit")
    visit(page, "/actualites/nouvelle/")
    page.get_by_label("Titre").fill("Le cross en images")
    page.get_by_label("Image", exact=True).set_input_files(str(image))
    with follow(page):
        page.get_by_role("button", name="Publier").click()
    expect(page.get_by_text("Décrivez l'image (texte alternatif).")).to_be_visible()
    expect(page.get_by_label("Titre")).to_have_value("Le cross en images")


@pytest.mark.parametrize(
    "username,url",
    [
        ("lucas.martin", "/actualites/"),
        ("claire.martin", "detail"),
        ("marc.leroy", "/actualites/nouvelle/"),
        ("marc.leroy", "edit"),
    ],
)
def test_news_pages_fit_a_360_pixel_phone(page, school, username, url):
    """At 360×740 the news pages never scroll sideways."""
    item = _news(school, "Une actualité au titre assez long pour passer sur plusieurs lignes d'un téléphone")
    url = {"detail": f"/actualites/{item.pk}/", "edit": f"/actualites/{item.pk}/modifier/"}.get(url, url)
    page.set_viewport_size(PHONE)
    log_in(page, username)
    visit(page, url)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
