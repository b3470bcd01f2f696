"""A 360 px phone: the student's marks and the parent's « Justifier » are seen without scrolling sideways, the
council pages fit, a wide table says it scrolls, and the « Menu » button leaves the first screen to the content;
at 1366 px the desktop keeps its menu. Screenshots under var/screenshots/ for a person to look at."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cartable.attendance.actions import ensure_default_reasons
from cartable.attendance.models import Absence, AbsenceReason, Justification
from cartable.grades.models import Evaluation
from tests.support.browser import PASSWORD, SCREENSHOTS, assert_accessible, log_in, visit
from tests.support.personas import MENU_PERSONAS
from tests.support.phone import (
    DESKTOP,
    PHONE,
    assert_no_sideways_scroll,
    assert_seen_whole,
    edge_brightness,
    scroll_boxes,
)
from tests.support.reportcards import add_marks_and_absences

pytestmark = pytest.mark.browser


def screenshot(page: Page, name: str, *, full_page: bool = True) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"phone-{name}.png"), full_page=full_page)


def table_roles(page: Page) -> Counter:
    """The roles of Chromium's accessibility tree (what a screen reader is given), counted."""
    nodes = page.context.new_cdp_session(page).send("Accessibility.getFullAXTree")["nodes"]
    return Counter(node.get("role", {}).get("value") for node in nodes if not node.get("ignored"))


def test_the_student_sees_each_mark_without_scrolling_sideways(page, school):
    """Lucas, on a 360 px phone: each latest mark and each average is seen whole, the page does not scroll
    sideways; the rows are cards on screen and still a table for a screen reader."""
    add_marks_and_absences(school)
    page.set_viewport_size(PHONE)
    log_in(page, "lucas.martin")
    visit(page, "/notes/mes-notes/")
    assert_no_sideways_scroll(page)
    latest = page.locator("#latest-title ~ .table-scroll tbody td:nth-child(4)")  # the « Note » column
    expect(latest).to_have_count(3)
    averages = page.locator(".grades-averages :is(tbody, tfoot) td:nth-child(3)")  # the « Moyenne » column
    expect(averages).to_have_count(3)  # French, mathematics, the general average
    for mark in latest.all() + averages.all():
        assert_seen_whole(mark)
    expect(page.get_by_role("cell", name="Note : 13/20")).to_be_visible()  # named on its card
    roles = table_roles(page)
    assert roles["table"] >= 2 and roles["row"] >= 7 and roles["columnheader"] >= 5 and roles["cell"] >= 20, roles
    screenshot(page, "grades-360")


def test_the_parent_sees_justifier_on_a_phone(page, school):
    """Claire, at 360 px, with a long motif and a justification waiting on other absences: the « Justifier »
    link of the absence to justify is seen whole, without scrolling the page or the table sideways."""
    college = school.college.establishment
    ensure_default_reasons(establishment_id=college.pk)
    reasons = {r.label: r for r in AbsenceReason.objects.filter(establishment=college)}
    lucas, claire = school["lucas.martin"], school["claire.martin"]
    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    for days_back, reason, justified_by_family in [(2, None, False), (6, "Rendez-vous médical", True), (9, None, True)]:
        day = today - dt.timedelta(days=days_back)
        absence = Absence.objects.create(
            establishment=college,
            student=lucas,
            reason=reasons.get(reason),
            start=dt.datetime.combine(day, dt.time(8), tz),
            end=dt.datetime.combine(day, dt.time(12), tz),
            source=Absence.Source.ROLL_CALL,
        )
        if justified_by_family:
            Justification.objects.create(
                establishment=college, absence=absence, student=lucas, author=claire, reason=reasons["Raison familiale"]
            )
    page.set_viewport_size(PHONE)
    log_in(page, "claire.martin")
    visit(page, "/vie-scolaire/mes-absences/")
    assert_no_sideways_scroll(page)
    justify = page.get_by_role("link", name="Justifier")
    expect(justify).to_have_count(1)
    expect(justify).to_be_visible()
    assert_seen_whole(justify)
    for link in page.locator("main table").get_by_role("link").all():
        assert_seen_whole(link)
    screenshot(page, "absences-360")


@pytest.mark.parametrize("username", ["marc.leroy", "paul.dupont"])
def test_the_council_pages_fit_a_phone(page, school, settings, tmp_path, username):
    """The principal and the head teacher of 5e A: the report cards' list and 5e A's council page do not
    scroll sideways at 360 px (the students' table scrolls inside its box, and says so)."""
    settings.MEDIA_ROOT = str(tmp_path)
    add_marks_and_absences(school)
    five_a, period = school.college.classes["5e A"], school.college.periods[0]
    page.set_viewport_size(PHONE)
    log_in(page, username)
    visit(page, "/bulletins/")
    assert_no_sideways_scroll(page)
    visit(page, f"/bulletins/conseil/{five_a.pk}/{period.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("5e A")
    assert_no_sideways_scroll(page)
    scroll_boxes(page)
    screenshot(page, f"council-360-{username}")


def test_a_wide_table_says_it_scrolls_only_when_it_overflows(page, school, settings, tmp_path):
    """5e A's council table fits at 1366 px: no hint, no shadow, no extra tab stop. At 360 px it overflows: the
    hint « Faites défiler le tableau → » shows, a shadow darkens the right edge (then the left one once
    scrolled), and the box is a named region that Tab reaches and the arrow keys scroll."""
    settings.MEDIA_ROOT = str(tmp_path)
    add_marks_and_absences(school)
    five_a, period = school.college.classes["5e A"], school.college.periods[0]
    page.set_viewport_size(DESKTOP)
    log_in(page, "marc.leroy")
    visit(page, f"/bulletins/conseil/{five_a.pk}/{period.pk}/")
    box = page.locator(".table-scroll")
    [fits] = scroll_boxes(page)
    assert not fits["overflows"]
    left, right = edge_brightness(box)
    assert left > 245 and right > 245, f"a shadow on a table that fits: {left}, {right}"

    page.set_viewport_size(PHONE)
    expect(box).to_have_attribute("data-overflowing", "")
    [overflowing] = scroll_boxes(page)
    assert overflowing["overflows"]
    expect(page.get_by_text("Faites défiler le tableau →")).to_be_visible()
    left, right = edge_brightness(box)
    assert left > 245 and right < 225, f"the shadow should darken the right edge only: {left}, {right}"
    assert_accessible(page)
    page.get_by_text("Faites défiler le tableau →").scroll_into_view_if_needed()
    screenshot(page, "scroll-hint-360", full_page=False)

    box.focus()
    expect(box).to_be_focused()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.querySelector('.table-scroll').scrollLeft > 0")
    page.wait_for_timeout(300)  # smooth scrolling ends
    left, _right = edge_brightness(box)
    assert left < 225, f"scrolled: the left edge should be shaded now: {left}"

    page.set_viewport_size(DESKTOP)
    expect(box).not_to_have_attribute("data-overflowing", "")
    expect(page.get_by_text("Faites défiler le tableau →")).to_be_hidden()
    scroll_boxes(page)


@pytest.mark.parametrize("username", MENU_PERSONAS)
def test_the_content_starts_in_the_first_third_of_a_phone_screen(page, username):
    """At 360×740, each persona's dashboard starts its content within the first third of the screen; the
    « Menu » button opens and closes the account links, the role switcher and the main menu, with the mouse
    and with the keyboard (Enter, Space, Escape); axe-core passes with the menu open."""
    page.set_viewport_size(PHONE)
    log_in(page, username)
    assert page.url.endswith("/")
    top = page.evaluate("document.querySelector('main').getBoundingClientRect().top")
    assert top < PHONE["height"] / 3, f"the content starts at {top:.0f} px, below the first third of 740 px"
    assert_no_sideways_scroll(page)
    screenshot(page, f"dashboard-{username}-closed", full_page=False)
    button = page.locator(".menu-toggle > summary")
    main_menu = page.get_by_role("navigation", name="Menu principal")
    account = page.get_by_role("navigation", name="Mon compte")
    expect(button).to_have_text("Menu")
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(main_menu).to_be_hidden()
    expect(account).to_be_hidden()

    button.click()
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(main_menu).to_be_visible()
    expect(account.get_by_role("button", name="Se déconnecter")).to_be_visible()
    assert_no_sideways_scroll(page)
    assert_accessible(page)
    screenshot(page, f"dashboard-{username}-open")
    button.click()
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(main_menu).to_be_hidden()

    # The keyboard: the skip link, the site's name, then the button.
    page.get_by_role("link", name="Aller au contenu").focus()
    for _ in range(2):
        page.keyboard.press("Tab")
    expect(button).to_be_focused()
    outline = button.evaluate(
        "el => [getComputedStyle(el).outlineStyle, parseFloat(getComputedStyle(el).outlineWidth)]"
    )
    assert outline[0] != "none" and outline[1] >= 2, f"no visible focus on the « Menu » button: {outline}"
    page.keyboard.press("Enter")
    expect(main_menu).to_be_visible()
    page.keyboard.press("Tab")
    assert page.evaluate("() => !!document.activeElement.closest('header, .in-menu')"), "Tab left the menu"
    page.keyboard.press("Escape")
    expect(main_menu).to_be_hidden()
    expect(button).to_be_focused()
    page.keyboard.press(" ")
    expect(main_menu).to_be_visible()
    expect(main_menu.get_by_role("link", name="Tableau de bord")).to_have_attribute("aria-current", "page")


def test_the_menu_button_works_without_javascript(browser, live_server, school):
    """With scripts off, Claire signs in on a 360 px phone and the « Menu » button still opens and closes the
    menu (a <details> read by CSS). axe-core needs scripts: these pages are audited with them elsewhere."""
    context = browser.new_context(base_url=live_server.url, locale="fr-FR", viewport=PHONE, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/comptes/connexion/")
        page.get_by_label("Identifiant", exact=True).fill("claire.martin")
        page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Claire")
        main_menu = page.get_by_role("navigation", name="Menu principal")
        expect(main_menu).to_be_hidden()
        page.get_by_text("Menu", exact=True).click()
        expect(main_menu).to_be_visible()
        expect(page.get_by_role("navigation", name="Mon compte")).to_be_visible()
        page.get_by_text("Menu", exact=True).click()
        expect(main_menu).to_be_hidden()
    finally:
        context.close()


def test_the_desktop_keeps_its_menu(page):
    """At 1366 px nothing hides: no « Menu » button, the main menu in its left column beside the content,
    the account links and both switchers in the header."""
    page.set_viewport_size(DESKTOP)
    log_in(page, "claire.martin")
    expect(page.locator(".menu-toggle > summary")).to_be_hidden()
    main_menu = page.get_by_role("navigation", name="Menu principal")
    expect(main_menu).to_be_visible()
    expect(page.get_by_role("navigation", name="Mon compte")).to_be_visible()
    expect(page.get_by_label("Rôle")).to_be_visible()
    expect(page.get_by_label("Enfant")).to_be_visible()
    nav, main = main_menu.bounding_box(), page.locator("main").bounding_box()
    assert nav and main and nav["x"] == 0 and nav["width"] == 224 and main["x"] >= 224, (nav, main)
    assert abs(nav["y"] - main["y"]) < 1, "the menu and the content no longer start side by side"
    screenshot(page, "dashboard-1366", full_page=False)


@pytest.mark.parametrize(
    ("username", "url", "overflows"),
    [
        ("paul.dupont", "/notes/classe/{five_a}/", True),  # the gradebook
        ("paul.dupont", "/notes/evaluation/{evaluation}/", False),  # the mark grid, three students
        ("paul.dupont", "/notes/classe/{five_a}/competences/", False),
        ("paul.dupont", "/bulletins/saisie/{five_a}/{period}/{maths}/", True),  # the appreciations grid
        ("nadia.petit", "/vie-scolaire/statistiques/", True),
        ("nadia.petit", "/vie-scolaire/eleves/{lucas}/", False),  # cards
        ("julie.moreau", "/messagerie/regles/", False),  # one block per author role: no wide table left
    ],
)
def test_the_wide_tables_of_staff_pages_scroll_in_their_box_and_say_so(
    page, school, settings, tmp_path, username, url, overflows
):
    """The gradebook, the mark grid, the appreciations grid, the statistics...: at 360 px the page does not
    scroll sideways, and each table box that overflows shows the hint and is a named tab stop."""
    settings.MEDIA_ROOT = str(tmp_path)
    add_marks_and_absences(school)
    kit = school.college
    five_a = kit.classes["5e A"]
    evaluation = Evaluation.objects.filter(school_class=five_a, subject=kit.subjects["MATH"]).order_by("pk").first()
    ids = {
        "five_a": five_a.pk,
        "period": kit.periods[0].pk,
        "maths": kit.subjects["MATH"].pk,
        "lucas": school["lucas.martin"].pk,
        "evaluation": evaluation.pk,
    }
    page.set_viewport_size(PHONE)
    log_in(page, username)
    visit(page, url.format(**ids))
    assert_no_sideways_scroll(page)
    boxes = scroll_boxes(page)
    assert any(box["overflows"] for box in boxes) is overflows, boxes
    if overflows:
        expect(page.get_by_text("Faites défiler le tableau →").first).to_be_visible()
    screenshot(page, "wide-" + url.strip("/").replace("/", "-").replace("{", "").replace("}", ""))
