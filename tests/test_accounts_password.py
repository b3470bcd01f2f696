"""Password change (signed in) and password reset by e-mail (signed out)."""

import re
from datetime import timedelta

from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from cartable.accounts.models import AccountSession
from cartable.core.models import AuditEvent
from tests.support.personas import PersonaTestCase

CHANGE = reverse("accounts:password_change")
RESET = reverse("accounts:password_reset")
RESET_DONE = reverse("accounts:password_reset_done")
LOGIN = reverse("accounts:login")
NEW = "une nouvelle phrase de passe"


class PasswordChangeTests(PersonaTestCase):
    def change(self, old="demo", new1=NEW, new2=None, client=None):
        return (client or self.client).post(
            CHANGE, {"old_password": old, "new_password1": new1, "new_password2": new2 or new1}
        )

    def test_the_page_shows_the_fields_and_the_rules(self):
        """Three labelled fields, the password rules as help text, the right autocomplete hints."""
        self.login("lucas.martin")
        page = self.client.get(CHANGE)
        for field_id in ["id_old_password", "id_new_password1", "id_new_password2"]:
            self.assertContains(page, f'<label for="{field_id}">')
        self.assertContains(page, "Au moins 12 caractères. Une phrase de passe est une bonne idée.")
        self.assertContains(page, 'autocomplete="current-password"')
        self.assertContains(page, 'autocomplete="new-password"', count=2)

    def test_a_person_changes_their_password_and_stays_signed_in(self):
        """The new password works, the change is audited, this session stays, the others end."""
        lucas = self.people["lucas.martin"]
        other_device = Client()
        other_device.force_login(lucas)
        self.client.post(LOGIN, {"username": "lucas.martin", "password": "demo"})

        response = self.change()
        self.assertRedirects(response, CHANGE, fetch_redirect_response=False)
        page = self.client.get(CHANGE)
        self.assertContains(page, escape("Votre mot de passe a été changé."))
        self.assertEqual(self.client.get("/").status_code, 200)  # still signed in here
        # The session got a new key: the list of open sessions follows it.
        self.assertTrue(AccountSession.objects.filter(session_key=self.client.session.session_key).exists())
        self.assertRedirects(other_device.get("/"), f"{LOGIN}?next=/", fetch_redirect_response=False)

        lucas.refresh_from_db()
        self.assertTrue(lucas.check_password(NEW))
        event = AuditEvent.objects.get(verb="accounts.password_change")
        self.assertEqual((event.actor_id, event.subject_id), (lucas.pk, lucas.pk))

    def test_bad_input_gets_a_clear_message_and_changes_nothing(self):
        """Wrong current password, weak or mismatched new one: 400 with a French message."""
        self.login("lucas.martin")
        for case, kwargs, message in [
            ("wrong current password", {"old": "nope"}, "Le mot de passe actuel est incorrect."),
            ("too short", {"new1": "court"}, "trop court"),
            ("too common", {"new1": "qwerty123456"}, "trop courant"),
            ("too close to the login", {"new1": "lucas.martin1"}, "trop semblable"),
            ("mismatch", {"new2": NEW + "?"}, "ne sont pas identiques"),
        ]:
            with self.subTest(case=case):
                response = self.change(**kwargs)
                self.assertContains(response, message, status_code=400)
                self.assertContains(response, 'role="alert"', status_code=400)
        self.assertTrue(self.people["lucas.martin"].check_password("demo"))
        self.assertFalse(AuditEvent.objects.filter(verb="accounts.password_change").exists())

    def test_keyboard_walks_runs_years_and_names_are_refused_with_what_was_found(self):
        """« azerty123456 » and its kin are the first guesses in France: refused, naming the pattern, with
        « identifiant » as the interface says; a phrase of unrelated words is accepted."""
        self.login("lucas.martin")
        for password, shown in [
            ("azerty123456", "« azerty », « 123456 »"),
            ("qsdfghjklm12", "« qsdfghjklm »"),
            ("aqwzsxedcrfv", "« aqwzsxedcrfv »"),
            ("motdepasse2026", "« motdepasse », « 2026 »"),
            ("Lucas.Martin2012", "« lucas »"),
        ]:
            with self.subTest(password=password):
                response = self.change(new1=password, new2=password)
                self.assertContains(response, "trop facile à deviner", status_code=400)
                self.assertContains(response, escape(shown), status_code=400)
        response = self.change(new1="lucas.martin1", new2="lucas.martin1")
        self.assertContains(response, "trop semblable au champ «\xa0identifiant\xa0»", status_code=400)
        self.assertNotContains(response, "nom d’utilisateur", status_code=400)
        self.assertTrue(self.people["lucas.martin"].check_password("demo"))
        response = self.change(new1="girafe parapluie cerise", new2="girafe parapluie cerise")
        self.assertEqual(response.status_code, 302)

    def test_the_page_needs_a_signed_in_person(self):
        """An anonymous visitor is sent to the login page."""
        response = self.client.get(CHANGE)
        self.assertRedirects(response, f"{LOGIN}?next={CHANGE}", fetch_redirect_response=False)


class PasswordResetTests(PersonaTestCase):
    def request_link(self, email):
        return self.client.post(RESET, {"email": email})

    def link_in(self, message) -> str:
        match = re.search(r"https?://[^/\s]+(/comptes/mot-de-passe-oublie/[^\s]+/)", message.body)
        self.assertIsNotNone(match, message.body)
        return match.group(1)

    def test_the_answer_is_the_same_whether_the_address_exists_or_not(self):
        """Known, unknown, not activated: the same page; only the known activated account gets a mail."""
        pages = []
        for email in ["lucas.martin@example.org", "personne@example.org", "zoe.fontaine@example.org"]:
            with self.subTest(email=email):
                response = self.request_link(email)
                self.assertRedirects(response, RESET_DONE, fetch_redirect_response=False)
                page = self.client.get(RESET_DONE).content.decode()
                pages.append(page[page.index("<main") : page.index("</main>")])
        self.assertEqual(len(set(pages)), 1)
        self.assertEqual([m.to for m in mail.outbox], [["lucas.martin@example.org"]])

    def test_reset_mails_to_one_address_are_limited_without_telling(self):
        """A flood of requests for one address sends three mails an hour; the page answers the same."""
        for _ in range(6):
            response = self.request_link("lucas.martin@example.org")
            self.assertRedirects(response, RESET_DONE, fetch_redirect_response=False)
        self.assertEqual(len(mail.outbox), 3)
        self.request_link("claire.martin@example.org")
        self.assertEqual(len(mail.outbox), 4)

    def test_the_reset_limit_is_counted_in_the_database_for_every_process(self):
        """The count lives in the database: another server process (its own memory cache emptied) sees the
        requests already made, and an hour later the address may ask again."""
        from django.core.cache import cache

        from cartable.accounts.models import ResetMailRequest

        for _ in range(3):
            self.request_link("lucas.martin@example.org")
        cache.clear()  # what another process, with its own memory, would start from
        self.request_link("lucas.martin@example.org")
        self.assertEqual(len(mail.outbox), 3)
        self.assertFalse(ResetMailRequest.objects.filter(email_digest__contains="@").exists())
        ResetMailRequest.objects.update(at=timezone.now() - timedelta(hours=1, seconds=1))
        self.request_link("lucas.martin@example.org")
        self.assertEqual(len(mail.outbox), 4)

    def test_a_person_resets_their_password_with_the_mailed_link(self):
        """The link leads to a form; the new password works; the reset is audited; the link is spent."""
        lucas = self.people["lucas.martin"]
        self.request_link("Lucas.Martin@example.org")
        message = mail.outbox[0]
        self.assertIn("Cartable", message.subject)
        self.assertIn("Bonjour Lucas Martin", message.body)
        self.assertIn("lucas.martin", message.body)
        link = self.link_in(message)

        response = self.client.get(link)
        form_url = response.url
        self.assertTrue(form_url.endswith("/nouveau/"))  # the token leaves the address bar
        page = self.client.get(form_url)
        self.assertContains(page, 'id="id_new_password1"')
        self.assertContains(page, 'id="id_new_password2"')

        response = self.client.post(form_url, {"new_password1": "court", "new_password2": "court"})
        self.assertContains(response, "trop court", status_code=400)
        response = self.client.post(form_url, {"new_password1": NEW, "new_password2": NEW})
        self.assertRedirects(response, LOGIN, fetch_redirect_response=False)
        self.assertContains(self.client.get(LOGIN), "Vous pouvez maintenant vous connecter")

        lucas.refresh_from_db()
        self.assertTrue(lucas.check_password(NEW))
        self.assertTrue(AuditEvent.objects.filter(verb="accounts.password_reset", subject_id=lucas.pk).exists())
        response = self.client.get(link)
        self.assertContains(response, "Lien non valable", status_code=400)

    def test_a_bad_address_is_refused_and_kept(self):
        """An address that is not one: a French message, the typed text kept, no mail."""
        response = self.request_link("lucas.martin@")
        self.assertContains(response, "adresse électronique valide", status_code=400)
        self.assertContains(response, 'value="lucas.martin@"', status_code=400)
        self.assertEqual(mail.outbox, [])

    def test_a_forged_link_shows_a_clear_page(self):
        """A link with a wrong token or an unknown person: the same 'invalid link' page, 400."""
        for link in [
            reverse("accounts:password_reset_confirm", args=["MQ", "abc-123"]),
            reverse("accounts:password_reset_confirm", args=["zzzz", "abc-123"]),
        ]:
            with self.subTest(link=link):
                self.assertContains(self.client.get(link), "Lien non valable", status_code=400)

    def test_a_disabled_account_cannot_use_a_link_sent_before(self):
        """A link mailed before the account was disabled no longer works."""
        lucas = self.people["lucas.martin"]
        self.request_link("lucas.martin@example.org")
        link = self.link_in(mail.outbox[0])
        lucas.is_active = False
        lucas.save()
        self.assertContains(self.client.get(link), "Lien non valable", status_code=400)
