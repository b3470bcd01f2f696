"""The CAS server through Django's test client: the login's audience, gates and throttle, golden XML and
JSON, every bad ticket (another service, reused, expired, wrong kind, missing parameter, HTTP pgtUrl,
unregistered service), logout targets, the purge, and the pinned price of a validation."""

from __future__ import annotations

import datetime as dt
import json
import re
from urllib.parse import parse_qs, urlsplit

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from cartable.accounts.models import Charter, LoginAttempt
from cartable.core.models import AuditEvent
from cartable.sso import actions
from cartable.sso.models import Launch, Service, SignedInService, Ticket
from tests.support.sso import DEMO, SsoTestCase

GOLDEN_XML = """<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas">
  <cas:authenticationSuccess>
    <cas:user>lucas.martin</cas:user>
    <cas:attributes>
      <cas:authenticationDate>DATE</cas:authenticationDate>
      <cas:isFromNewLogin>false</cas:isFromNewLogin>
      <cas:longTermAuthenticationRequestTokenUsed>false</cas:longTermAuthenticationRequestTokenUsed>
      <cas:uid>lucas.martin</cas:uid>
      <cas:sn>Martin</cas:sn>
      <cas:givenName>Lucas</cas:givenName>
      <cas:mail>MAIL</cas:mail>
      <cas:ENTPersonProfils>National_ELV</cas:ENTPersonProfils>
      <cas:ENTPersonStructRattachRNE>0540042K</cas:ENTPersonStructRattachRNE>
      <cas:ENTEleveClasses>0540042K$5e A</cas:ENTEleveClasses>
    </cas:attributes>
  </cas:authenticationSuccess>
</cas:serviceResponse>
"""


class CasLoginTests(SsoTestCase):
    def test_lucas_signed_in_gets_a_service_ticket_in_the_redirect(self):
        self.login("lucas.martin")
        response = self.client.get(reverse("sso:cas_login"), {"service": DEMO})
        self.assertEqual(response.status_code, 302)
        self.assertRegex(
            response["Location"], r"^https://services\.cartable\.test/vie-scolaire/\?ticket=ST-[0-9a-f]{64}$"
        )
        ticket = Ticket.objects.get()
        self.assertNotIn(ticket.digest, response["Location"])  # stored hashed
        self.assertLessEqual(ticket.expires_at - ticket.created_at, dt.timedelta(minutes=5))
        self.assertEqual(Launch.objects.get().via, "ticket")
        self.assertTrue(
            AuditEvent.objects.filter(verb="sso.cas.login", actor_id=self.people["lucas.martin"].pk).exists()
        )

    def test_out_of_audience_a_french_refusal_and_no_ticket(self):
        for who in ("claire.martin", "charlie.roux", "nadia.petit"):
            self.login(who)
            with self.subTest(who=who):
                response = self.client.get(reverse("sso:cas_login"), {"service": DEMO})
                self.assertContains(response, "n'est pas ouverte à votre profil", status_code=403)
        self.assertFalse(Ticket.objects.exists())
        self.assertFalse(Launch.objects.exists())

    def test_an_unregistered_service_gets_a_french_page_and_no_redirect(self):
        for service in (
            "https://evil.example.com/",
            "https://services.cartable.test/vie-scolaire",
            "javascript:alert(1)",
        ):
            with self.subTest(service=service):
                self.login("lucas.martin")
                response = self.client.get(reverse("sso:cas_login"), {"service": service, "gateway": "true"})
                self.assertContains(response, "n'est pas enregistrée", status_code=403)
                self.client.logout()
                response = self.client.get(reverse("sso:cas_login"), {"service": service, "gateway": "true"})
                self.assertEqual(response.status_code, 403)
        self.assertFalse(Ticket.objects.exists())

    def test_signing_in_at_cas_login_then_back_with_a_ticket_from_the_password(self):
        url = reverse("sso:cas_login") + "?service=" + DEMO
        self.assertContains(self.client.get(url), "Vie scolaire (démo)")
        response = self.client.post(url, {"username": "lucas.martin", "password": "demo"})
        self.assertRedirects(
            response,
            url.replace(DEMO, "https%3A%2F%2Fservices.cartable.test%2Fvie-scolaire%2F"),
            fetch_redirect_response=False,
        )
        response = self.client.get(response["Location"])
        self.assertIn("ticket=ST-", response["Location"])
        self.assertTrue(Ticket.objects.get().primary)

    def test_failures_at_cas_login_count_in_the_throttle(self):
        url = reverse("sso:cas_login") + "?service=" + DEMO
        for _n in range(5):
            self.assertEqual(self.client.post(url, {"username": "lucas.martin", "password": "faux"}).status_code, 400)
        self.assertEqual(LoginAttempt.objects.filter(username="lucas.martin").count(), 5)
        response = self.client.post(url, {"username": "lucas.martin", "password": "demo"})
        self.assertContains(response, "Trop de tentatives", status_code=400)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_a_deactivated_account_gets_no_ticket(self):
        user = self.people["lucas.martin"]
        get_user_model().objects.filter(pk=user.pk).update(is_active=False)
        url = reverse("sso:cas_login") + "?service=" + DEMO
        self.assertEqual(self.client.post(url, {"username": "lucas.martin", "password": "demo"}).status_code, 400)
        self.client.force_login(user)  # a session left open from before: its person is no longer signed in
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Ticket.objects.exists())

    def test_the_charters_come_before_any_ticket(self):
        Charter.objects.create(kind="usage", version=99, title="Charte", body="Texte", published_at=timezone.now())
        from cartable.accounts import charters

        charters.forget_current()
        self.login("lucas.martin")
        response = self.client.get(reverse("sso:cas_login"), {"service": DEMO})
        self.assertEqual(urlsplit(response["Location"]).path, reverse("accounts:charters"))
        self.assertFalse(Ticket.objects.exists())
        charters.forget_current()

    def test_renew_asks_for_the_password_even_when_signed_in(self):
        self.login("lucas.martin")
        url = reverse("sso:cas_login") + f"?service={DEMO}&renew=true"
        self.assertContains(self.client.get(url), "Mot de passe")
        self.assertFalse(Ticket.objects.exists())
        follow = self.client.post(url, {"username": "lucas.martin", "password": "demo"})["Location"]
        ticket = parse_qs(urlsplit(self.client.get(follow)["Location"]).query)["ticket"][0]
        self.assertIn(
            "<cas:user>lucas.martin</cas:user>",
            self.validate("cas_service_validate", ticket, renew="true").content.decode(),
        )

    def test_a_ticket_not_from_the_password_fails_a_renew_validation(self):
        ticket = self.ticket_for("lucas.martin")
        body = self.validate("cas_service_validate", ticket, renew="true").content.decode()
        self.assertIn('code="INVALID_TICKET"', body)

    def test_gateway_without_a_session_goes_back_without_a_ticket(self):
        response = self.client.get(reverse("sso:cas_login"), {"service": DEMO, "gateway": "true"})
        self.assertRedirects(response, DEMO, fetch_redirect_response=False)
        self.login("lucas.martin")
        response = self.client.get(reverse("sso:cas_login"), {"service": DEMO, "gateway": "true"})
        self.assertIn("ticket=ST-", response["Location"])


class CasValidationTests(SsoTestCase):
    def test_golden_xml_of_p3_service_validate(self):
        ticket = self.ticket_for("lucas.martin")
        response = self.validate("cas_p3_service_validate", ticket)
        self.assertEqual(response["Content-Type"], "application/xml; charset=utf-8")
        body = re.sub(r"<cas:authenticationDate>[^<]+", "<cas:authenticationDate>DATE", response.content.decode())
        body = re.sub(r"<cas:mail>[^<]+", "<cas:mail>MAIL", body)
        self.assertEqual(body, GOLDEN_XML)

    def test_golden_json(self):
        ticket = self.ticket_for("lucas.martin")
        data = json.loads(self.validate("cas_p3_service_validate", ticket, format="JSON").content)
        success = data["serviceResponse"]["authenticationSuccess"]
        self.assertEqual(success["user"], "lucas.martin")
        self.assertEqual(success["attributes"]["ENTPersonProfils"], ["National_ELV"])
        self.assertEqual(success["attributes"]["ENTEleveClasses"], ["0540042K$5e A"])
        failure = json.loads(self.validate("cas_p3_service_validate", ticket, format="JSON").content)
        self.assertEqual(failure["serviceResponse"]["authenticationFailure"]["code"], "INVALID_TICKET")

    def test_cas_2_releases_no_attributes_and_cas_1_says_yes(self):
        body = self.validate("cas_service_validate", self.ticket_for("lucas.martin")).content.decode()
        self.assertIn("<cas:user>lucas.martin</cas:user>", body)
        self.assertNotIn("attributes", body)
        response = self.validate("cas_validate", self.ticket_for("paul.dupont"))
        self.assertEqual(response.content.decode(), "yes\npaul.dupont\n")

    def test_every_bad_ticket_gets_the_protocols_error_and_the_ticket_is_burnt(self):
        def fresh():
            return self.ticket_for("lucas.martin")

        reused = fresh()
        self.validate("cas_service_validate", reused)
        expired = fresh()
        Ticket.objects.filter(digest=actions.digest(expired)).update(
            expires_at=timezone.now() - dt.timedelta(seconds=1)
        )
        cases = [
            ("missing ticket", "cas_service_validate", {"ticket": "", "service": DEMO}, "INVALID_REQUEST"),
            ("missing service", "cas_service_validate", {"ticket": fresh(), "service": ""}, "INVALID_REQUEST"),
            ("reused", "cas_service_validate", {"ticket": reused, "service": DEMO}, "INVALID_TICKET"),
            ("expired", "cas_service_validate", {"ticket": expired, "service": DEMO}, "INVALID_TICKET"),
            ("unknown", "cas_service_validate", {"ticket": "ST-" + "0" * 64, "service": DEMO}, "INVALID_TICKET"),
            ("not a ticket", "cas_service_validate", {"ticket": "<x>&", "service": DEMO}, "INVALID_TICKET"),
            (
                "another service",
                "cas_service_validate",
                {"ticket": fresh(), "service": "https://services.cartable.test/vie-scolaire/autre"},
                "INVALID_SERVICE",
            ),
            (
                "HTTP pgtUrl",
                "cas_service_validate",
                {"ticket": fresh(), "service": DEMO, "pgtUrl": "http://services.cartable.test/vie-scolaire/pgt"},
                "INVALID_PROXY_CALLBACK",
            ),
            (
                "undeclared pgtUrl",
                "cas_service_validate",
                {"ticket": fresh(), "service": DEMO, "pgtUrl": "https://evil.example.com/pgt"},
                "INVALID_PROXY_CALLBACK",
            ),
        ]
        for label, path, params, code in cases:
            with self.subTest(label):
                body = self.client.get(reverse(f"sso:{path}"), params).content.decode()
                self.assertIn(f'code="{code}"', body)
                self.assertNotIn("<x>", body)
                if params["ticket"].startswith("ST-") and params["service"]:
                    again = self.client.get(
                        reverse("sso:cas_service_validate"), {"ticket": params["ticket"], "service": DEMO}
                    )
                    self.assertIn('code="INVALID_TICKET"', again.content.decode(), "the first attempt burns it")
        self.assertFalse(SignedInService.objects.exclude(session_index=reused).exists())

    def test_a_proxy_ticket_is_refused_at_service_validate_and_burnt(self):
        st = self.ticket_for("lucas.martin")
        found = actions.consume_ticket(value=st, kinds=frozenset({"ST"}))
        pgt = actions.grant_proxy_granting_ticket(ticket=found, value="PGT-" + "1" * 64, callback_url=DEMO + "pgt")
        pt = actions.issue_proxy_ticket(pgt=pgt, target=self.vie_scolaire, target_url=DEMO)
        self.assertIn('code="INVALID_TICKET"', self.validate("cas_service_validate", pt).content.decode())
        self.assertIn('code="INVALID_TICKET"', self.validate("cas_proxy_validate", pt).content.decode())

    def test_a_validation_costs_a_constant_number_of_queries(self):
        """Burn (1 UPDATE), the ticket with its person and service (1), the signed-in service (1), the
        school profile's memberships, classes attended and taught, AAF id (4): 7, in a savepoint pair each
        for the two atomic actions (4)."""
        for n in range(2):
            ticket = self.ticket_for("lucas.martin" if n == 0 else "paul.dupont")
            self.client.logout()
            if n == 1:  # more data: many services, tickets and signed-in services
                for i in range(30):
                    Service.objects.create(
                        name=f"S{i}", url=f"https://s{i}.fr/", addresses=f"https://s{i}.fr/", roles=",teacher,"
                    )
                for _i in range(30):
                    self.ticket_for("paul.dupont")
                self.client.logout()
            with self.assertNumQueries(11):
                body = self.validate("cas_p3_service_validate", ticket).content.decode()
            self.assertIn("authenticationSuccess", body)


class CasLogoutTests(SsoTestCase):
    def test_logout_goes_to_the_service_only_when_registered(self):
        for params, target in [
            ({"service": DEMO}, DEMO),
            ({"service": "https://evil.example.com/"}, None),
            ({"url": DEMO}, None),  # CAS 2's parameter is ignored
        ]:
            with self.subTest(params=params):
                self.login("lucas.martin")
                response = self.client.get(reverse("sso:cas_logout"), params)
                self.assertNotIn("_auth_user_id", self.client.session)
                if target:
                    self.assertRedirects(response, target, fetch_redirect_response=False)
                else:
                    self.assertContains(response, "Vous êtes déconnecté")

    def test_the_purge_deletes_expired_tickets_only(self):
        self.ticket_for("lucas.martin")
        old = self.ticket_for("paul.dupont")
        Ticket.objects.filter(digest=actions.digest(old)).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
        self.assertEqual(actions.purge_expired_tickets(), 1)
        self.assertEqual(Ticket.objects.count(), 1)


class CasProxyTests(SsoTestCase):
    def pgt(self, username="lucas.martin"):
        st = self.ticket_for(username)
        found = actions.consume_ticket(value=st, kinds=frozenset({"ST"}))
        value = "PGT-" + "2" * 64
        actions.grant_proxy_granting_ticket(ticket=found, value=value, callback_url=DEMO + "pgt")
        return value

    def proxy(self, **params):
        return self.client.get(reverse("sso:cas_proxy"), params)

    def test_proxy_answers_in_xml_and_json(self):
        pgt = self.pgt()
        self.assertIn("<cas:proxyTicket>PT-", self.proxy(pgt=pgt, targetService=DEMO).content.decode())
        data = json.loads(self.proxy(pgt=pgt, targetService=DEMO, format="JSON").content)
        self.assertTrue(data["serviceResponse"]["proxySuccess"]["proxyTicket"].startswith("PT-"))
        cases = [
            ({"pgt": pgt}, "INVALID_REQUEST"),
            ({"pgt": "PGT-" + "0" * 64, "targetService": DEMO}, "INVALID_TICKET"),
            ({"pgt": pgt, "targetService": "https://evil.example.com/"}, "INVALID_SERVICE"),
        ]
        for params, code in cases:
            with self.subTest(code=code):
                failure = json.loads(self.proxy(**params, format="JSON").content)["serviceResponse"]["proxyFailure"]
                self.assertEqual(failure["code"], code)

    def test_a_disabled_accounts_proxy_granting_ticket_issues_nothing(self):
        pgt = self.pgt()
        get_user_model().objects.filter(username="lucas.martin").update(is_active=False)
        self.assertIn('code="INVALID_TICKET"', self.proxy(pgt=pgt, targetService=DEMO).content.decode())

    def test_an_expired_proxy_granting_ticket_issues_nothing(self):
        pgt = self.pgt()
        Ticket.objects.filter(digest=actions.digest(pgt)).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
        self.assertIn('code="INVALID_TICKET"', self.proxy(pgt=pgt, targetService=DEMO).content.decode())
