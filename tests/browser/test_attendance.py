"""School life in Chromium: a teacher calls the roll on a phone; a parent justifies an absence with a document
and the CPE accepts it; every school-life page passes axe-core."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cartable.attendance.actions import ensure_default_reasons
from cartable.attendance.models import Absence, Justification, Mark, State, Status
from cartable.demo.personas import enrol, person
from cartable.directory.models import SchoolClass, TeachingAssignment
from cartable.timetable.models import Slot
from tests.support.browser import assert_accessible, follow, log_in, visit
from tests.support.files import tiny_pdf
from tests.support.phone import PHONE, assert_no_sideways_scroll

pytestmark = pytest.mark.browser


@pytest.fixture
def lesson_day(school):
    """Paul's maths lesson of 5e A at 8:00 on the latest day from Monday to Saturday before today."""
    day = timezone.localdate() - dt.timedelta(days=1)
    while day.weekday() == 6:
        day -= dt.timedelta(days=1)
    maths = TeachingAssignment.objects.get(teacher=school["paul.dupont"], school_class__name="5e A")
    Slot.objects.create(
        establishment_id=maths.establishment_id,
        assignment=maths,
        weekday=day.weekday(),
        start_time=dt.time(8),
        end_time=dt.time(9),
        valid_from=day - dt.timedelta(days=30),
    )
    return day


def test_a_teacher_calls_the_roll_on_a_phone(page, school, lesson_day):
    """paul.dupont, on a 360 px phone, opens his lesson, marks Lucas absent and Léa 10 minutes late in a few
    taps and validates; the CPE's board then lists Lucas among the day's absences."""
    page.set_viewport_size(PHONE)
    log_in(page, "paul.dupont")
    visit(page, f"/vie-scolaire/appel/?date={lesson_day.isoformat()}")
    assert_no_sideways_scroll(page)
    with follow(page):
        page.locator(".lesson-list").get_by_role("link", name="Faire l'appel").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("5e A")
    assert_no_sideways_scroll(page)
    page.get_by_role("group", name="Lucas Martin").get_by_text("Absent", exact=True).click()
    lea = page.get_by_role("group", name="Léa Bernard")
    lea.get_by_text("Retard", exact=True).click()
    lea.get_by_label("Minutes de retard").fill("10")
    with follow(page):
        page.get_by_role("button", name="Valider l'appel").click()
    expect(page.get_by_text("Appel validé pour 3 élèves.")).to_be_visible()
    expect(page.get_by_text("Appel fait")).to_be_visible()
    assert_no_sideways_scroll(page)
    states = dict(Mark.objects.values_list("student__username", "state"))
    assert states == {"lucas.martin": State.ABSENT, "lea.bernard": State.LATE, "zoe.fontaine": State.PRESENT}

    with follow(page):
        page.get_by_role("link", name="Voir ou corriger").first.click()
    page.get_by_role("group", name="Lucas Martin").get_by_text("Présent", exact=True).click()
    with follow(page):
        page.get_by_role("button", name="Enregistrer la correction").click()
    assert not Absence.objects.exists()


# A class of 27 at 360 px: the sheet held about 8,000 px with a fieldset of six radios and a minutes box per
# student; one compact row each must keep it within a few screens.
SHEET_MAX_HEIGHT = 2500


def test_the_roll_call_of_27_students_fits_a_few_screens(page, school, lesson_day):
    """paul.dupont calls the roll of a class of 27 on a 360 px phone: the sheet stays under 2,500 px, the
    submit bar is on screen wherever he is, a tap marks Lucas absent, a tap and the minutes (shown only then)
    Léa late, Zoé goes to the infirmary through her row's menu, and the keyboard moves Inès's state with a
    visible focus."""
    five_a = SchoolClass.objects.get(name="5e A")
    for i in range(24):
        enrol(person(f"eleve{i:02}", "Élève", f"Numéro {i:02}", password=None), five_a)
    page.set_viewport_size(PHONE)
    log_in(page, "paul.dupont")
    visit(page, f"/vie-scolaire/appel/?date={lesson_day.isoformat()}")
    with follow(page):
        page.locator(".lesson-list").get_by_role("link", name="Faire l'appel").first.click()
    expect(page.get_by_text("27 élèves.")).to_be_visible()
    assert_no_sideways_scroll(page)
    sheet = page.locator("main form[method=post]").bounding_box()
    assert sheet is not None
    print(f"roll call sheet of 27 students at 360 px: {sheet['height']:.0f} px")
    assert sheet["height"] < SHEET_MAX_HEIGHT, sheet
    submit = page.get_by_role("button", name="Valider l'appel")

    def submit_on_screen() -> None:
        box = submit.bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], box

    submit_on_screen()
    page.mouse.wheel(0, 1200)
    page.wait_for_timeout(100)
    submit_on_screen()

    page.get_by_role("group", name="Lucas Martin").get_by_text("Absent", exact=True).click()
    lea = page.get_by_role("group", name="Léa Bernard")
    expect(lea.get_by_label("Minutes de retard")).to_be_hidden()
    lea.get_by_text("Retard", exact=True).click()
    expect(lea.get_by_label("Minutes de retard")).to_be_visible()
    lea.get_by_label("Minutes de retard").fill("10")
    zoe = page.get_by_role("group", name="Zoé Fontaine")
    zoe.get_by_text("Autre").click()
    zoe.get_by_text("À l'infirmerie", exact=True).click()
    numero = page.get_by_role("group", name="Élève Numéro 05")
    numero.get_by_label("Présent").focus()
    page.keyboard.press("ArrowRight")
    expect(numero.get_by_label("Absent")).to_be_checked()
    outline = page.evaluate("getComputedStyle(document.activeElement.closest('label')).outlineStyle")
    assert outline not in ("", "none"), outline
    assert_accessible(page)
    with follow(page):
        submit.click()
    expect(page.get_by_text("Appel validé pour 27 élèves.")).to_be_visible()
    states = dict(Mark.objects.exclude(state=State.PRESENT).values_list("student__username", "state"))
    assert states == {
        "lucas.martin": State.ABSENT,
        "lea.bernard": State.LATE,
        "zoe.fontaine": State.INFIRMARY,
        "eleve05": State.ABSENT,
    }
    assert Mark.objects.get(student__username="lea.bernard").minutes == 10


def test_the_sheet_says_when_the_roll_call_opens(page, school):
    """Tomorrow's lesson (Monday when tomorrow is a Sunday): the day's list says « Appel à partir de 7 h 45 »
    and the sheet « L'appel s'ouvre le … à 7 h 45 », with no form to fill in for nothing."""
    day = timezone.localdate() + dt.timedelta(days=1)
    if day.weekday() == 6:
        day += dt.timedelta(days=1)
    maths = TeachingAssignment.objects.get(teacher=school["paul.dupont"], school_class__name="5e A")
    Slot.objects.create(
        establishment_id=maths.establishment_id,
        assignment=maths,
        weekday=day.weekday(),
        start_time=dt.time(8),
        end_time=dt.time(9),
        valid_from=day - dt.timedelta(days=30),
    )
    page.set_viewport_size(PHONE)
    log_in(page, "paul.dupont")
    visit(page, f"/vie-scolaire/appel/?date={day.isoformat()}")
    expect(page.locator(".lesson-list")).to_contain_text("Appel à partir de 7 h 45")
    expect(page.locator(".lesson-list").get_by_role("link", name="Faire l'appel")).to_have_count(0)
    with follow(page):
        page.locator(".lesson-list").get_by_role("link", name="Voir la feuille").first.click()
    expect(page.get_by_role("status")).to_contain_text("L'appel s'ouvre le")
    expect(page.get_by_role("status")).to_contain_text("à 7 h 45")
    expect(page.get_by_role("button", name="Valider l'appel")).to_have_count(0)
    expect(page.get_by_role("radio")).to_have_count(0)
    assert_no_sideways_scroll(page)


def test_a_parent_justifies_with_a_document_and_the_cpe_accepts(page, school, settings, tmp_path):
    """claire.martin justifies Lucas's absence with a PDF; nadia.petit opens it from her list, accepts with a
    message; Claire then sees the absence justified. Every page on the way passes axe-core."""
    settings.MEDIA_ROOT = str(tmp_path)
    college = school.college.establishment
    ensure_default_reasons(establishment_id=college.pk)
    monday = timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday() + 7)
    tz = timezone.get_current_timezone()
    absence = Absence.objects.create(
        establishment=college,
        student=school["lucas.martin"],
        start=dt.datetime.combine(monday, dt.time(8), tz),
        end=dt.datetime.combine(monday, dt.time(12), tz),
        source=Absence.Source.ROLL_CALL,
    )

    log_in(page, "claire.martin")
    visit(page, "/vie-scolaire/mes-absences/")
    with follow(page):
        page.get_by_role("link", name="Justifier").first.click()
    page.get_by_label("Motif").select_option(label="Maladie")
    page.get_by_label("Commentaire").fill("Fièvre, certificat joint.")
    page.get_by_label("Justificatif (facultatif)").set_input_files(
        files=[{"name": "certificat.pdf", "mimeType": "application/pdf", "buffer": tiny_pdf("certificat")}]
    )
    with follow(page):
        page.get_by_role("button", name="Envoyer la justification").click()
    expect(page.get_by_text("Justification envoyée à la vie scolaire.")).to_be_visible()
    visit(page, "/vie-scolaire/declarer/")

    page.context.clear_cookies()
    log_in(page, "nadia.petit")
    visit(page, "/vie-scolaire/suivi/")
    visit(page, "/vie-scolaire/absences/")
    with follow(page):
        page.get_by_role("link", name="Lucas Martin").first.click()
    expect(page.get_by_role("link", name="Voir le justificatif (certificat.pdf)")).to_be_visible()
    page.get_by_label("Accepter").check()
    page.get_by_label("Message à la famille").fill("Bon rétablissement.")
    with follow(page):
        page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.get_by_text("Décision enregistrée ; la famille est prévenue.")).to_be_visible()
    absence.refresh_from_db()
    assert absence.status == Status.JUSTIFIED
    assert Justification.objects.get().decision == Justification.Decision.ACCEPTED
    for url in (
        f"/vie-scolaire/eleves/{school['lucas.martin'].pk}/",
        "/vie-scolaire/retards/",
        "/vie-scolaire/retards/nouveau/",
        "/vie-scolaire/absences/nouvelle/",
        "/vie-scolaire/statistiques/",
        "/vie-scolaire/reglages/",
        "/",
    ):
        visit(page, url)

    page.context.clear_cookies()
    page.set_viewport_size(PHONE)
    log_in(page, "claire.martin")
    visit(page, f"/vie-scolaire/absences/{absence.pk}/")
    expect(page.locator(".status-justified")).to_be_visible()
    assert_no_sideways_scroll(page)
