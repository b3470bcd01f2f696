"""The homework log in Chromium: a teacher fills a lesson's entry and sets homework, a student ticks it,
a parent sees both children's work merged; axe-core checks every page, and they fit a 360 px phone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cartable.directory.models import TeachingAssignment
from cartable.homework.models import Homework
from cartable.timetable.models import Slot
from tests.support.browser import follow, log_in, visit
from tests.support.phone import PHONE

pytestmark = pytest.mark.browser


def _weekly_maths(school):
    """Paul Dupont teaches maths to 5e A every weekday at 8:00."""
    assignment = TeachingAssignment.objects.get(teacher=school["paul.dupont"], school_class__name="5e A")
    for weekday in range(5):
        Slot.objects.create(
            establishment_id=assignment.establishment_id,
            assignment=assignment,
            weekday=weekday,
            start_time=dt.time(8),
            end_time=dt.time(9),
            valid_from=timezone.localdate() - dt.timedelta(days=30),
        )
    return assignment


def _homework(assignment, title, days=2):
    return Homework.objects.create(
        establishment_id=assignment.establishment_id,
        assignment=assignment,
        title=title,
        instructions="<p>Consignes</p>",
        due_date=timezone.localdate() + dt.timedelta(days=days),
        estimated_minutes=20,
        published_at=timezone.now() - dt.timedelta(hours=1),
        author_id=assignment.teacher_id,
    )


def test_a_teacher_fills_a_lesson_and_sets_homework(page, school):
    """paul.dupont writes what was done in a lesson, then sets homework for one of the next lessons."""
    _weekly_maths(school)
    log_in(page, "paul.dupont")
    with follow(page):
        page.get_by_role("link", name="Cahier de textes").first.click()
    with follow(page):
        page.get_by_role("link", name="Remplir la séance").first.click()
    page.get_by_label("Titre").fill("Les fractions égales")
    page.get_by_label("Ce qui a été fait").fill("Activité d'introduction\nCorrection du 3\n<script>alert(1)</script>")
    with follow(page):
        page.get_by_role("button", name="Enregistrer la séance").click()
    rich = page.locator(".rich")  # typed text: the line breaks kept, the markup shown as typed, never run
    expect(rich).to_contain_text("Activité d'introduction")
    assert rich.evaluate("e => e.innerHTML.split('<br>').length") == 3
    expect(rich).to_contain_text("<script>alert(1)</script>")
    expect(rich.locator("script")).to_have_count(0)
    with follow(page):
        page.get_by_role("link", name="Donner un travail").click()
    page.get_by_label("Intitulé").fill("Exercices 4 et 5 p. 87")
    page.get_by_label("Pour la séance du").select_option(index=1)
    page.get_by_label("Durée estimée (minutes)").fill("25")
    with follow(page):
        page.get_by_role("button", name="Enregistrer le travail").click()
    assert Homework.objects.get().log_entry.title == "Les fractions égales"
    with follow(page):
        page.get_by_role("link", name="Exercices 4 et 5 p. 87").click()
    expect(page.get_by_label("Intitulé")).to_have_value("Exercices 4 et 5 p. 87")


def test_a_student_ticks_homework_done_and_reads_the_class_log(page, school):
    """lucas.martin sees his work to do, ticks it done (htmx), opens it and the class's log."""
    assignment = _weekly_maths(school)
    _homework(assignment, "Apprendre la leçon sur les fractions")
    log_in(page, "lucas.martin")
    with follow(page):
        page.get_by_role("link", name="Travail à faire").first.click()
    page.get_by_role("button", name="Marquer comme fait").click()
    expect(page.get_by_role("button", name="Fait")).to_be_visible()
    with follow(page):
        page.get_by_role("link", name="Apprendre la leçon sur les fractions").click()
    expect(page.locator(".facts")).to_contain_text("Fait")
    visit(page, "/cahier-de-textes/travail/")
    with follow(page):
        page.get_by_role("link", name="Cahier de textes de la 5e A").click()
    with follow(page):
        page.get_by_role("link", name="Séances plus anciennes").click()


def test_a_parent_sees_both_childrens_homework_merged(page, school):
    """claire.martin sees Lucas's and Emma's work on one page, each labelled with the child's name."""
    lucas = TeachingAssignment.objects.get(teacher=school["paul.dupont"], school_class__name="5e A")
    emma = TeachingAssignment.objects.get(teacher=school["paul.dupont"], school_class__name="2nde GT 1")
    _homework(lucas, "Fractions pour Lucas")
    _homework(emma, "Fonctions pour Emma", days=3)
    log_in(page, "claire.martin")
    with follow(page):
        page.get_by_role("link", name="Travail à faire").first.click()
    expect(page.get_by_text("Fractions pour Lucas")).to_be_visible()
    with follow(page):
        page.get_by_role("link", name="Tous mes enfants").click()
    expect(page.get_by_text("Fonctions pour Emma")).to_be_visible()
    expect(page.get_by_text("Lucas : à faire")).to_be_visible()
    expect(page.get_by_text("Emma : à faire")).to_be_visible()
    with follow(page):
        page.get_by_role("link", name="Semaines passées").click()


@pytest.mark.parametrize(
    ("username", "url"),
    [("paul.dupont", "/cahier-de-textes/"), ("lucas.martin", "/cahier-de-textes/travail/")],
)
def test_homework_pages_fit_a_360_pixel_phone(page, school, username, url):
    """At 360×740 the teacher's week and the work to do do not scroll sideways."""
    assignment = _weekly_maths(school)
    _homework(assignment, "Exercices de révision sur les fractions et les nombres décimaux")
    page.set_viewport_size(PHONE)
    log_in(page, username)
    visit(page, url)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
