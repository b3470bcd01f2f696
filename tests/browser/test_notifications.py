"""The notification centre in Chromium: preferences decide what is e-mailed, the header counter follows what
is read, and every page passes axe-core and fits a 360 px phone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from cartable.core.notify import notify
from cartable.directory.actor import Actor
from cartable.directory.models import TeachingAssignment
from cartable.homework import actions as homework_actions
from tests.support.browser import follow, log_in, visit
from tests.support.phone import PHONE

pytestmark = pytest.mark.browser


def _publish(school, title):
    """paul.dupont publishes homework for 5e A (Lucas's class): the action notifies, commits, delivers."""
    paul = school.people["paul.dupont"]
    assignment = TeachingAssignment.objects.get(teacher=paul, school_class__name="5e A")
    homework_actions.save_homework(
        actor=Actor(paul),
        assignment=assignment,
        kind="exercise",
        title=title,
        due_date=timezone.localdate() + dt.timedelta(days=3),
    )


def _mails_to(address):
    return [m for m in mail.outbox if address in m.to]


def _choose_homework_channel(page, label):
    visit(page, "/notifications/preferences/")
    page.get_by_label("Nouveau travail à faire : réception", exact=True).select_option(label=label)
    with follow(page):
        page.get_by_role("button", name="Enregistrer mes préférences").click()
    expect(page.get_by_text("Vos préférences de notification sont enregistrées.")).to_be_visible()


def test_preferences_decide_whether_homework_is_emailed(page, school):
    """Lucas keeps new homework in Cartable only: no mail; once he asks for e-mail, the next one arrives."""
    log_in(page, "lucas.martin")
    _choose_homework_channel(page, "Dans Cartable seulement (par défaut)")
    _publish(school, "Fractions")
    assert _mails_to("lucas.martin@example.org") == []
    _choose_homework_channel(page, "Dans Cartable et par courriel")
    _publish(school, "Proportionnalité")
    mails = _mails_to("lucas.martin@example.org")
    assert [m.subject for m in mails] == ["[Cartable] Nouveau travail en Mathématiques : Proportionnalité"], mails
    visit(page, "/notifications/")
    expect(page.get_by_role("link", name="Proportionnalité")).to_be_visible()


def test_the_header_counter_follows_what_is_read(page, school):
    """Two unread notices show in the header; marking one read on the timeline brings the count to one."""
    lucas = school.people["lucas.martin"]
    for title in ("Sortie au musée", "Nouvelle note"):
        notify(recipients=[lucas], kind="notifications.event_tomorrow", title=title, url="/agenda/")
    log_in(page, "lucas.martin")
    header_link = page.locator(".account-nav").get_by_role("link", name="Notifications")
    expect(header_link).to_contain_text("(2 non lues)")
    with follow(page):
        header_link.click()
    expect(page).to_have_title("Notifications (2 non lues) · Cartable")
    page.get_by_role("button", name="Marquer comme lue : Sortie au musée").click()
    expect(page.get_by_role("button", name="Marquer comme lue : Sortie au musée")).to_have_count(0)
    expect(header_link).to_contain_text("(1 non lue)")
    with follow(page):
        page.get_by_role("button", name="Tout marquer comme lu").click()
    expect(page.get_by_text("Vous avez tout lu.")).to_be_visible()
    expect(header_link).not_to_contain_text("non lue")


def test_a_guardian_chooses_per_child_with_the_keyboard_on_a_phone(page, school):
    """Claire sees a column per child at 360 px; she picks Emma's choice and saves from the keyboard."""
    page.set_viewport_size(PHONE)
    log_in(page, "claire.martin")
    visit(page, "/notifications/preferences/")
    expect(page.get_by_role("columnheader", name="Lucas").first).to_be_visible()
    emma = page.get_by_label("Nouveau travail à faire : réception pour Emma", exact=True)
    emma.focus()
    emma.select_option("off")
    submit = page.get_by_role("button", name="Enregistrer mes préférences")
    submit.focus()
    with follow(page):
        page.keyboard.press("Enter")
    expect(page.get_by_label("Nouveau travail à faire : réception pour Emma", exact=True)).to_have_value("off")
    expect(page.get_by_label("Nouveau travail à faire : réception pour Lucas", exact=True)).to_have_value("")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_label("Pas de courriel à partir de").fill("20:00")
    page.get_by_label("Jusqu'à").fill("07:00")
    page.get_by_label("Pas de courriel le week-end").check()
    with follow(page):
        page.get_by_role("button", name="Enregistrer mes heures de tranquillité").click()
    expect(page.get_by_text("Vos heures de tranquillité sont enregistrées.")).to_be_visible()
    expect(page.get_by_label("Pas de courriel à partir de")).to_have_value("20:00")


def test_the_timeline_and_the_establishment_page_on_a_phone(page, school):
    """The timeline (with a notice) and the establishment's quiet hours pass axe-core and fit 360 px."""
    notify(recipients=[school.people["julie.moreau"]], kind="notifications.event_tomorrow", title="Conseil", url="/")
    page.set_viewport_size(PHONE)
    log_in(page, "julie.moreau")
    visit(page, "/notifications/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    visit(page, "/notifications/?non-lues=1")
    visit(page, "/notifications/etablissement/")
    page.get_by_label("Pas de courriel à partir de").fill("21:00")
    with follow(page):
        page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Indiquez l'heure de début et l'heure de fin")).to_be_visible()
    expect(page.get_by_label("Pas de courriel à partir de")).to_have_value("21:00")
    page.get_by_label("Jusqu'à").fill("07:00")
    with follow(page):
        page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Les heures de tranquillité de l'établissement sont enregistrées.")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_a_guardian_filters_the_timeline_by_child_on_a_phone(page, school):
    """Claire, looking at Lucas, sees Emma's notices labelled with Emma's name; at 360 px she keeps the
    timeline to Emma, then to Lucas, then shows all again, by links (no JS needed); axe-core on each page."""
    p = school.people
    claire, lucas, emma = p["claire.martin"], p["lucas.martin"], p["emma.martin"]
    notify(recipients=[claire], kind="homework.published", title="Devoir de maths", url="/", about=lucas)
    notify(recipients=[claire], kind="homework.published", title="Devoir de SVT", url="/", about=emma)
    page.set_viewport_size(PHONE)
    log_in(page, "claire.martin")
    visit(page, "/notifications/")
    emma_notice = page.locator(".notification-list li", has_text="Devoir de SVT")
    expect(emma_notice.locator(".child-label")).to_have_text("Concerne : Emma")
    expect(page.locator(".notification-list li", has_text="Devoir de maths").locator(".child-label")).to_have_count(0)
    children = page.get_by_role("navigation", name="Filtrer par enfant")
    with follow(page):
        children.get_by_role("link", name="Emma").click()
    expect(page.get_by_role("link", name="Emma : Devoir de SVT")).to_be_visible()
    expect(page.get_by_role("link", name="Lucas : Devoir de maths")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    with follow(page):
        children.get_by_role("link", name="Lucas").click()
    expect(page.get_by_role("link", name="Lucas : Devoir de maths")).to_be_visible()
    expect(page.get_by_role("link", name="Emma : Devoir de SVT")).to_have_count(0)
    with follow(page):
        children.get_by_role("link", name="Tous").click()
    expect(page.get_by_role("link", name="Emma : Devoir de SVT")).to_be_visible()
    expect(page.get_by_role("link", name="Lucas : Devoir de maths")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
