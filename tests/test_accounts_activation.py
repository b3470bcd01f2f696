"""Activation of a provisioned account: one-time code, chosen password, charters, welcome notice."""

import hashlib
import re
from datetime import timedelta
from io import StringIO

from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from cartable.accounts import actions, charters
from cartable.accounts.activation import ActivationError
from cartable.accounts.models import ActivationCode, Charter, LoginAttempt
from cartable.core.models import AuditEvent, Delivery, Notification
from tests.support.personas import PersonaTestCase

ACTIVATE = reverse("accounts:activate")
CHOOSE_PASSWORD = reverse("accounts:activate_password")
CODE_FORMAT = re.compile(r"^[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$")
PASSPHRASE = "un cartable bien rangé dans la cour"
WRONG_CODE = "ABCD-EFGH-JKLM"


class ActivationTestCase(PersonaTestCase):
    def setUp(self):
        self.zoe = self.people["zoe.fontaine"]
        # The current charters are cached per process: start and end every test with a clean slate.
        charters.forget_current()
        self.addCleanup(charters.forget_current)

    def issue(self, username="zoe.fontaine", **kwargs) -> str:
        return actions.issue_activation_code(actor=None, user=self.people[username], **kwargs)

    def enter_code(self, code, username="zoe.fontaine"):
        return self.client.post(ACTIVATE, {"username": username, "code": code})

    def choose_password(self, password1=PASSPHRASE, password2=None):
        return self.client.post(CHOOSE_PASSWORD, {"new_password1": password1, "new_password2": password2 or password1})


class IssueCodeTests(ActivationTestCase):
    def test_a_code_is_easy_to_read_and_only_its_hash_is_stored(self):
        """Three groups of four unambiguous characters; the database keeps only a sha256 hash."""
        code = self.issue()
        self.assertRegex(code, CODE_FORMAT)
        row = ActivationCode.objects.get(user=self.zoe)
        self.assertEqual(row.code_hash, hashlib.sha256(code.replace("-", "").encode()).hexdigest())
        self.assertNotIn(code.replace("-", ""), row.code_hash)
        self.assertAlmostEqual(row.expires_at, timezone.now() + timedelta(days=30), delta=timedelta(minutes=1))
        self.assertTrue(
            AuditEvent.objects.filter(verb="accounts.issue_activation_code", subject_id=self.zoe.pk).exists()
        )

    def test_a_new_code_replaces_the_previous_unused_one(self):
        """Only the last code handed out works; the old one gets a message saying it was replaced."""
        old = self.issue()
        new = self.issue()
        response = self.enter_code(old)
        self.assertContains(response, "remplacé par un code plus récent", status_code=400)
        response = self.enter_code(new)
        self.assertRedirects(response, CHOOSE_PASSWORD, fetch_redirect_response=False)

    def test_the_command_prints_a_working_code(self):
        """``cartable activation_code zoe.fontaine`` prints a code that activates Zoé's account."""
        out = StringIO()
        call_command("activation_code", "zoe.fontaine", stdout=out, stderr=StringIO())
        code = out.getvalue().strip()
        self.assertRegex(code, CODE_FORMAT)
        self.assertRedirects(self.enter_code(code), CHOOSE_PASSWORD, fetch_redirect_response=False)

    def test_the_command_refuses_an_unknown_login(self):
        """An unknown login is a clear command error, not a stack trace."""
        with self.assertRaisesMessage(CommandError, "nobody.here"):
            call_command("activation_code", "nobody.here", stdout=StringIO(), stderr=StringIO())


class ActivationFlowTests(ActivationTestCase):
    def test_a_provisioned_person_activates_accepts_the_charters_and_is_in(self):
        """Code, password, charters, dashboard: the account is activated, audited and welcomed by e-mail."""
        actions.publish_charter(actor=None, kind=Charter.Kind.USAGE, title="Charte d'utilisation", body="…")
        actions.publish_charter(actor=None, kind=Charter.Kind.PRIVACY, title="Confidentialité", body="…")
        code = self.issue()

        page = self.client.get(ACTIVATE)
        self.assertContains(page, 'id="id_username"')
        self.assertContains(page, 'id="id_code"')

        self.assertRedirects(self.enter_code(code.lower().replace("-", " ")), CHOOSE_PASSWORD)
        page = self.client.get(CHOOSE_PASSWORD)
        self.assertContains(page, "Au moins 12 caractères. Une phrase de passe est une bonne idée.")
        self.assertContains(page, 'autocomplete="new-password"', count=2)

        with self.captureOnCommitCallbacks(execute=True):
            response = self.choose_password()
        self.assertRedirects(response, reverse("dashboard:home"), fetch_redirect_response=False)

        self.zoe.refresh_from_db()
        self.assertIsNotNone(self.zoe.activated_at)
        self.assertTrue(self.zoe.check_password(PASSPHRASE))
        self.assertIsNotNone(ActivationCode.objects.get(user=self.zoe).used_at)
        self.assertTrue(AuditEvent.objects.filter(verb="accounts.activate", subject_id=self.zoe.pk).exists())
        self.assertTrue(Notification.objects.filter(recipient=self.zoe, kind="accounts.welcome").exists())
        self.assertEqual(Delivery.objects.get(notification__recipient=self.zoe).status, Delivery.Status.SENT)
        self.assertEqual([m.to for m in mail.outbox], [[self.zoe.email]])

        # Signed in, and sent to the charters before anything else.
        response = self.client.get(reverse("dashboard:home"))
        self.assertRedirects(response, reverse("accounts:charters") + "?next=/", fetch_redirect_response=False)
        pending = list(Charter.objects.all())
        response = self.client.post(reverse("accounts:charters"), {"accept": [c.pk for c in pending], "next": "/"})
        self.assertRedirects(response, "/", fetch_redirect_response=False)
        self.assertContains(self.client.get("/"), "Zoé Fontaine")

        # The code is spent: it cannot activate the account again.
        self.client.logout()
        self.assertContains(self.enter_code(code), "déjà été utilisé", status_code=400)

    def test_a_new_charter_version_must_be_accepted_again(self):
        """Publishing version 2 of the usage charter sends everybody back to accept it."""
        v1 = actions.publish_charter(actor=None, kind=Charter.Kind.USAGE, title="Charte", body="v1")
        lucas = self.people["lucas.martin"]
        actions.accept_charters(actor=None, user=lucas, charters=[v1])
        self.login("lucas.martin")
        self.assertEqual(self.client.get("/").status_code, 200)

        with self.captureOnCommitCallbacks(execute=True):
            v2 = actions.publish_charter(actor=None, kind=Charter.Kind.USAGE, title="Charte", body="v2")
        self.assertEqual(v2.version, 2)
        response = self.client.get("/")
        self.assertRedirects(response, reverse("accounts:charters") + "?next=/", fetch_redirect_response=False)
        page = self.client.get(reverse("accounts:charters"))
        self.assertContains(page, "version 2")
        self.assertNotContains(page, "version 1")
        self.client.post(reverse("accounts:charters"), {"accept": [v2.pk]})
        self.assertEqual(self.client.get("/").status_code, 200)

    def test_long_passphrases_are_accepted(self):
        """A 200-character passphrase with spaces and accents is a fine password."""
        self.enter_code(self.issue())
        passphrase = "le héron au long bec emmanché d'un long cou " * 5
        response = self.choose_password(passphrase)
        self.assertEqual(response.status_code, 302)
        self.zoe.refresh_from_db()
        self.assertTrue(self.zoe.check_password(passphrase))

    def test_weak_passwords_are_refused_with_a_clear_message(self):
        """Too short, too common or not typed twice the same: a French message, nothing activated."""
        self.enter_code(self.issue())
        for password1, password2, message in [
            ("court", "court", "trop court"),
            ("telechargement", "telechargement", "trop courant"),
            (PASSPHRASE, PASSPHRASE + "!", "ne sont pas identiques"),
        ]:
            with self.subTest(password1=password1, password2=password2):
                response = self.choose_password(password1, password2)
                self.assertContains(response, message, status_code=400)
                self.assertContains(response, 'role="alert"', status_code=400)
                self.assertContains(response, 'aria-invalid="true"', status_code=400)
        self.zoe.refresh_from_db()
        self.assertIsNone(self.zoe.activated_at)
        self.assertFalse(self.zoe.has_usable_password())

    def test_choosing_a_password_needs_the_code_first(self):
        """The second step without the first sends the visitor back to the code page."""
        response = self.client.get(CHOOSE_PASSWORD)
        self.assertRedirects(response, ACTIVATE, fetch_redirect_response=False)
        response = self.choose_password()
        self.assertRedirects(response, ACTIVATE, fetch_redirect_response=False)

    def test_a_code_spent_in_another_tab_is_refused_at_the_second_step(self):
        """If the code was used meanwhile, the password step says so and activates nothing twice."""
        code = self.issue()
        self.enter_code(code)
        row = ActivationCode.objects.get(user=self.zoe)
        actions.activate_account(user=self.zoe, code=row, password=PASSPHRASE)
        response = self.choose_password("une autre phrase de passe")
        self.assertRedirects(response, ACTIVATE, fetch_redirect_response=False)
        self.assertContains(self.client.get(ACTIVATE), "déjà été utilisé")
        with self.assertRaises(ActivationError):
            actions.activate_account(user=self.zoe, code=row, password=PASSPHRASE)

    def test_a_signed_in_person_does_not_see_the_activation_page(self):
        """The activation page sends a signed-in person on to the dashboard."""
        self.login("lucas.martin")
        self.assertRedirects(self.client.get(ACTIVATE), "/", fetch_redirect_response=False)


class BadCodeTests(ActivationTestCase):
    def test_each_bad_code_gets_its_message_without_revealing_accounts(self):
        """Unknown login and wrong code read the same; expired and used are told once the code matched."""
        code = self.issue()
        lucas_code = self.issue("lucas.martin")
        invalid = escape("Identifiant ou code d'activation incorrect.")
        for case, username, typed, prepare, message in [
            ("unknown login", "personne.inconnue", code, None, invalid),
            ("wrong code", "zoe.fontaine", WRONG_CODE, None, invalid),
            ("malformed code", "zoe.fontaine", "1234", None, invalid),
            ("somebody else's code", "zoe.fontaine", lucas_code, None, invalid),
            ("expired", "zoe.fontaine", code, {"expires_at": timezone.now() - timedelta(days=1)}, "a expiré"),
            ("used", "zoe.fontaine", code, {"used_at": timezone.now()}, "déjà été utilisé"),
        ]:
            with self.subTest(case=case):
                LoginAttempt.objects.all().delete()
                if prepare:
                    ActivationCode.objects.filter(user=self.zoe).update(**prepare)
                response = self.enter_code(typed, username=username)
                self.assertContains(response, message, status_code=400)
                self.assertContains(response, f'value="{username}"', status_code=400)  # the login is kept
                self.assertContains(response, 'role="alert"', status_code=400)

    def test_activation_attempts_are_throttled_then_allowed_again(self):
        """After 5 wrong codes even the right one waits; after the window it works, nobody is locked out."""
        code = self.issue()
        for _ in range(5):
            self.enter_code(WRONG_CODE)
        response = self.enter_code(code)
        self.assertContains(response, "Trop de tentatives", status_code=400)
        self.assertNotIn("cartable.activation", self.client.session)
        LoginAttempt.objects.update(at=timezone.now() - timedelta(minutes=16))
        self.assertRedirects(self.enter_code(code), CHOOSE_PASSWORD, fetch_redirect_response=False)
