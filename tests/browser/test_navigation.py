"""Every page of each persona's menu, and the error pages, pass axe-core in Chromium."""

import pytest
from playwright.sync_api import expect

from cartable.directory.models import Group
from tests.support.browser import follow, log_in, visit

pytestmark = pytest.mark.browser


def test_a_missing_page_answers_in_the_site_style(page):
    """An unknown address shows the site's French 404 page, which passes axe-core like the others."""
    log_in(page, "lucas.martin")
    assert visit(page, "/cette-page-n-existe-pas/").status == 404
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator(".brand")).to_be_visible()


def test_the_regional_administrator_inspects_the_directory_in_the_django_admin(page):
    """admin.region opens the admin and finds Lucas among the people of the directory."""
    log_in(page, "admin.region")
    visit(page, "/admin/")
    with follow(page):
        page.locator("#content-main").get_by_role("link", name="Personnes", exact=True).click()
    page.locator("#searchbar").fill("lucas")
    with follow(page):
        page.get_by_role("button", name="Rechercher").click()
    expect(page.locator("#result_list").get_by_role("link", name="lucas.martin", exact=True)).to_be_visible()
    with follow(page):
        page.locator("#result_list").get_by_role("link", name="lucas.martin", exact=True).click()
    expect(page.locator("#id_last_name")).to_have_value("Martin")


def test_the_admin_edit_pages_of_classes_groups_and_years_pass_axe(page, school):
    """The admin's edit pages with inlines and many-to-many fields are accessible too."""
    log_in(page, "admin.region")
    college = school.college
    group = Group.objects.filter(establishment=college.establishment).first()
    for url in [
        f"/admin/directory/schoolyear/{college.year.pk}/change/",
        f"/admin/directory/group/{group.pk}/change/",
        f"/admin/directory/schoolclass/{college.classes['5e A'].pk}/change/",
        f"/admin/directory/establishment/{college.establishment.pk}/change/",
    ]:
        assert visit(page, url).status == 200
