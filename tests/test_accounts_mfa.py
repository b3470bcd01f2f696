"""Staff's second factor (TOTP, django-otp): enrolment with recovery codes shown once, the challenge after
the password at every door (Cartable's login page and /cas/login), a reused code refused, failures counted
in the throttle, the region's rule per role, and an administrator's audited reset with its e-mail."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.core import mail
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from cartable.accounts.models import LoginAttempt
from cartable.core.models import AuditEvent
from tests.support.sso import DEMO, SsoTestCase


def code(device: TOTPDevice, step: int = 0) -> str:
    """The application's code for the device's secret, ``step`` periods from now."""
    return f"{TOTP(device.bin_key, drift=step).token():06d}"


class SecondFactorTests(SsoTestCase):
    def enrol(self, username: str) -> tuple[TOTPDevice, list[str]]:
        """Enrol through the pages; the device and the recovery codes the page showed."""
        self.login(username)
        page = self.client.post(reverse("accounts:mfa_security"))
        self.assertContains(page, "otpauth://totp/")
        device = TOTPDevice.objects.get(user=self.people[username], confirmed=False)
        shown = self.client.post(reverse("accounts:mfa_confirm"), {"code": code(device)})
        self.assertContains(shown, "Vos codes de secours")
        codes = list(StaticToken.objects.filter(device__user=self.people[username]).values_list("token", flat=True))
        for one in codes:
            self.assertContains(shown, one)
        self.client.logout()
        device.refresh_from_db()
        return device, codes

    def password(self, username: str, url: str | None = None):
        url = url or reverse("accounts:login")
        return self.client.post(url, {"username": username, "password": "demo"})

    def test_a_teacher_enrols_and_gets_ten_recovery_codes_shown_once(self):
        device, codes = self.enrol("paul.dupont")
        self.assertTrue(device.confirmed)
        self.assertEqual(len(set(codes)), 10)
        self.assertTrue(AuditEvent.objects.filter(verb="accounts.mfa.enrol", subject_id=device.user_id).exists())
        self.login("paul.dupont")
        self.assertNotContains(self.client.get(reverse("accounts:mfa_security")), codes[0])

    def test_a_wrong_first_code_enrols_nothing(self):
        self.login("paul.dupont")
        self.client.post(reverse("accounts:mfa_security"))
        self.client.post(reverse("accounts:mfa_confirm"), {"code": "000000"})
        self.assertFalse(TOTPDevice.objects.filter(confirmed=True).exists())
        self.assertFalse(StaticToken.objects.exists())

    def test_students_and_families_have_no_enrolment(self):
        for who in ("lucas.martin", "claire.martin"):
            self.login(who)
            self.assertEqual(self.client.get(reverse("accounts:mfa_security")).status_code, 404)

    def test_the_code_comes_after_the_password_and_a_reused_code_is_refused(self):
        device, _codes = self.enrol("paul.dupont")
        response = self.password("paul.dupont")
        self.assertEqual(urlsplit(response["Location"]).path, reverse("accounts:mfa_challenge"))
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertEqual(self.client.get(reverse("dashboard:home")).status_code, 302)
        wrong = self.client.post(reverse("accounts:mfa_challenge"), {"code": "123456"})
        self.assertContains(wrong, "Code incorrect", status_code=400)
        self.assertEqual(LoginAttempt.objects.filter(username="paul.dupont").count(), 1)
        good = code(device, step=1)
        response = self.client.post(reverse("accounts:mfa_challenge"), {"code": good})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.client.session["_auth_user_id"], str(device.user_id))
        self.client.logout()
        self.password("paul.dupont")
        again = self.client.post(reverse("accounts:mfa_challenge"), {"code": good})
        self.assertContains(again, "déjà utilisé", status_code=400)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_a_recovery_code_opens_once(self):
        _device, codes = self.enrol("marc.leroy")
        self.password("marc.leroy")
        self.assertEqual(self.client.post(reverse("accounts:mfa_challenge"), {"code": codes[0]}).status_code, 302)
        self.client.logout()
        self.password("marc.leroy")
        self.assertEqual(self.client.post(reverse("accounts:mfa_challenge"), {"code": codes[0]}).status_code, 400)
        self.assertEqual(StaticToken.objects.count(), 9)

    def test_the_challenge_is_throttled(self):
        self.enrol("paul.dupont")
        self.password("paul.dupont")
        for _n in range(5):
            self.client.post(reverse("accounts:mfa_challenge"), {"code": "000000"})
        response = self.client.post(reverse("accounts:mfa_challenge"), {"code": "000001"})
        self.assertContains(response, "Trop de tentatives", status_code=400)

    def test_cas_login_asks_for_the_code_too(self):
        device, _codes = self.enrol("paul.dupont")
        url = reverse("sso:cas_login") + "?service=" + DEMO
        response = self.password("paul.dupont", url)
        self.assertEqual(urlsplit(response["Location"]).path, reverse("accounts:mfa_challenge"))
        back = self.client.post(reverse("accounts:mfa_challenge"), {"code": code(device, step=1)})["Location"]
        self.assertEqual(urlsplit(back).path, reverse("sso:cas_login"))
        self.assertIn("ticket=ST-", self.client.get(back)["Location"])

    def test_the_region_requires_a_factor_of_teachers_before_any_page(self):
        self.login("admin.region")
        response = self.client.post(reverse("accounts:mfa_policy"), {"roles": ["teacher"]})
        self.assertEqual(response.status_code, 302)
        self.assertTrue(AuditEvent.objects.filter(verb="accounts.mfa.policy").exists())
        self.client.logout()
        self.password("paul.dupont")
        response = self.client.get(reverse("dashboard:home"))
        self.assertEqual(urlsplit(response["Location"]).path, reverse("accounts:mfa_security"))
        self.client.post(reverse("accounts:mfa_security"))
        device = TOTPDevice.objects.get(user=self.people["paul.dupont"])
        self.client.post(reverse("accounts:mfa_confirm"), {"code": code(device)})
        self.assertEqual(self.client.get(reverse("dashboard:home")).status_code, 200)
        self.client.logout()
        self.password("lucas.martin")  # students are not concerned
        self.assertEqual(self.client.get(reverse("dashboard:home")).status_code, 200)

    def test_the_ent_admin_resets_a_teachers_factor_audited_and_told_by_mail(self):
        self.enrol("paul.dupont")
        self.people["paul.dupont"].email = "paul.dupont@example.fr"
        self.people["paul.dupont"].save()
        self.login("julie.moreau")
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(reverse("accounts:mfa_reset"), {"username": "paul.dupont"})
        self.assertContains(response, "sont retirés")
        self.assertFalse(TOTPDevice.objects.filter(user=self.people["paul.dupont"]).exists())
        self.assertTrue(
            AuditEvent.objects.filter(verb="accounts.mfa.reset", subject_id=self.people["paul.dupont"].pk).exists()
        )
        self.assertEqual(mail.outbox[-1].to, ["paul.dupont@example.fr"])
        refused = self.client.post(reverse("accounts:mfa_reset"), {"username": "charlie.roux"})
        self.assertContains(refused, "Aucune personne que vous administrez", status_code=400)
        self.login("paul.dupont")
        self.assertEqual(self.client.get(reverse("accounts:mfa_reset")).status_code, 404)

    def test_a_new_teacher_activating_their_account_enrols_first_when_required(self):
        """Activation is a door too: the region's rule applies there as at the login page."""
        from cartable.accounts import actions
        from cartable.demo.personas import member, person

        actions.set_second_factor_roles(actor=self.actor("admin.region"), roles=["teacher"])
        newcomer = person("nouvelle.prof", "Nouvelle", "Prof", password=None)
        member(newcomer, self.school.college, "teacher")
        code = actions.issue_activation_code(actor=None, user=newcomer)
        self.client.post(reverse("accounts:activate"), {"username": "nouvelle.prof", "code": code})
        passphrase = "une phrase de passe assez longue pour Cartable"
        response = self.client.post(
            reverse("accounts:activate_password"), {"new_password1": passphrase, "new_password2": passphrase}
        )
        self.assertEqual(response.status_code, 302)
        response = self.client.get(reverse("dashboard:home"))
        self.assertEqual(urlsplit(response["Location"]).path, reverse("accounts:mfa_security"))
