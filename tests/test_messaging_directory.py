"""Writing to "the maths teacher of Lucas": the picker and the annuaire say what each teacher teaches,
find teachers by subject, and the annuaire offers « Écrire » exactly where the rules allow it."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cartable.demo.personas import member, person, teach
from cartable.directory.queries import subjects_named
from tests.support.personas import PersonaTestCase

HTMX = {"HX-Request": "true"}


class PickerBySubjectTests(PersonaTestCase):
    def picker(self, q: str) -> str:
        response = self.client.get(reverse("messaging:picker"), {"q": q}, headers=HTMX)
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def test_a_parent_finds_the_maths_teacher_by_subject_whatever_the_accents_and_case(self):
        """claire.martin types « maths », « Mathématiques », « MATHEMATIQUES » or « math »: Paul Dupont comes,
        with what he teaches, and she may tick him; the French teacher and the other school's do not."""
        self.login("claire.martin")
        paul = self.people["paul.dupont"].pk
        for q in ("maths", "Mathématiques", "MATHEMATIQUES", "math", "mathematique"):
            with self.subTest(q=q):
                html = self.picker(q)
                self.assertIn(f'value="u:{paul}"', html)
                self.assertIn("Mathématiques — 2nde GT 1, 5e A", html)
                self.assertNotIn("Sophie Bernard", html)
                self.assertNotIn("Charlie Roux", html)

    def test_a_subject_and_a_name_narrow_each_other(self):
        """« français bernard » finds Sophie Bernard (French to 4e B and 5e A); « maths bernard » nobody."""
        self.login("claire.martin")
        html = self.picker("français bernard")
        self.assertIn("Sophie Bernard", html)
        self.assertIn("Français — 4e B, 5e A", html)
        self.assertNotIn("Sophie Bernard", self.picker("maths bernard"))

    def test_short_or_unrelated_words_name_no_subject(self):
        """Two letters that are no subject's code name nothing; a code names its subject."""
        college = self.school.college.establishment.pk
        named = subjects_named([college], ["ma", "xyz", "math", "fra"])
        self.assertEqual(named["ma"], [])
        self.assertEqual(named["xyz"], [])
        self.assertEqual(len(named["math"]), 1)
        self.assertEqual(len(named["fra"]), 1)

    def test_the_picker_shows_no_one_the_annuaire_hides_when_searching_by_subject(self):
        """A student searching « maths » finds his teacher; the subject opens no window on other families."""
        self.login("lucas.martin")
        html = self.picker("maths")
        self.assertIn("Paul Dupont", html)
        self.assertNotIn("Inès Girard", html)

    def test_the_picker_costs_the_same_for_2_or_40_maths_teachers(self):
        """Searching by subject costs a fixed number of queries, however many teachers match."""
        self.login("claire.martin")
        self.picker("maths")  # warm the session
        with CaptureQueriesContext(connection) as before:
            self.picker("maths")
        kit = self.school.college
        for i in range(38):
            teacher = person(f"prof.maths{i}", "Prof", f"Maths{i:02}")
            member(teacher, kit, "teacher")
            teach(teacher, kit, "MATH", school_class=kit.classes["4e B"])
        with CaptureQueriesContext(connection) as after:
            html = self.picker("maths")
        self.assertIn("Maths00", html)
        self.assertEqual(len(after), len(before))
        self.assertEqual(len(before), PICKER_SEARCH_QUERIES)


# A picker search by the htmx fragment, for a guardian: the session, the person, their memberships (3); her
# children, where they are enrolled and the classes offered as groups (3); the subjects the words name (1);
# the people found (1); the rules' facts and rules (7); what the people found teach (1).
PICKER_SEARCH_QUERIES = 16


class AnnuaireTests(PersonaTestCase):
    def annuaire(self, username: str, q: str = "") -> str:
        self.login(username)
        response = self.client.get(reverse("directory:people"), {"q": q} if q else {})
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def row(self, html: str, name: str) -> str:
        found = re.search(r"<tr>\s*<td>(?:M\.|Mme)? ?" + re.escape(name) + r"</td>(.*?)</tr>", html, re.S)
        self.assertIsNotNone(found, f"{name} is not in the annuaire")
        return found.group(1)

    def test_the_annuaire_shows_what_each_teacher_teaches_here(self):
        """At the collège, Paul Dupont teaches maths to 5e A (his lycée class is not the collège's business)."""
        html = self.annuaire("claire.martin")
        self.assertIn("Mathématiques — 5e A", self.row(html, "Paul Dupont"))
        self.assertNotIn("2nde GT 1", self.row(html, "Paul Dupont"))
        sophie = self.row(html, "Sophie Bernard")
        self.assertIn("Français — 4e B, 5e A", sophie)
        self.assertIn("Latin 5e", sophie)  # a group, after the classes (whatever subject the Latin group is)

    def test_searching_the_annuaire_by_subject(self):
        """« maths » in the annuaire finds the maths teacher and not the others."""
        html = self.annuaire("claire.martin", "maths")
        self.assertIn("Paul Dupont", html)
        self.assertNotIn("Sophie Bernard", html)
        self.assertNotIn("Marc Leroy", html)

    def test_write_links_follow_the_communication_rules(self):
        """claire.martin may write to her son's teachers, the vie scolaire and the direction (« Écrire »
        pre-fills the recipient), not to the ENT administrator (no link); a teacher writes to everyone here."""
        html = self.annuaire("claire.martin")
        compose = reverse("messaging:compose")
        for name, username in [
            ("Paul Dupont", "paul.dupont"),
            ("Nadia Petit", "nadia.petit"),
            ("Marc Leroy", "marc.leroy"),
        ]:
            with self.subTest(name=name):
                self.assertIn(f'href="{compose}?a={self.people[username].pk}"', self.row(html, name))
        self.assertNotIn("Écrire", self.row(html, "Julie Moreau"))
        teacher = self.annuaire("paul.dupont")
        self.assertIn("Écrire", self.row(teacher, "Julie Moreau"))
        self.assertIn("Écrire", self.row(teacher, "Lucas Martin"))

    def test_the_write_link_opens_the_form_with_the_recipient_ticked(self):
        """Following « Écrire » beside Paul Dupont opens the form with him chosen."""
        self.login("claire.martin")
        paul = self.people["paul.dupont"].pk
        response = self.client.get(reverse("messaging:compose"), {"a": paul})
        self.assertContains(response, f'value="u:{paul}" id="to-1" checked')

    def test_no_write_link_when_messaging_is_off(self):
        """With the messaging switched off, the annuaire offers no « Écrire »."""
        establishment = self.school.college.establishment
        establishment.module_settings = {**establishment.module_settings, "messaging": False}
        establishment.save()
        self.assertNotIn("Écrire", self.annuaire("claire.martin"))
