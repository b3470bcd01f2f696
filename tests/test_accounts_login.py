"""Login safety: throttling without lock-out, one message for every failure, CSRF, sessions and their end."""

import time
from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from cartable.accounts import actions, throttle
from cartable.accounts.middleware import SESSION_AUTH_AT, SESSION_SEEN_AT
from cartable.accounts.models import AccountSession, LoginAttempt
from cartable.core.models import AuditEvent
from tests.support.personas import PersonaTestCase

LOGIN = reverse("accounts:login")
DASHBOARD = reverse("dashboard:home")
INVALID = "Identifiant ou mot de passe incorrect."
THROTTLED = "Trop de tentatives de connexion"


class LoginTestCase(PersonaTestCase):
    def sign_in(self, username="lucas.martin", password="demo", client=None, ip="192.0.2.10"):
        return (client or self.client).post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)

    def travel_past_the_window(self):
        window = settings.CARTABLE_LOGIN_THROTTLE["window_seconds"]
        LoginAttempt.objects.update(at=timezone.now() - timedelta(seconds=window + 1))


class LoginMessageTests(LoginTestCase):
    def test_unknown_login_and_wrong_password_get_the_same_message(self):
        """Nothing tells whether an account exists: same message, same status, the login is kept."""
        for username, password in [("lucas.martin", "wrong"), ("nobody.here", "demo"), ("zoe.fontaine", "x")]:
            with self.subTest(username=username):
                response = self.sign_in(username, password)
                self.assertContains(response, INVALID, status_code=400)
                self.assertContains(response, f'value="{username}"', status_code=400)
                self.assertContains(response, 'role="alert"', status_code=400)
                self.assertNotContains(response, 'value="' + password + '"', status_code=400)

    def test_a_successful_sign_in_gives_a_new_session_id(self):
        """The session id of the anonymous visitor is not reused once signed in (session fixation)."""
        session = self.client.session
        session["visited"] = True
        session.save()
        before = self.client.cookies[settings.SESSION_COOKIE_NAME].value
        response = self.sign_in()
        self.assertRedirects(response, DASHBOARD, fetch_redirect_response=False)
        after = self.client.cookies[settings.SESSION_COOKIE_NAME].value
        self.assertNotEqual(before, after)
        self.assertFalse(Session.objects.filter(session_key=before).exists())
        self.assertEqual(self.client.session["_auth_user_id"], str(self.people["lucas.martin"].pk))

    def test_a_form_without_csrf_token_gets_the_styled_403_page(self):
        """A post without the CSRF token is refused with the site's page, never a stack trace."""
        client = Client(enforce_csrf_checks=True)
        response = client.post(LOGIN, {"username": "lucas.martin", "password": "demo"})
        self.assertContains(response, "Formulaire expiré", status_code=403)
        self.assertContains(response, 'class="site-header"', status_code=403)
        self.assertNotIn("_auth_user_id", client.session)


class ThrottleTests(LoginTestCase):
    def test_repeated_failures_on_one_account_slow_it_down_for_a_while_only(self):
        """5 failures: even the right password waits, with a clear message; after the window it works."""
        for _ in range(5):
            self.assertContains(self.sign_in(password="wrong"), INVALID, status_code=400)
        response = self.sign_in()
        self.assertContains(response, THROTTLED, status_code=400)
        self.assertNotIn("_auth_user_id", self.client.session)
        # Another account from the same address is not affected.
        self.assertEqual(self.sign_in("claire.martin", client=Client()).status_code, 302)

        self.travel_past_the_window()
        self.assertRedirects(self.sign_in(), DASHBOARD, fetch_redirect_response=False)
        self.assertFalse(LoginAttempt.objects.filter(username="lucas.martin").exists())

    @override_settings(CARTABLE_LOGIN_THROTTLE={"window_seconds": 900, "per_account": 5, "per_address": 4})
    def test_many_failures_from_one_address_slow_that_address_down_for_a_while_only(self):
        """Guessing many accounts from one address blocks that address, not the accounts elsewhere."""
        for username in ["a.one", "b.two", "c.three", "d.four"]:
            self.sign_in(username, "guess", ip="198.51.100.7")
        response = self.sign_in("paul.dupont", ip="198.51.100.7")
        self.assertContains(response, THROTTLED, status_code=400)
        # The same account from another address signs in: an attacker cannot lock a person out.
        self.assertEqual(self.sign_in("paul.dupont", client=Client(), ip="203.0.113.5").status_code, 302)
        self.travel_past_the_window()
        self.assertEqual(self.sign_in("paul.dupont", ip="198.51.100.7").status_code, 302)

    def test_guessing_an_account_from_elsewhere_never_refuses_its_owner(self):
        """Fifteen wrong guesses at Lucas's password from one address: he still signs in from his own."""
        for _ in range(15):
            self.sign_in(password="wrong", ip="198.51.100.7")
        self.assertContains(self.sign_in(ip="198.51.100.7"), THROTTLED, status_code=400)
        self.assertRedirects(self.sign_in(client=Client(), ip="203.0.113.5"), DASHBOARD, fetch_redirect_response=False)

    def test_the_wait_doubles_with_each_further_failure(self):
        """Past five failures the pair waits 30 s after the last one, then 60 s after the next, and so on."""

        def age(seconds):
            LoginAttempt.objects.update(at=timezone.now() - timedelta(seconds=seconds))

        for _ in range(5):
            self.sign_in(password="wrong")
        self.assertEqual(throttle.retry_after("lucas.martin", "192.0.2.10"), 30)
        age(31)
        self.assertContains(self.sign_in(password="wrong"), INVALID, status_code=400)  # a sixth failure
        self.assertEqual(throttle.retry_after("lucas.martin", "192.0.2.10"), 60)
        age(45)
        self.assertContains(self.sign_in(), THROTTLED, status_code=400)
        age(61)
        self.assertRedirects(self.sign_in(), DASHBOARD, fetch_redirect_response=False)

    def test_a_school_behind_one_address_is_not_locked_out_by_its_pupils_typos(self):
        """Sixty failures over thirty accounts from the school's one address: the others still sign in."""
        for n in range(30):
            for _ in range(2):
                self.sign_in(f"eleve.{n}", "oubli", ip="192.0.2.99")
        self.assertRedirects(self.sign_in(ip="192.0.2.99"), DASHBOARD, fetch_redirect_response=False)


class SessionExpiryTests(LoginTestCase):
    def signed_in_session(self):
        self.assertEqual(self.sign_in().status_code, 302)
        self.assertEqual(self.client.get(DASHBOARD).status_code, 200)  # stamps the session
        return self.client.session

    def age_session(self, *, auth_ago: float, seen_ago: float) -> None:
        session = self.client.session
        now = time.time()
        session[SESSION_AUTH_AT] = now - auth_ago
        session[SESSION_SEEN_AT] = now - seen_ago
        session.save()

    def test_sessions_end_after_the_idle_time_and_after_the_absolute_lifetime(self):
        """Idle too long, or signed in too long ago: back to the login page with a message."""
        idle = settings.CARTABLE_SESSION_IDLE_SECONDS
        absolute = settings.CARTABLE_SESSION_ABSOLUTE_SECONDS
        for case, auth_ago, seen_ago, expired in [
            ("active", 60, 30, False),
            ("idle just under the limit", idle, idle - 60, False),
            ("idle too long", idle + 60, idle + 60, True),
            ("active but signed in too long ago", absolute + 60, 10, True),
        ]:
            with self.subTest(case=case):
                self.client = Client()
                self.signed_in_session()
                self.age_session(auth_ago=auth_ago, seen_ago=seen_ago)
                response = self.client.get(DASHBOARD)
                if expired:
                    self.assertRedirects(response, f"{LOGIN}?next=/", fetch_redirect_response=False)
                    page = self.client.get(LOGIN)
                    self.assertContains(page, "Votre session a expiré")
                    self.assertNotIn("_auth_user_id", self.client.session)
                else:
                    self.assertEqual(response.status_code, 200)


class DisabledAccountTests(LoginTestCase):
    def test_disabling_an_account_ends_all_its_sessions_at_once(self):
        """Both of Lucas's devices are signed out at once, and his password no longer works."""
        lucas = self.people["lucas.martin"]
        phone, laptop = Client(), Client()
        self.sign_in(client=phone)
        self.sign_in(client=laptop)
        keys = {phone.session.session_key, laptop.session.session_key}
        self.assertEqual(set(AccountSession.objects.filter(user=lucas).values_list("session_key", flat=True)), keys)

        ended = actions.deactivate_account(actor=self.actor("julie.moreau"), user=lucas)

        self.assertEqual(ended, 2)
        self.assertFalse(Session.objects.filter(session_key__in=keys).exists())
        self.assertFalse(AccountSession.objects.filter(user=lucas).exists())
        for device in (phone, laptop):
            self.assertRedirects(device.get(DASHBOARD), f"{LOGIN}?next=/", fetch_redirect_response=False)
        self.assertContains(self.sign_in(), INVALID, status_code=400)
        event = AuditEvent.objects.get(verb="accounts.deactivate", subject_id=lucas.pk)
        self.assertEqual(event.actor_id, self.people["julie.moreau"].pk)

    def test_signing_out_forgets_the_session(self):
        """The session list holds only open sessions: signing out removes it."""
        self.sign_in()
        key = self.client.session.session_key
        self.assertTrue(AccountSession.objects.filter(session_key=key).exists())
        self.client.post(reverse("accounts:logout"))
        self.assertFalse(AccountSession.objects.filter(session_key=key).exists())
