"""The account life cycle fed by the directory: a person whose last membership a delta ends loses their open
sessions at once; the direction or the ENT administrator asks for a class's activation letters, which the
worker builds (one page per person not yet activated, guardians naming their children) while the page shows
their progress, then downloads them; printing again replaces the codes."""

from __future__ import annotations

import datetime as dt
import io
import re

from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from cartable.accounts.activation import ActivationError
from cartable.accounts.models import AccountSession, ActivationCode
from cartable.accounts.queries import matching_activation_code
from cartable.core import authz, dates
from cartable.core.models import AuditEvent
from cartable.directory.models import SchoolClass, User
from cartable.provisioning import actions
from cartable.provisioning.models import LetterBatch
from tests.support import aaf
from tests.support.personas import PersonaTestCase

CODE = re.compile(r"[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}")
# session, person, memberships (with the establishment), the classes with their counts, the batches kept
LETTERS_QUERIES = 5
PROGRESS_QUERIES = 4  # session, person, memberships, the batch with its class


run_files = aaf.run_files
person = aaf.fed_person


def pages_of(pdf: bytes) -> list[str]:
    """Each page's text, its spaces folded (reportlab's table cells come out one per line)."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


class LeavingTests(TestCase):
    def test_a_delete_request_ends_the_last_membership_and_closes_the_sessions(self):
        """Yann, the secretary, leaves in the delta (``deleteRequest``): his session ends at once; Chloé, who
        only changes class, stays signed in."""
        run_files(aaf.complete_set())
        yann, chloe = person("S1"), person("E1")
        self.client.force_login(yann)
        other = self.client_class()
        other.force_login(chloe)
        self.assertEqual(AccountSession.objects.filter(user__in=[yann, chloe]).count(), 2)
        run, _plan = run_files(aaf.delta_set())
        self.assertEqual(run.outcome, "applied", run.errors)
        self.assertFalse(AccountSession.objects.filter(user=yann).exists())
        self.assertTrue(AccountSession.objects.filter(user=chloe).exists())
        self.assertEqual(self.client.get(reverse("dashboard:home")).status_code, 302)  # signed out
        self.assertEqual(other.get(reverse("dashboard:home")).status_code, 200)
        event = AuditEvent.objects.get(verb="accounts.end_sessions_of")
        self.assertEqual(
            (event.subject_id, event.after), (yann.pk, {"ended": 1, "reason": f"provisioning.import:{run.pk}"})
        )


class LetterTests(PersonaTestCase):
    """The 5e A's letters: Zoé (a student who never activated her account) and Claire Martin (a legal
    guardian, made not activated here), naming Lucas, her child in the class; nobody already activated."""

    def setUp(self):
        User.objects.filter(pk=self.people["claire.martin"].pk).update(activated_at=None)
        self.five_a = SchoolClass.objects.get(establishment=self.school.college.establishment, name="5e A")

    def ask(self, username: str = "julie.moreau"):
        """Ask for the 5e A's letters as ``username``; the worker's task runs once the request commits."""
        self.login(username)
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(reverse("provisioning:print_letters", args=[self.five_a.pk]))

    def print(self, username: str = "julie.moreau"):
        """Ask for the letters, then download the PDF the worker built."""
        self.ask(username)
        batch = LetterBatch.objects.filter(requested_by=self.people[username]).latest("pk")
        self.assertEqual(batch.status, LetterBatch.Status.DONE, batch.error)
        return self.client.post(reverse("provisioning:download_letters", args=[batch.pk]))

    def test_who_may_print_the_letters(self):
        """The direction and the ENT administrator of the establishment; nobody else, not even elsewhere."""
        college = self.school.college.establishment
        expected = {
            "julie.moreau": True,
            "marc.leroy": True,
            "paul.dupont": False,
            "nadia.petit": False,
            "lucas.martin": False,
            "claire.martin": False,
            "charlie.roux": False,
        }
        for username, allowed in expected.items():
            with self.subTest(username):
                self.assertEqual(authz.can(self.actor(username), "provisioning.print_letters", college), allowed)
                self.login(username)
                page = self.client.get(reverse("provisioning:letters"))
                self.assertEqual(page.status_code, 200 if allowed else 404)
                with self.captureOnCommitCallbacks(execute=True):
                    response = self.client.post(reverse("provisioning:print_letters", args=[self.five_a.pk]))
                self.assertEqual(response.status_code, 302 if allowed else 404)
        printed = AuditEvent.objects.filter(verb="provisioning.print_letters")
        self.assertEqual(
            sorted(printed.values_list("actor_id", flat=True)),
            sorted([self.people["julie.moreau"].pk, self.people["marc.leroy"].pk]),
        )
        other_class = SchoolClass.objects.get(name="5e 1")
        self.login("julie.moreau")
        self.assertEqual(
            self.client.post(reverse("provisioning:print_letters", args=[other_class.pk])).status_code, 404
        )
        self.assertEqual(self.client.get(reverse("provisioning:print_letters", args=[self.five_a.pk])).status_code, 405)

    def test_one_page_per_person_not_yet_activated_with_login_code_expiry_and_address(self):
        response = self.print()
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertIn("attachment", response["Content-Disposition"])
        zoe_page, claire_page = pages_of(b"".join(response.streaming_content))
        expires = dates.date_long(timezone.localdate() + dt.timedelta(days=actions.LETTER_CODE_DAYS))
        address = "http://localhost:8000/comptes/activation/"
        for page, name, login in (
            (zoe_page, "Zoé Fontaine", "zoe.fontaine"),
            (claire_page, "Claire Martin", "claire.martin"),
        ):
            with self.subTest(login):
                for expected in (
                    name,
                    "5e A",
                    login,
                    expires,
                    address,
                    "1. Dans un navigateur",
                    "3. Choisissez votre mot de passe",
                    self.school.college.establishment.name,
                ):
                    self.assertIn(expected, page)
                code = CODE.search(page).group()
                self.assertEqual(matching_activation_code(username=login, code=code).user.username, login)
        self.assertIn("Votre enfant Lucas Martin", claire_page)
        self.assertNotIn("Emma", claire_page)  # her child at the lycée is not in this class
        self.assertNotIn("Votre enfant", zoe_page)
        event = AuditEvent.objects.get(verb="provisioning.print_letters")
        self.assertEqual(set(event.after["people"]), {self.people["zoe.fontaine"].pk, self.people["claire.martin"].pk})
        self.assertNotIn(CODE.search(zoe_page).group(), str(event.after))
        self.assertFalse(ActivationCode.objects.filter(code_hash__contains="-").exists())  # stored hashed

    def test_printing_again_issues_new_codes_and_the_old_stop_working(self):
        first = CODE.search(pages_of(b"".join(self.print().streaming_content))[0]).group()
        older = LetterBatch.objects.get()
        second = CODE.search(pages_of(b"".join(self.print().streaming_content))[0]).group()
        self.assertNotEqual(first, second)
        with self.assertRaises(ActivationError) as refused:
            matching_activation_code(username="zoe.fontaine", code=first)
        self.assertEqual(refused.exception.reason, "revoked")
        self.assertEqual(matching_activation_code(username="zoe.fontaine", code=second).user.username, "zoe.fontaine")
        # The first PDF, whose codes are dead, is deleted; its batch says so and offers no download.
        older.refresh_from_db()
        self.assertEqual(older.file.name, "")
        self.assertEqual(self.client.post(reverse("provisioning:download_letters", args=[older.pk])).status_code, 404)

    def test_letters_go_after_their_day(self):
        """The PDF holds codes in clear: kept a day, then the batch and its file go (the hourly job); nothing
        more the next time."""
        self.ask()
        batch = LetterBatch.objects.get()
        name = batch.file.name
        self.assertTrue(batch.file.storage.exists(name))
        later = batch.expires_at
        self.assertEqual(actions.purge_expired_letters(now=later - dt.timedelta(minutes=1)), 0)
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(actions.purge_expired_letters(now=later), 1)
        self.assertFalse(LetterBatch.objects.exists())
        self.assertFalse(batch.file.storage.exists(name))
        self.assertEqual(actions.purge_expired_letters(now=later + dt.timedelta(hours=1)), 0)

    def test_the_progress_and_the_download_belong_to_the_requester(self):
        """Julie follows her batch's bar and downloads it (audited); Marc, who may print too, gets the same 404
        as for a forged number; the progress fragment costs the same whatever the class."""
        self.ask()
        batch = LetterBatch.objects.get()
        progress = reverse("provisioning:letter_progress", args=[batch.pk])
        download = reverse("provisioning:download_letters", args=[batch.pk])
        with self.assertNumQueries(PROGRESS_QUERIES):
            page = self.client.get(progress)
        self.assertContains(page, "Prêtes, disponibles jusqu")
        self.assertContains(page, 'max="3" value="3"', html=False)  # the codes, then two pages
        self.assertEqual(self.client.post(download).status_code, 200)
        self.assertTrue(AuditEvent.objects.filter(verb="provisioning.download_letters", target_id=str(batch.pk)))
        self.login("marc.leroy")
        for url in (progress, download, reverse("provisioning:letter_progress", args=[batch.pk + 99])):
            with self.subTest(url):
                response = self.client.post(url) if url == download else self.client.get(url)
                self.assertEqual(response.status_code, 404)

    def test_the_page_lists_the_classes_and_costs_the_same_with_many(self):
        self.login("julie.moreau")
        url = reverse("provisioning:letters")
        page = self.client.get(url)
        self.assertContains(page, "Préparer les lettres")
        self.assertContains(page, '<th scope="row">5e A</th>\n      <td>1</td>', html=False)  # Zoé
        self.assertContains(self.client.get(reverse("dashboard:home")), url)  # the menu entry
        self.login("paul.dupont")
        self.assertNotContains(self.client.get(reverse("dashboard:home")), url)
        self.login("julie.moreau")
        self.client.get(url)  # warm the new session and the menus' caches
        college = self.school.college
        for count in (0, 20):
            SchoolClass.objects.bulk_create(
                [
                    SchoolClass(
                        establishment=college.establishment,
                        school_year=college.year,
                        name=f"6e {count}-{n}",
                        level="6e",
                    )
                    for n in range(count)
                ]
            )
            with self.subTest(classes=count), self.assertNumQueries(LETTERS_QUERIES):
                self.client.get(url)
