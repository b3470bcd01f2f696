"""The agenda in Chromium: a parent sees both children's week merged, a person adds an event and subscribes to
the calendar feed; axe-core checks every page, and the pages fit a 360 px phone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cartable.agenda.models import CalendarFeed, Event
from cartable.directory.models import TeachingAssignment
from cartable.homework.models import Homework
from tests.support.browser import follow, log_in, visit
from tests.support.phone import PHONE

pytestmark = pytest.mark.browser
PARIS = ZoneInfo("Europe/Paris")


def _wednesday() -> dt.date:
    today = timezone.localdate()
    return today - dt.timedelta(days=today.weekday()) + dt.timedelta(days=2)


def _homework(school, teacher, class_name, title, kind=Homework.Kind.EXERCISE):
    assignment = TeachingAssignment.objects.get(teacher=school[teacher], school_class__name=class_name)
    return Homework.objects.create(
        establishment_id=assignment.establishment_id,
        assignment=assignment,
        kind=kind,
        title=title,
        due_date=_wednesday(),
        estimated_minutes=30,
        published_at=timezone.now() - dt.timedelta(days=1),
        author_id=assignment.teacher_id,
    )


def _school_event(school, title="Cross du collège"):
    day = _wednesday()
    return Event.objects.create(
        establishment=school.college.establishment,
        audience=Event.Audience.EVERYONE,
        kind=Event.Kind.OTHER,
        title=title,
        start=dt.datetime.combine(day, dt.time(14), tzinfo=PARIS),
        end=dt.datetime.combine(day, dt.time(16), tzinfo=PARIS),
        owner=school["marc.leroy"],
    )


def test_a_parent_sees_both_childrens_week_merged(page, school):
    """claire.martin's week shows Lucas's homework; "Tous mes enfants" adds Emma's test, each labelled."""
    _homework(school, "paul.dupont", "5e A", "Exercices sur les fractions")
    _homework(school, "paul.dupont", "2nde GT 1", "Contrôle de fonctions", kind=Homework.Kind.TEST)
    _school_event(school)
    log_in(page, "claire.martin")
    with follow(page):
        page.get_by_role("link", name="Agenda", exact=True).click()
    with follow(page):
        page.get_by_role("link", name="Semaine", exact=True).click()
    expect(page.get_by_role("link", name="Exercices sur les fractions")).to_be_visible()
    expect(page.get_by_text("Contrôle de fonctions")).to_have_count(0)
    with follow(page):
        page.get_by_role("link", name="Tous mes enfants").click()
    expect(page.get_by_role("link", name="Contrôle de fonctions")).to_be_visible()
    emma = page.locator(".agenda-item", has_text="Contrôle de fonctions")
    expect(emma).to_contain_text("pour Emma")
    lucas = page.locator(".agenda-item", has_text="Exercices sur les fractions")
    expect(lucas).to_contain_text("pour Lucas")
    expect(page.get_by_role("link", name="Cross du collège")).to_be_visible()


def test_a_teacher_adds_a_class_trip_that_the_class_sees(page, school):
    """paul.dupont adds a 5e A trip through the form; it shows in lucas.martin's agenda."""
    log_in(page, "paul.dupont")
    visit(page, "/agenda/")
    with follow(page):
        page.get_by_role("link", name="Ajouter un événement").click()
    page.get_by_label("Titre").fill("Sortie à l'écomusée")
    page.get_by_label("Type").select_option("trip")
    page.get_by_label("Pour qui").select_option("classes")
    page.get_by_label("5e A").check()
    page.get_by_label("Date de début").fill(_wednesday().isoformat())
    page.get_by_label("Heure de début").fill("09:00")
    page.get_by_label("Heure de fin").fill("16:00")
    with follow(page):
        page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", name="Sortie à l'écomusée")).to_be_visible()
    page.context.clear_cookies()
    log_in(page, "lucas.martin")
    visit(page, f"/agenda/liste/?date={_wednesday().isoformat()}")
    expect(page.get_by_role("link", name="Sortie à l'écomusée")).to_be_visible()


def test_a_student_subscribes_to_the_feed_and_revokes_it(page, school):
    """lucas.martin gets his secret address, which serves iCalendar; revoking it makes it a 404."""
    _school_event(school)
    log_in(page, "lucas.martin")
    visit(page, "/agenda/flux/")
    with follow(page):
        page.get_by_role("button", name="Obtenir une nouvelle adresse").click()
    url = page.get_by_label("Adresse à copier dans votre agenda").input_value()
    feed = page.request.get(url)
    assert feed.status == 200
    assert feed.headers["content-type"] == "text/calendar; charset=utf-8"
    assert "BEGIN:VCALENDAR" in feed.text() and "Cross du coll" in feed.text()
    with follow(page):
        page.get_by_role("button", name="Révoquer").click()
    assert CalendarFeed.objects.get().revoked_at is not None
    assert page.request.get(url).status == 404


@pytest.mark.parametrize(
    "username,url",
    [
        ("lucas.martin", "/agenda/"),
        ("lucas.martin", "/agenda/semaine/"),
        ("lucas.martin", "/agenda/jour/"),
        ("claire.martin", "/agenda/liste/?enfants=tous"),
        ("marc.leroy", "/agenda/evenements/nouveau/"),
        ("claire.martin", "/agenda/flux/"),
    ],
)
def test_agenda_pages_fit_a_360_pixel_phone(page, school, username, url):
    """At 360×740 the agenda shows its list layout and never scrolls sideways."""
    _homework(school, "paul.dupont", "5e A", "Exercices de révision sur les fractions et les nombres décimaux")
    _school_event(school, "Rencontre avec l'auteur de « La Rivière à l'envers » au CDI du collège")
    page.set_viewport_size(PHONE)
    log_in(page, username)
    visit(page, url)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    if url == "/agenda/":
        expect(page.locator(".agenda-month")).to_be_hidden()
        expect(page.locator(".agenda-phone-only")).to_be_visible()
