"""The messaging in Chromium: a parent writes to a teacher and reads the answer; a student is told why they
cannot write to another class's student; the ENT administrator simulates a rule change; axe-core checks every
page, and the pages fit a 360 px phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from cartable.messaging.models import CommunicationRule, MailboxEntry
from tests.support.browser import assert_accessible, follow, log_in, visit
from tests.support.phone import PHONE

pytestmark = pytest.mark.browser


def _sign_out_and_in(page, username: str) -> None:
    page.context.clear_cookies()
    log_in(page, username)


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), page.url


def test_a_parent_writes_to_a_teacher_and_gets_the_answer(page, school):
    """claire.martin finds paul.dupont in the picker, writes; he reads it (unread first) and answers; she reads
    the answer in the same thread, and sees that he read her message."""
    log_in(page, "claire.martin")
    with follow(page):
        page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Messagerie").click()
    with follow(page):
        page.get_by_role("link", name="Écrire un message").click()
    page.get_by_label("Chercher une personne ou un groupe").fill("Dupont")
    paul = page.get_by_role("checkbox", name=re.compile("Paul Dupont"))
    expect(paul).to_be_visible()
    assert_accessible(page)
    paul.check()
    page.get_by_label("Objet").fill("Cantine de Lucas")
    page.locator("#id_body").fill("Bonjour, Lucas mangera à la cantine jeudi ?")
    with follow(page):
        page.get_by_role("button", name="Envoyer").click()
    expect(page.get_by_role("heading", name="Cantine de Lucas")).to_be_visible()
    expect(page.get_by_text("Le message est envoyé à 1 personne.")).to_be_visible()

    _sign_out_and_in(page, "paul.dupont")
    visit(page, "/messagerie/")
    expect(page.locator("tr.unread", has_text="Cantine de Lucas")).to_be_visible()
    with follow(page):
        page.get_by_role("link", name=re.compile("Cantine de Lucas")).click()
    with follow(page):
        page.get_by_role("link", name="Répondre", exact=True).click()
    expect(page.get_by_role("checkbox", name=re.compile("Claire Martin"))).to_be_checked()
    page.locator("#id_body").fill("Oui, il est inscrit le jeudi.")
    with follow(page):
        page.get_by_role("button", name="Envoyer").click()

    _sign_out_and_in(page, "claire.martin")
    visit(page, "/messagerie/")
    with follow(page):
        page.get_by_role("link", name=re.compile("RE : Cantine de Lucas")).click()
    expect(page.get_by_text("Oui, il est inscrit le jeudi.")).to_be_visible()
    page.get_by_text(re.compile("Lu par")).first.click()
    expect(page.get_by_text(re.compile("M. Paul Dupont : lu le"))).to_be_visible()
    assert MailboxEntry.objects.filter(person=school["claire.martin"], read_at__isnull=True).count() == 0


def test_a_student_is_told_why_they_cannot_write_to_the_principal(page, school):
    """lucas.martin searches the principal (Marc Leroy): no checkbox, the reason in plain words, and the
    "Pourquoi ?" page names the rule; the no-JavaScript search gives the same answer. Searching another
    class's student finds nobody: the picker shows no more than the annuaire."""
    log_in(page, "lucas.martin")
    visit(page, "/messagerie/ecrire/")
    page.get_by_label("Chercher une personne ou un groupe").fill("Leroy")
    reason = "Les élèves ne peuvent pas écrire aux membres de la direction dans cet établissement."
    expect(page.get_by_text(reason)).to_be_visible()
    expect(page.get_by_role("checkbox", name=re.compile("Marc Leroy"))).to_have_count(0)
    assert_accessible(page)
    with follow(page):
        page.get_by_role("link", name="Pourquoi ? (Marc Leroy)").click()
    expect(page.get_by_text("Non, vous ne pouvez pas lui écrire.")).to_be_visible()
    expect(page.get_by_text(re.compile("Élève → "))).to_be_visible()
    visit(page, "/messagerie/ecrire/")
    page.get_by_label("Objet").fill("Sortie")
    page.evaluate("document.getElementById('picker-q').removeAttribute('hx-get')")
    page.get_by_label("Chercher une personne ou un groupe").fill("Leroy")
    with follow(page):
        page.get_by_role("button", name="Chercher").click()
    expect(page.get_by_text("ne peuvent pas écrire aux membres de la direction").first).to_be_visible()
    expect(page.get_by_label("Objet")).to_have_value("Sortie")
    page.get_by_label("Chercher une personne ou un groupe").fill("Girard")
    with follow(page):
        page.get_by_role("button", name="Chercher").click()
    expect(page.get_by_text("Inès Girard")).to_have_count(0)


def test_the_administrator_simulates_then_applies_a_rule(page, school):
    """julie.moreau closes student-to-student messages: the simulation shows the pairs lost without saving;
    saving applies it."""
    log_in(page, "julie.moreau")
    visit(page, "/messagerie/regles/")
    page.get_by_role("group", name="Les élèves écrivent…").get_by_label("aux élèves").select_option("none")
    with follow(page):
        page.get_by_role("button", name="Simuler").click()
    expect(page.get_by_role("heading", name="Simulation (rien n'est enregistré)")).to_be_visible()
    expect(page.get_by_text(re.compile("ne pourra plus écrire à")).first).to_be_visible()
    assert not CommunicationRule.objects.exists()
    with follow(page):
        page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("1 règle est modifiée.")).to_be_visible()
    assert CommunicationRule.objects.filter(author_role="student", recipient_role="student", reach="none").exists()


def test_messaging_pages_fit_a_phone(page, school):
    """At 360 px the mailbox, writing, a thread, the rules and the reports fit the screen, without axe-core
    violations."""
    from cartable.directory.actor import Actor
    from cartable.messaging import actions

    message, _r = actions.send_message(
        actor=Actor(school["paul.dupont"]),
        subject="Une information assez longue pour tester le retour à la ligne sur un téléphone",
        body="<p>" + "Texte " * 80 + "</p>",
        keys=[f"u:{school['claire.martin'].pk}"],
    )
    report = actions.report_message(actor=Actor(school["claire.martin"]), message=message, reason="Test")
    page.set_viewport_size(PHONE)
    log_in(page, "claire.martin")
    why = f"/messagerie/pourquoi/{school['lucas.martin'].pk}/"
    for url in ["/messagerie/", "/messagerie/ecrire/", f"/messagerie/fils/{message.pk}/", "/messagerie/regles/", why]:
        visit(page, url)
        _fits(page)
    _sign_out_and_in(page, "marc.leroy")
    for url in ["/messagerie/signalements/", f"/messagerie/signalements/{report.pk}/", "/messagerie/regles/"]:
        visit(page, url)
        _fits(page)
