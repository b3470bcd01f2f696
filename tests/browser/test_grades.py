"""Grades in Chromium: a teacher enters marks with the keyboard and pastes a column from a spreadsheet, a
parent reads a child's grades and charts; axe-core checks every page, and they fit a 360 px phone."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cartable.grades.models import Evaluation, Mark
from tests.support.browser import follow, log_in, visit
from tests.support.phone import PHONE

pytestmark = pytest.mark.browser
PASTE = """(el, text) => {
  const data = new DataTransfer();
  data.setData('text/plain', text);
  el.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
}"""


def _evaluation(school, *, subject="MATH", teacher="paul.dupont", title="Les fractions", scale="20"):
    college = Evaluation._meta.get_field("establishment").related_model.objects.get(uai="0540042K")
    five_a = school["lucas.martin"].enrolments.get().school_class
    period = five_a.school_year.periods.order_by("position").first()
    return Evaluation.objects.create(
        establishment=college,
        teacher=school[teacher],
        subject=college_subject(college, subject),
        school_class=five_a,
        period=period,
        title=title,
        date=period.start_date + dt.timedelta(days=14),
        scale=Decimal(scale),
        publish_at=timezone.now() - dt.timedelta(hours=1),
    )


def college_subject(college, code):
    from cartable.directory.models import Subject

    return Subject.objects.get(establishment=college, code=code)


def test_a_teacher_enters_marks_with_the_keyboard_and_pastes_a_column(page, school):
    """paul.dupont types a mark, Enter goes down, arrows move, a pasted column fills the cells downward."""
    evaluation = _evaluation(school)
    log_in(page, "paul.dupont")
    with follow(page):
        page.get_by_role("link", name="Notes").first.click()
    with follow(page):
        page.get_by_role("link", name="Les fractions").click()
    cells = page.locator("input.grade-cell")
    expect(cells).to_have_count(3)  # Bernard Léa, Fontaine Zoé, Martin Lucas
    cells.nth(0).click()
    page.keyboard.type("12,5")
    page.keyboard.press("Enter")
    expect(cells.nth(1)).to_be_focused()
    page.keyboard.type("abs")
    page.keyboard.press("ArrowDown")
    expect(cells.nth(2)).to_be_focused()
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    expect(cells.nth(0)).to_be_focused()
    # Paste a column copied from a spreadsheet into the second cell: it fills downward.
    cells.nth(1).evaluate(PASTE, "8,5\r\n17\r\n")
    expect(cells.nth(1)).to_have_value("8,5")
    expect(cells.nth(2)).to_have_value("17")
    expect(cells.nth(0)).to_have_value("12,5")
    with follow(page):
        page.get_by_role("button", name="Enregistrer les notes").click()
    expect(page.get_by_text("Notes enregistrées")).to_be_visible()
    values = dict(Mark.objects.filter(evaluation=evaluation).values_list("student__username", "value"))
    assert values == {"lea.bernard": Decimal("12.5"), "zoe.fontaine": Decimal("8.5"), "lucas.martin": Decimal(17)}


def test_a_bad_mark_is_shown_in_its_cell_with_what_was_typed(page, school):
    """A mark above the scale: the grid comes back with the French message on that cell, nothing lost."""
    _evaluation(school, scale="10")
    log_in(page, "paul.dupont")
    visit(page, "/notes/")
    with follow(page):
        page.get_by_role("link", name="Les fractions").click()
    cells = page.locator("input.grade-cell")
    cells.nth(0).fill("9,5")
    cells.nth(1).fill("12")
    with follow(page):
        page.get_by_role("button", name="Enregistrer les notes").click()
    expect(page.get_by_text("dépasse le barème")).to_be_visible()
    expect(cells.nth(0)).to_have_value("9,5")
    expect(cells.nth(1)).to_have_value("12")
    expect(cells.nth(1)).to_have_attribute("aria-invalid", "true")


def test_a_parent_reads_her_sons_grades(page, school):
    """claire.martin opens Notes: Lucas's latest marks with the class average, averages, the chart."""
    evaluation = _evaluation(school)
    for username, value in [("lucas.martin", "14"), ("lea.bernard", "10")]:
        Mark.objects.create(
            establishment_id=evaluation.establishment_id,
            evaluation=evaluation,
            student=school[username],
            value=Decimal(value),
            updated_by=school["paul.dupont"],
        )
    log_in(page, "claire.martin")
    expect(page.get_by_role("heading", name="Dernières notes")).to_be_visible()  # the dashboard widget
    with follow(page):
        page.get_by_role("link", name="Notes").first.click()
    expect(page.get_by_role("heading", name="Notes — Lucas Martin")).to_be_visible()
    expect(page.locator("table").first).to_contain_text("12,00")  # class average of 14 and 10
    expect(page.get_by_role("img", name="Évolution des notes en Mathématiques")).to_be_visible()
    page.get_by_text("Les nombres").first.click()
    expect(page.get_by_role("group").get_by_role("cell", name="14,00")).to_be_visible()


@pytest.mark.parametrize(
    ("username", "url"),
    [("claire.martin", "/notes/mes-notes/"), ("paul.dupont", "/notes/"), ("paul.dupont", "/notes/evaluation/{pk}/")],
)
def test_grades_pages_fit_a_360_pixel_phone(page, school, username, url):
    """At 360×740 the family's page, the teacher's list and the grid do not scroll sideways."""
    evaluation = _evaluation(school)
    Mark.objects.create(
        establishment_id=evaluation.establishment_id,
        evaluation=evaluation,
        student=school["lucas.martin"],
        value=Decimal("13.5"),
        updated_by=school["paul.dupont"],
    )
    page.set_viewport_size(PHONE)
    log_in(page, username)
    visit(page, url.format(pk=evaluation.pk))
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_teacher_creates_an_evaluation_and_reads_the_gradebook(page, school):
    """paul.dupont creates an evaluation through the form, then opens 5e A's gradebook, its competencies
    (positioning a student directly) and Lucas's page; every page passes axe-core."""
    log_in(page, "paul.dupont")
    visit(page, "/notes/evaluation/nouvelle/")
    page.get_by_label("Intitulé").fill("Calcul littéral")
    page.get_by_label("Coefficient").fill("2")
    page.get_by_label("D1.3 Langages mathématiques, scientifiques et informatiques").check()
    with follow(page):
        page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", name="Calcul littéral")).to_be_visible()
    expect(page.locator("select.grade-cell")).to_have_count(3)
    five_a = school["lucas.martin"].enrolments.get().school_class
    visit(page, f"/notes/classe/{five_a.pk}/")
    expect(page.get_by_role("columnheader", name="Moy. générale")).to_be_visible()
    visit(page, f"/notes/classe/{five_a.pk}/competences/")
    page.get_by_role("combobox", name="Élève").select_option(label="Lucas Martin")
    page.get_by_label("Composante du socle").select_option("D1.3")
    page.get_by_label("Niveau de maîtrise").select_option("3")
    with follow(page):
        page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("row", name="Martin Lucas").get_by_role("cell").first).to_have_text(
        "Maîtrise satisfaisante"
    )
    visit(page, f"/notes/eleve/{school['lucas.martin'].pk}/")
