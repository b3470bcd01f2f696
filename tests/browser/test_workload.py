"""The workload guard in Chromium: a teacher meets the overload warning when announcing a test on a day that
already has one, reads the class's heat map; a student reads their week and plan; axe-core everywhere, 360 px."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cartable.directory.models import SchoolClass, TeachingAssignment
from cartable.homework.models import Homework
from cartable.timetable.queries import default_monday
from tests.support.browser import follow, log_in, visit
from tests.support.phone import PHONE

pytestmark = pytest.mark.browser


def _next_tuesday() -> dt.date:
    """The Tuesday after the week the workload pages open on (this week; next week on a weekend)."""
    return default_monday() + dt.timedelta(days=8)


def _french_test(school, due: dt.date):
    assignment = TeachingAssignment.objects.get(teacher=school["sophie.bernard"], school_class__name="5e A")
    return Homework.objects.create(
        establishment_id=assignment.establishment_id,
        assignment=assignment,
        kind=Homework.Kind.TEST,
        title="Dictée préparée",
        due_date=due,
        estimated_minutes=40,
        published_at=timezone.now() - dt.timedelta(days=1),
        author_id=assignment.teacher_id,
    )


def test_a_teacher_meets_the_overload_warning_when_setting_a_second_test(page, school):
    """paul.dupont announces a maths test on the day of the French test: the form warns, shows the day's
    load across subjects, and saves only when he confirms."""
    due = _next_tuesday()
    _french_test(school, due)
    log_in(page, "paul.dupont")
    visit(page, "/cahier-de-textes/devoir/nouveau/")
    option = page.locator("#id_assignment option", has_text="5e A").first
    page.get_by_label("Classe et matière").select_option(option.get_attribute("value"))
    page.get_by_label("Type").select_option("test")
    page.get_by_label("Intitulé").fill("Contrôle sur les fractions")
    page.get_by_label("ou pour le").fill(due.isoformat())
    page.get_by_label("Durée estimée (minutes)").fill("30")
    with follow(page):
        page.get_by_role("button", name="Enregistrer le travail").click()
    warning = page.locator(".workload-warning")
    expect(warning).to_contain_text("2 contrôles")
    expect(warning).to_contain_text("Dictée préparée")
    assert not Homework.objects.filter(title="Contrôle sur les fractions").exists()
    with follow(page):
        page.get_by_role("button", name="Enregistrer quand même").click()
    assert Homework.objects.filter(title="Contrôle sur les fractions").exists()


def test_the_class_heat_map_and_the_students_week(page, school):
    """The heat map writes each day's numbers and level; lucas.martin's week plans the work before the test."""
    due = _next_tuesday()
    _french_test(school, due)
    five_a = SchoolClass.objects.get(name="5e A")
    log_in(page, "paul.dupont")
    visit(page, "/cahier-de-textes/charge/")
    with follow(page):
        page.get_by_role("link", name="5e A").click()
    with follow(page):
        page.get_by_role("link", name="Semaine suivante →").click()
    row = page.locator("tr", has_text="Dictée préparée")
    expect(row).to_contain_text("40")
    expect(row).to_contain_text("Chargé")  # one test: the day is at its limit
    assert f"/charge/classe/{five_a.pk}/" in page.url
    page.context.clear_cookies()
    log_in(page, "lucas.martin")
    with follow(page):
        page.get_by_role("link", name="Ma semaine et mon plan de travail").click()
    expect(page.get_by_role("heading", name="Plan de travail suggéré")).to_be_visible()
    expect(page.locator(".plan-days")).to_contain_text("Dictée préparée")


@pytest.mark.parametrize(
    "username,url",
    [
        ("paul.dupont", "/cahier-de-textes/charge/"),
        ("lucas.martin", "/cahier-de-textes/charge/ma-semaine/"),
        ("claire.martin", "/cahier-de-textes/charge/ma-semaine/"),
        ("marc.leroy", "/cahier-de-textes/charge/seuils/"),
        ("lucas.martin", "/"),
    ],
)
def test_workload_pages_fit_a_360_pixel_phone(page, school, username, url):
    """At 360×740 the workload pages (and the dashboard with its widget) do not scroll sideways."""
    _french_test(school, timezone.localdate() + dt.timedelta(days=3))
    page.set_viewport_size(PHONE)
    log_in(page, username)
    visit(page, url)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_the_class_heat_map_fits_a_phone(page, school):
    """The heat map of 5e A at 360 px: its table scrolls inside its box, the page does not."""
    _french_test(school, _next_tuesday())
    five_a = SchoolClass.objects.get(name="5e A")
    page.set_viewport_size(PHONE)
    log_in(page, "sophie.bernard")
    visit(page, f"/cahier-de-textes/charge/classe/{five_a.pk}/?semaine={_next_tuesday().isoformat()}")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
