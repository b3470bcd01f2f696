"""Discipline in Chromium: a teacher excludes a student from class with the mandatory report and the CPE reads
it; the principal runs a sanction procedure through its steps; a parent sees their child's punishment. axe-core
checks every page, and the pages fit a 360 px phone."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cartable.directory.actor import Actor
from cartable.discipline import actions
from cartable.discipline.models import Punishment, Sanction
from tests.support.browser import assert_accessible, follow, log_in, visit
from tests.support.phone import PHONE

pytestmark = pytest.mark.browser


def _punishment(school, kind=Punishment.Kind.EXTRA_WORK, **kw):
    return actions.give_punishment(
        actor=Actor(school["paul.dupont"]),
        student=school["lucas.martin"],
        kind=kind,
        reason="Exercices non faits deux fois de suite.",
        **kw,
    )


def _sanction(school, informed=False):
    marc = Actor(school["marc.leroy"])
    sanction = actions.open_sanction(
        actor=marc, student=school["lucas.martin"], authority="principal", facts="Violence envers un camarade."
    )
    if informed:
        actions.inform_family(actor=marc, sanction=sanction)
    return sanction


def test_a_teacher_excludes_a_student_from_class_with_the_report_and_the_cpe_reads_it(page, school):
    """Without the report the form says why and keeps the reason; with it, nadia.petit reads the report."""
    log_in(page, "paul.dupont")
    with follow(page):
        page.get_by_role("link", name="Discipline", exact=True).click()
    with follow(page):
        page.get_by_role("link", name="Donner une punition").click()
    page.get_by_label(re.compile(r"^Élève")).select_option(label="Martin Lucas")
    page.get_by_label(re.compile(r"^Punition")).select_option("class_exclusion")
    page.get_by_label("Motif").fill("Refus de travailler, insolence.")
    with follow(page):
        page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Une exclusion de cours exige un rapport écrit").first).to_be_visible()
    expect(page.get_by_label("Motif")).to_have_value("Refus de travailler, insolence.")
    page.get_by_label("Rapport écrit").fill("Lucas a refusé de sortir ses affaires et a répondu avec insolence.")
    with follow(page):
        page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", name="Exclusion ponctuelle de cours — Lucas Martin")).to_be_visible()
    assert Punishment.objects.get().report.startswith("Lucas a refusé")

    page.context.clear_cookies()
    log_in(page, "nadia.petit")
    expect(page.get_by_role("heading", name="Punitions à suivre")).to_be_visible()
    with follow(page):
        page.get_by_role("link", name="Exclusion ponctuelle de cours — Lucas Martin").click()
    expect(page.get_by_text("Lucas a refusé de sortir ses affaires")).to_be_visible()
    page.get_by_label("Punition faite").check()
    with follow(page):
        page.get_by_role("button", name="Enregistrer le suivi").click()
    assert Punishment.objects.get().done_on == timezone.localdate()
    visit(page, "/discipline/")
    expect(page.get_by_role("link", name="Exclusion ponctuelle de cours")).to_be_visible()
    page.get_by_role("link", name="Pas encore faites").click()  # htmx swaps the list in place
    expect(page.get_by_text("Aucune punition.")).to_be_visible()
    assert page.url.endswith("?a_suivre=1")
    assert_accessible(page)


def test_the_principal_runs_a_sanction_procedure_through_its_steps(page, school):
    """marc.leroy opens the procedure, informs the family, hears the defence, decides and notifies."""
    log_in(page, "marc.leroy")
    visit(page, "/discipline/")
    with follow(page):
        page.get_by_role("link", name="Engager une procédure disciplinaire").click()
    page.get_by_label(re.compile(r"^Élève")).select_option(label="Martin Lucas")
    page.get_by_label("Autorité").select_option("principal")
    page.get_by_label("Faits reprochés").fill("A frappé un camarade à la sortie de la cantine.")
    with follow(page):
        page.get_by_role("button", name="Engager la procédure").click()
    expect(page.get_by_text("Informer la famille par écrit", exact=True)).to_be_visible()
    with follow(page):
        page.get_by_role("button", name="La famille est informée").click()
    expect(page.get_by_text("La décision ne peut être prise qu'après le")).to_be_visible()
    expect(page.get_by_role("button", name="Prononcer la sanction")).to_have_count(0)
    page.get_by_label("Observations de la défense").fill("Lucas reconnaît les faits.")
    with follow(page):
        page.get_by_role("button", name="La défense est entendue").click()
    page.get_by_label(re.compile(r"^Sanction")).select_option("school_exclusion")
    page.get_by_label("Jours d'exclusion").fill("2")
    page.get_by_label(re.compile(r"^Sursis")).select_option("full")
    with follow(page):
        page.get_by_role("button", name="Prononcer la sanction").click()
    expect(page.get_by_text("(2 jours), avec sursis total")).to_be_visible()
    with follow(page):
        page.get_by_role("button", name="La décision est notifiée").click()
    expect(page.get_by_text("Procédure terminée")).to_be_visible()
    assert Sanction.objects.get().step == Sanction.Step.NOTIFIED


def test_a_parent_sees_their_childs_punishment(page, school):
    """claire.martin's dashboard lists Lucas's punishment; its page gives the reason."""
    _punishment(school, due_on=timezone.localdate() + dt.timedelta(days=2))
    log_in(page, "claire.martin")
    expect(page.get_by_role("heading", name="Punitions récentes")).to_be_visible()
    with follow(page):
        page.get_by_role("link", name="Devoir supplémentaire").first.click()
    expect(page.get_by_text("Exercices non faits deux fois de suite.")).to_be_visible()
    visit(page, "/discipline/")
    expect(page.get_by_role("link", name="Devoir supplémentaire")).to_be_visible()


@pytest.mark.parametrize(
    "username,url",
    [
        ("claire.martin", "/discipline/"),
        ("nadia.petit", "/discipline/"),
        ("paul.dupont", "/discipline/punitions/nouvelle/"),
        ("paul.dupont", "/discipline/incidents/nouveau/"),
        ("marc.leroy", "sanction"),
        ("claire.martin", "sanction"),
        ("nadia.petit", "punishment"),
        ("nadia.petit", "incident"),
        ("nadia.petit", "student"),
    ],
)
def test_discipline_pages_fit_a_360_pixel_phone(page, school, username, url):
    """At 360×740 the discipline pages never scroll sideways."""
    punishment = _punishment(school, kind=Punishment.Kind.DETENTION, detention_at=timezone.now())
    sanction = _sanction(school, informed=True)
    url = {
        "sanction": f"/discipline/sanctions/{sanction.pk}/",
        "punishment": f"/discipline/punitions/{punishment.pk}/",
    }.get(url, url)
    page.set_viewport_size(PHONE)
    log_in(page, username)
    visit(page, url)
    wide = page.evaluate(
        "() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 361)"
        ".map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).slice(0, 40)"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], wide
