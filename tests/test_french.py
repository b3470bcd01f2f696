"""French, once for all: what the interface writes is written the same way everywhere.

Emoji that need an emoji font, elision before a name, the date styles, role titles by gender, rooms.
"""

import datetime as dt
import re
import socket
from pathlib import Path

import gunicorn.util
from django.template import Context, Template
from django.test import SimpleTestCase
from django.urls import reverse
from django.utils import dateformat, timezone, translation
from django_tasks_db.models import DBTaskResult, get_date_max

from cartable.core import dates, french, gunicorn_conf
from cartable.directory.models import Role, User
from cartable.directory.titles import role_title
from cartable.timetable.models import Room, room_label
from tests.support.personas import PersonaTestCase
from tests.support.timetable import MONDAY_A, build_timetable, iso_week

ROOT = Path(__file__).resolve().parents[1] / "cartable"

# Characters drawn as emoji by default (Unicode's Emoji_Presentation property): without an emoji font
# they show as an empty box. Text-style symbols such as ✓ (U+2713) or ✔ (U+2714) are fine.
EMOJI_PRESENTATION = re.compile(
    "[\u231a\u231b\u23e9-\u23ec\u23f0\u23f3\u25fd\u25fe\u2614\u2615\u2648-\u2653\u267f\u2693\u26a1"
    "\u26aa\u26ab\u26bd\u26be\u26c4\u26c5\u26ce\u26d4\u26ea\u26f2\u26f3\u26f5\u26fa\u26fd\u2705\u270a"
    "\u270b\u2728\u274c\u274e\u2753-\u2755\u2757\u2795-\u2797\u27b0\u27bf\u2b1b\u2b1c\u2b50\u2b55"
    "\ufe0f\U0001f000-\U0001faff]"
)


def interface_files():
    for pattern in ("*.html", "*.css", "*.js", "*.py", "*.txt"):
        for path in ROOT.rglob(pattern):
            if path.name.endswith(".min.js") or "locale" in path.parts:
                continue
            yield path


def test_no_emoji_that_needs_an_emoji_font():
    """No template, stylesheet, script or Python string uses a character drawn only by an emoji font."""
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()[:80]}"
        for path in interface_files()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if EMOJI_PRESENTATION.search(line)
    ]
    assert not found, "emoji that render as an empty box without an emoji font:\n" + "\n".join(found)


class LongSearchTests(PersonaTestCase):
    """A 5,000-character search answers the usual French page, the search cut and the cut said."""

    def test_the_annuaire_cuts_a_long_search_and_says_so(self):
        self.login("paul.dupont")
        response = self.client.get("/annuaire/", {"q": "dupont" + "x" * 5000})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Votre recherche a été raccourcie à ses 100 premiers caractères.")
        field = re.search(r'id="people-q" name="q" value="([^"]*)"', response.content.decode())
        self.assertEqual(field.group(1), ("dupont" + "x" * 5000)[:100])

    def test_the_mailbox_cuts_a_long_search_and_says_so(self):
        self.login("paul.dupont")
        response = self.client.get("/messagerie/", {"q": "y" * 5000})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "raccourcie à ses 200 premiers caractères")

    def test_a_short_search_says_nothing(self):
        self.login("paul.dupont")
        response = self.client.get("/annuaire/", {"q": "dupont"})
        self.assertNotContains(response, "raccourcie")


def test_gunicorn_lets_a_5000_character_search_through_and_answers_longer_lines_in_french():
    """The request line of a 5,000-character search fits gunicorn's limit; a longer one gets a French 414."""
    line = "GET /annuaire/?q=" + "x" * 5000 + " HTTP/1.1"
    assert gunicorn_conf.limit_request_line >= len(line)
    ours, theirs = socket.socketpair()
    with ours, theirs:
        gunicorn.util.write_error(ours, 414, "URI Too Long", "Request Line is too large (9000 > 8190)")
        answer = theirs.recv(65536).decode("utf-8")
    head, body = answer.split("\r\n\r\n", 1)
    assert head.startswith("HTTP/1.1 414 ")
    assert f"Content-Length: {len(body.encode())}" in head
    assert "charset=utf-8" in head
    assert '<html lang="fr">' in body and "Adresse trop longue" in body
    assert "Request Line is too large" not in body


# --- Dates: one style per use, from core/dates.py --------------------------------------------------------

TEMPLATES = [path for path in ROOT.rglob("templates/**/*") if path.is_file()]
RAW_DATE_FORMAT = re.compile(r"""\|date\b|\|time:(["'])(?!H:i\1)|\{% now """)


def test_no_template_writes_a_date_format_of_its_own():
    """Templates use the named styles (``|date_long``...), never ``|date:"..."``: core/dates.py has them all."""
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}"
        for path in TEMPLATES
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if RAW_DATE_FORMAT.search(line)
    ]
    assert not found, "raw date formats (use a style of core/dates.py):\n" + "\n".join(found)


# Python writes dates for people through core.dates too; only data files keep their own numeric form.
PYTHON_DATE_FORMAT = re.compile(r"""strftime\(["']%[dA]|date_format\(""")
DATA_FILES = {"grades/exports.py", "reportcards/queries.py"}  # CSV columns, the PDF's birth date (dd/mm/yyyy)


def test_notices_and_messages_write_dates_through_the_styles():
    """No notice, message or label formats a date itself (``strftime("%d/%m/%Y")``, ``date_format``)."""
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}"
        for path in ROOT.rglob("*.py")
        if str(path.relative_to(ROOT)) not in DATA_FILES
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if PYTHON_DATE_FORMAT.search(line)
    ]
    assert not found, "dates formatted outside core/dates.py:\n" + "\n".join(found)


class DateStyleTests(SimpleTestCase):
    """Each style in French and in English, with the year shown or not by the school year."""

    def setUp(self):
        self.today = timezone.localdate()
        start, _end = dates.school_year(self.today)
        # A Thursday 3rd of the current school year's December (a fixed weekday: found, not hard-coded).
        self.this_year = dt.date(start.year, 12, 3)
        self.last_year = dt.date(start.year - 1, 12, 3)
        self.moment = timezone.make_aware(dt.datetime.combine(self.this_year, dt.time(10, 5)))

    def weekday(self, day, language):
        with translation.override(language):
            return dateformat.format(day, "l")

    def test_french(self):
        year = self.this_year.year
        with translation.override("fr"):
            self.assertEqual(dates.date_court(self.this_year), "3 déc.")
            self.assertEqual(dates.date_court(self.last_year), f"3 déc. {year - 1}")
            self.assertEqual(dates.date_court(self.this_year.replace(month=9, day=1)), "1er sept.")
            # the calendar grid's day number agrees with its accessible name (« mardi 1er décembre »)
            self.assertEqual(dates.date_quantieme(self.this_year.replace(day=1)), "1er")
            self.assertEqual(dates.date_quantieme(self.this_year), "3")
            self.assertEqual(dates.date_long(self.this_year), f"{self.weekday(self.this_year, 'fr')} 3 décembre {year}")
            self.assertEqual(dates.date_jour(self.this_year), f"{self.weekday(self.this_year, 'fr')} 3 décembre")
            self.assertEqual(dates.date_mois(self.this_year), f"décembre {year}")
            self.assertEqual(dates.date_heure_court(self.moment), "3 déc., 10:05")
            self.assertEqual(
                dates.date_heure_long(self.moment), f"{self.weekday(self.this_year, 'fr')} 3 décembre {year} à 10:05"
            )
            self.assertEqual(dates.date_iso(self.moment), self.this_year.isoformat())
            self.assertEqual(dates.date_court(None), "")

    def test_notices_name_the_day_and_its_year_only_outside_the_school_year(self):
        """A notice's day is never relative and, like the short styles, carries its year only outside the
        current school year (« jeudi 3 décembre », « jeudi 3 décembre 2026 à 10:05 » a year before)."""
        with translation.override("fr"):
            weekday = self.weekday(self.this_year, "fr")
            self.assertEqual(dates.date_avis(self.this_year), f"{weekday} 3 décembre")
            self.assertEqual(dates.date_heure_avis(self.moment), f"{weekday} 3 décembre à 10:05")
            before = self.moment.replace(year=self.last_year.year)
            self.assertEqual(dates.date_avis(self.last_year), dates.date_long(self.last_year))
            self.assertEqual(dates.date_heure_avis(before), dates.date_heure_long(before))
            self.assertEqual(
                dates.date_avis(self.this_year.replace(day=1)),
                f"{self.weekday(self.this_year.replace(day=1), 'fr')} 1er décembre",
            )

    def test_english(self):
        year = self.this_year.year
        with translation.override("en"):
            self.assertEqual(dates.date_court(self.this_year), "3 Dec")
            self.assertEqual(dates.date_court(self.last_year), f"3 Dec {year - 1}")
            self.assertEqual(dates.date_long(self.this_year), f"{self.weekday(self.this_year, 'en')} 3 December {year}")
            self.assertEqual(
                dates.date_heure_long(self.moment), f"{self.weekday(self.this_year, 'en')} 3 December {year} at 10:05"
            )

    def test_templates_have_the_filters_without_loading_them(self):
        with translation.override("fr"):
            rendered = Template("{{ d|date_court }} · {{ m|date_heure_long }} · {{ m|datetime_iso }}").render(
                Context({"d": self.last_year, "m": self.moment})
            )
            self.assertIn(f"3 déc. {self.last_year.year}", rendered)
            self.assertIn("à 10:05", rendered)
            self.assertIn(timezone.localtime(self.moment).isoformat(), rendered)

    def test_the_school_year_runs_from_september_to_august(self):
        self.assertEqual(dates.school_year(dt.date(2031, 8, 31)), (dt.date(2030, 9, 1), dt.date(2031, 8, 31)))
        self.assertEqual(dates.school_year(dt.date(2031, 9, 1)), (dt.date(2031, 9, 1), dt.date(2032, 8, 31)))


# --- Elision: « d'Emma », « d'Inès », never « de Emma » -----------------------------------------------------


class ElisionTests(SimpleTestCase):
    def test_the_rule(self):
        with translation.override("fr"):
            for name, expected in [
                ("Lucas", "de Lucas"),
                ("Emma", "d'Emma"),
                ("Inès", "d'Inès"),
                ("Émilie Durand", "d'Émilie Durand"),
                ("Hugo", "d'Hugo"),  # a mute h listed
                ("Hamid", "de Hamid"),  # any other h is left alone
                ("Yves", "d'Yves"),
                ("Yanis", "de Yanis"),
                ("Anglais", "d'Anglais"),
                ("août 2027", "d'août 2027"),
                ("3e A", "de 3e A"),
                ("onze", "de onze"),
            ]:
                self.assertEqual(french.de(name), expected, name)
            self.assertEqual(french.de(""), "")

    def test_another_language_keeps_the_name_for_its_own_grammar(self):
        with translation.override("en"):
            self.assertEqual(french.de("Emma"), "Emma")

    def test_the_template_filter(self):
        with translation.override("fr"):
            rendered = Template(
                "{% load i18n %}{% blocktranslate with name=n|de %}Dossier {{ name }}{% endblocktranslate %}"
            )
            # the name stays escaped (it is data), the apostrophe with it
            self.assertEqual(rendered.render(Context({"n": "Inès"})), "Dossier d&#x27;Inès")


class ElisionPageTests(PersonaTestCase):
    """The personas whose first names start with a vowel, Inès and Emma, read right on the pages naming them."""

    def assertElided(self, response, right: str, wrong: str):
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, right.replace("'", "&#x27;"))
        self.assertNotContains(response, wrong)

    def test_the_cpe_opens_ines_file(self):
        self.login("nadia.petit")
        response = self.client.get(reverse("attendance:student", args=[self.people["ines.girard"].pk]))
        self.assertElided(response, "Dossier d'Inès Girard", "de Inès")

    def test_her_father_reads_her_absences(self):
        self.login("thomas.girard")
        self.assertElided(self.client.get(reverse("attendance:family")), "Absences et retards d'Inès", "de Inès")

    def test_the_teacher_opens_ines_timetable(self):
        self.login("sophie.bernard")
        response = self.client.get(reverse("timetable:student", args=[self.people["ines.girard"].pk]))
        self.assertElided(response, "Emploi du temps d'Inès Girard", "de Inès")


# --- Role titles by gender where it is known -----------------------------------------------------------------


class RoleTitleTests(PersonaTestCase):
    """« Enseignante », « Administratrice ENT » for a woman; the usual form for a man or an unknown gender."""

    def test_the_function(self):
        sophie, paul, lucas = (self.people[u] for u in ("sophie.bernard", "paul.dupont", "lucas.martin"))
        unknown = User(username="x", title="")
        with translation.override("fr"):
            self.assertEqual(role_title(Role.TEACHER, sophie), "Enseignante")
            self.assertEqual(role_title(Role.TEACHER, paul), "Enseignant")
            self.assertEqual(role_title(Role.TEACHER, unknown), "Enseignant")
            self.assertEqual(role_title(Role.ESTABLISHMENT_ADMIN, self.people["julie.moreau"]), "Administratrice ENT")
            self.assertEqual(role_title(Role.GUARDIAN, self.people["claire.martin"]), "Responsable légale")
            self.assertEqual(role_title(Role.GUARDIAN, self.people["thomas.girard"]), "Responsable légal")
            self.assertEqual(role_title(Role.STUDENT, lucas), "Élève")
            self.assertEqual(role_title(Role.EDUCATION, self.people["nadia.petit"]), "Vie scolaire")
        with translation.override("en"):
            self.assertEqual(role_title(Role.TEACHER, sophie), "Teacher")

    def test_the_header_and_the_role_switcher_say_enseignante(self):
        self.login("sophie.bernard")
        page = self.client.get(reverse("dashboard:home")).content.decode()
        self.assertRegex(page, r'<span class="who-role">Enseignante ·')
        self.assertRegex(page, r"<option [^>]*>Enseignante — Collège")
        self.assertRegex(page, r"<option [^>]*>Responsable légale — Collège")

    def test_a_man_and_a_person_without_civility_keep_the_usual_form(self):
        self.login("paul.dupont")
        self.assertContains(self.client.get(reverse("dashboard:home")), '<span class="who-role">Enseignant ·')
        self.login("lucas.martin")
        self.assertContains(self.client.get(reverse("dashboard:home")), '<span class="who-role">Élève ·')

    def test_the_annuaire_gives_a_woman_without_a_job_title_her_title(self):
        julie = self.people["julie.moreau"]
        julie.memberships.update(job_title="")
        self.login("marc.leroy")
        response = self.client.get(reverse("directory:people"), {"q": "Moreau"})
        self.assertRegex(response.content.decode(), r"<td>Administratrice ENT\s*</td>")
        self.assertNotContains(response, "<td>Administrateur ENT</td>")


# --- Rooms: « salle B12 », but « Salle 105 » and « Gymnase » as named ---------------------------------------


class RoomLabelTests(PersonaTestCase):
    def test_the_rule(self):
        with translation.override("fr"):
            for name, label in [
                ("B12", "salle B12"),
                ("105", "salle 105"),
                ("A-204", "salle A-204"),
                ("Salle 105", "Salle 105"),
                ("Salle informatique", "Salle informatique"),
                ("Gymnase", "Gymnase"),
                ("Labo 1", "Labo 1"),
                ("CDI", "CDI"),
                ("", ""),
            ]:
                self.assertEqual(room_label(name), label, name)

    def test_the_week_names_each_room_once(self):
        timetable = build_timetable(self.school)
        Room.objects.filter(pk=timetable["b12"].pk).update(name="Salle 105")
        self.login("lucas.martin")
        response = self.client.get(reverse("timetable:home"), {"semaine": iso_week(MONDAY_A)})
        self.assertContains(response, "Salle 105")
        self.assertNotContains(response, "salle Salle")
        self.assertContains(response, "salle C3")


# --- The admin's task backend speaks French ------------------------------------------------------------------


class TaskAdminTests(PersonaTestCase):
    def test_the_task_results_are_labelled_in_french(self):
        """The app, the model and the columns of django-tasks-db's admin are French (English before)."""
        self.login("admin.region")
        index = self.client.get(reverse("admin:index"))
        self.assertContains(index, "Tâches en arrière-plan")
        self.assertNotContains(index, "Tasks Database Backend")
        DBTaskResult.objects.create(
            args_kwargs={"args": [], "kwargs": {}},
            task_path="cartable.core.tasks.deliver_pending",
            backend_name="default",
            run_after=get_date_max(),  # no delay: the tests' immediate backend accepts no run_after
        )
        changelist = self.client.get(reverse("admin:django_tasks_database_dbtaskresult_changelist"))
        self.assertEqual(changelist.status_code, 200)
        for label in ["Résultats de tâches", "Tâche", "État", "Mise en file le", "Priorité", "File"]:
            self.assertContains(changelist, label)
        for english in ["Task Results", "Task name", "Enqueued at", "Queue name"]:
            self.assertNotContains(changelist, english)


class LatinTests(PersonaTestCase):
    """The Latin group's lessons, marks and log say « Latin », not « Français »."""

    def test_the_latin_lesson_is_labelled_latin(self):
        timetable = build_timetable(self.school)
        self.assertEqual(timetable["latin"].subject.name, "Latin")
        self.login("lucas.martin")
        html = self.client.get(reverse("timetable:home"), {"semaine": iso_week(MONDAY_A)}).content.decode()
        thursday_latin = re.search(
            r'15:45</time>.*?<p class="lesson-subject">([^<]*)</p>\s*<p class="lesson-meta">Latin 5e', html, re.S
        )
        self.assertIsNotNone(thursday_latin)
        self.assertEqual(thursday_latin.group(1), "Latin")
