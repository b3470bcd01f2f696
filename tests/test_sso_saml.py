"""EduConnect: Cartable as a SAML 2.0 service provider, against pysaml2's own identity provider (real keys
made at test time, real signatures by xmlsec1), through Cartable's real views."""

from __future__ import annotations

import base64
import re
from urllib.parse import urlsplit

import pytest
from django.test import override_settings
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from cartable.accounts import actions as accounts_actions
from cartable.accounts.models import Charter
from cartable.core.models import AuditEvent
from cartable.directory.models import ExternalIdentifier, User
from cartable.sso.models import SamlAssertion, SamlRequest
from tests.support.personas import PersonaTestCase
from tests.support.saml import IDP_SLO, IDP_SSO, SKIP_REASON, XMLSEC, SamlWorld

pytestmark = pytest.mark.skipif(not XMLSEC, reason=SKIP_REASON)

AAF = ExternalIdentifier.Source.AAF
EDUCONNECT = ExternalIdentifier.Source.EDUCONNECT
JOINTURES = {"lucas.martin": "8200001", "emma.martin": "8200002", "claire.martin": "8200003", "zoe.fontaine": "8200004"}
JOINTURES |= {"sophie.bernard": "8200005", "lea.bernard": "8200006"}
QUERIES_ACS = 27  # the sign-in machinery (session, account session, throttle, audit) included


def student(username: str, *, educonnect_id: str = "") -> dict[str, list[str]]:
    return {
        "FrEduCtId": [educonnect_id or f"ec-{username}"],
        "FrEduCtRefId": ["{AAF}" + JOINTURES[username]],
        "FrEduVecteur": [f"4|X|Y|{JOINTURES[username]}|0540042K"],
    }


def guardian(username: str, children: list[str]) -> dict[str, list[str]]:
    return {
        "FrEduCtId": [f"ec-{username}"],
        "FrEduCtRefId": ["{AAF}" + JOINTURES[username]],
        "FrEduVecteur": [f"2|X|Y|{JOINTURES[child]}|0540042K" for child in children],
    }


class EduConnectTestCase(PersonaTestCase):
    world: SamlWorld

    @classmethod
    def setUpClass(cls):
        cls.world = SamlWorld.make()
        cls.enterClassContext(override_settings(CARTABLE_SAML=cls.world.settings))
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.world.remove()

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        ExternalIdentifier.objects.bulk_create(
            [
                ExternalIdentifier(person=cls.people[name], source=AAF, issuer="NANCY-METZ", value=value)
                for name, value in JOINTURES.items()
            ]
        )

    def start(self, next_url: str = "") -> str:
        """Click « Se connecter avec ÉduConnect »: the address of EduConnect the browser is sent to."""
        url = reverse("sso:saml_login") + (f"?next={next_url}" if next_url else "")
        response = self.client.get(url)
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(IDP_SSO + "?SAMLRequest="))
        return response["Location"]

    def post(self, saml_response: str):
        return self.client.post(reverse("sso:saml_acs"), {"SAMLResponse": saml_response})

    def sign_in(self, attributes: dict[str, list[str]], **kwargs):
        return self.post(self.world.idp.answer(self.start(), attributes, **kwargs))

    def assertRefused(self, response, status: int = 400) -> None:
        self.assertEqual(response.status_code, status)
        self.assertContains(response, "Connexion ÉduConnect refusée", status_code=status)
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertFalse(ExternalIdentifier.objects.filter(source=EDUCONNECT).exists())


class MetadataTests(EduConnectTestCase):
    def test_the_metadata_names_the_acs_the_sls_and_the_certificate(self):
        """Cartable publishes its SP metadata: entity id, ACS over HTTP-POST, SLS, signing certificate,
        assertions wanted signed."""
        response = self.client.get(reverse("sso:saml_metadata"))
        self.assertEqual(response.status_code, 200)
        xml = response.content.decode()
        self.assertIn('entityID="https://cartable.test/educonnect/metadata/"', xml)
        self.assertIn('Location="https://cartable.test/educonnect/acs/"', xml)
        self.assertIn("urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST", xml)
        self.assertIn('Location="https://cartable.test/educonnect/sls/"', xml)
        self.assertIn('WantAssertionsSigned="true"', xml)
        self.assertIn('AuthnRequestsSigned="true"', xml)
        self.assertIn("X509Certificate", xml)

    def test_without_configuration_the_doors_are_closed(self):
        """EduConnect unconfigured: its pages answer 404, and the login page offers no button."""
        with override_settings(CARTABLE_SAML={"entity_id": ""}):
            for name in ("sso:saml_metadata", "sso:saml_login", "sso:saml_sls"):
                self.assertEqual(self.client.get(reverse(name)).status_code, 404, name)
            self.assertNotContains(self.client.get(reverse("accounts:login")), "ÉduConnect")
        self.assertContains(self.client.get(reverse("accounts:login")), "Se connecter avec ÉduConnect")


class SignInTests(EduConnectTestCase):
    def test_a_student_signs_in_and_the_educonnect_id_is_linked(self):
        """The AuthnRequest is signed (the IdP checks it); the signed answer signs lucas.martin in, found by
        his AAF jointure, links his EduConnect id (audited), and goes where he was going."""
        location = self.start(next_url="/agenda/")
        request = self.world.idp.read_request(location)
        self.assertEqual(request.message.assertion_consumer_service_url, "https://cartable.test/educonnect/acs/")
        response = self.post(self.world.idp.answer(location, student("lucas.martin")))
        self.assertRedirects(response, "/agenda/", fetch_redirect_response=False)
        lucas = self.people["lucas.martin"]
        self.assertEqual(int(self.client.session["_auth_user_id"]), lucas.pk)
        self.assertTrue(ExternalIdentifier.objects.filter(person=lucas, source=EDUCONNECT, value="ec-lucas.martin"))
        verbs = set(AuditEvent.objects.filter(subject_id=lucas.pk).values_list("verb", flat=True))
        self.assertLessEqual({"sso.educonnect.login", "directory.link_external_identifier"}, verbs)
        self.assertEqual(SamlRequest.objects.filter(consumed_at__isnull=False).count(), 1)
        self.assertEqual(SamlAssertion.objects.count(), 1)

    def test_the_second_sign_in_goes_by_the_linked_id(self):
        """Once linked, the EduConnect id alone finds the account (no second link)."""
        self.sign_in(student("lucas.martin"))
        self.client.logout()
        attributes = student("lucas.martin") | {"FrEduCtRefId": []}
        response = self.sign_in(attributes)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(ExternalIdentifier.objects.filter(source=EDUCONNECT).count(), 1)

    def test_a_parent_of_two_children_signs_in(self):
        """claire.martin, guardian of Lucas and Emma: both children in FrEduVecteur agree with the directory."""
        response = self.sign_in(guardian("claire.martin", ["lucas.martin", "emma.martin"]))
        self.assertEqual(response.status_code, 302)
        self.assertEqual(int(self.client.session["_auth_user_id"]), self.people["claire.martin"].pk)

    def test_a_parent_naming_a_child_not_theirs_is_unknown(self):
        """A vector naming a child who is not the guardian's in the directory: the French page, nothing made."""
        response = self.sign_in(guardian("claire.martin", ["lucas.martin", "lea.bernard"]))
        self.assertContains(response, "contactez le secrétariat de votre établissement", status_code=403)
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertFalse(ExternalIdentifier.objects.filter(source=EDUCONNECT).exists())

    def test_an_unknown_identity_gets_the_french_page_and_no_account(self):
        """A jointure Cartable does not know: « contactez le secrétariat », no account, no link, no session."""
        people = User.objects.count()
        attributes = {"FrEduCtId": ["ec-nobody"], "FrEduCtRefId": ["{AAF}9999999"], "FrEduVecteur": ["4|A|B|9|X"]}
        response = self.sign_in(attributes)
        self.assertContains(response, "Compte introuvable", status_code=403)
        self.assertContains(response, "contactez le secrétariat de votre établissement", status_code=403)
        self.assertEqual(User.objects.count(), people)
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertFalse(ExternalIdentifier.objects.filter(source=EDUCONNECT).exists())

    def test_a_person_not_yet_activated_accepts_the_charters_and_is_in(self):
        """zoe.fontaine has no password yet: through EduConnect she meets the charters first, then is in."""
        accounts_actions.publish_charter(actor=None, kind=Charter.Kind.USAGE, title="Charte d'utilisation", body="…")
        response = self.sign_in(student("zoe.fontaine"))
        self.assertEqual(response.status_code, 302)
        page = self.client.get(response["Location"])
        self.assertEqual(page.status_code, 302)
        self.assertEqual(urlsplit(page["Location"]).path, reverse("accounts:charters"))
        charter = Charter.objects.get()
        accepted = self.client.post(reverse("accounts:charters"), {"accept": [charter.pk], "next": "/"})
        self.assertEqual(accepted.status_code, 302)
        self.assertEqual(self.client.get("/").status_code, 200)

    def test_a_teacher_parent_with_a_factor_gives_it_first(self):
        """sophie.bernard arrives as Léa's mother, but has a staff factor: the challenge before any page."""
        TOTPDevice.objects.create(user=self.people["sophie.bernard"], name="app", confirmed=True)
        response = self.sign_in(guardian("sophie.bernard", ["lea.bernard"]))
        self.assertEqual(urlsplit(response["Location"]).path, reverse("accounts:mfa_challenge"))
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_a_deactivated_account_is_not_signed_in(self):
        """A disabled account: EduConnect opens nothing either."""
        User.objects.filter(pk=self.people["lucas.martin"].pk).update(is_active=False)
        response = self.sign_in(student("lucas.martin"))
        self.assertEqual(response.status_code, 403)
        self.assertNotIn("_auth_user_id", self.client.session)


class ForgedResponseTests(EduConnectTestCase):
    def test_a_tampered_signature_is_refused(self):
        """The IdP's real answer with one attribute changed after signing: refused, nothing written."""
        location = self.start()
        xml = base64.b64decode(self.world.idp.answer(location, student("lucas.martin"))).decode()
        self.assertIn("ec-lucas.martin", xml)
        forged = xml.replace("ec-lucas.martin", "ec-emma.martin")
        self.assertRefused(self.post(base64.b64encode(forged.encode()).decode()))

    def test_an_unsigned_assertion_is_refused(self):
        """The signature removed: refused."""
        location = self.start()
        xml = base64.b64decode(self.world.idp.answer(location, student("lucas.martin"))).decode()
        unsigned = re.sub(r"<(\w+:)?Signature\b.*?</(\w+:)?Signature>", "", xml, flags=re.DOTALL)
        self.assertNotEqual(unsigned, xml)
        self.assertRefused(self.post(base64.b64encode(unsigned.encode()).decode()))

    def test_a_wrong_audience_is_refused(self):
        """An assertion for another service provider (here: Cartable known by another entity id): refused."""
        saml_response = self.world.idp.answer(self.start(), student("lucas.martin"))
        elsewhere = self.world.settings | {"entity_id": "https://other-sp.test/metadata/"}
        with override_settings(CARTABLE_SAML=elsewhere):
            self.assertRefused(self.post(saml_response))

    def test_an_expired_assertion_is_refused(self):
        """An assertion whose NotOnOrAfter has passed (beyond the minute of clock skew): refused."""
        self.assertRefused(self.sign_in(student("lucas.martin"), lifetime_minutes=-10))

    def test_a_replayed_response_is_refused(self):
        """The same answer posted twice: the second opens nothing (the request is answered, the id kept)."""
        saml_response = self.world.idp.answer(self.start(), student("lucas.martin"))
        self.assertEqual(self.post(saml_response).status_code, 302)
        self.client.logout()
        self.assertRefused_after_link(self.post(saml_response))

    def assertRefused_after_link(self, response) -> None:
        self.assertEqual(response.status_code, 400)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_an_unsolicited_response_is_refused(self):
        """An answer to a request this browser never made (another browser's): refused."""
        location = self.start()
        saml_response = self.world.idp.answer(location, student("lucas.martin"))
        self.client.cookies.pop("cartable_educonnect")
        self.assertRefused(self.post(saml_response))
        self.assertRefused(self.post(""))


class LogoutTests(EduConnectTestCase):
    def test_sp_initiated_single_logout(self):
        """« Se déconnecter » after EduConnect: Cartable's session ends, and a signed LogoutRequest for the
        same NameID and session goes to EduConnect, whose signed answer shows « Vous êtes déconnecté »."""
        self.sign_in(student("lucas.martin"))
        response = self.client.post(reverse("sso:saml_logout"))
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(IDP_SLO + "?SAMLRequest="))
        self.assertNotIn("_auth_user_id", self.client.session)
        answer = self.world.idp.logout_answer(response["Location"])
        self.assertEqual(self.world.idp.last_logout.message.name_id.text.strip() != "", True)
        page = self.client.get(reverse("sso:saml_sls") + "?" + answer.split("?", 1)[1])
        self.assertContains(page, "Vous êtes déconnecté")

    def test_idp_initiated_single_logout(self):
        """EduConnect's own LogoutRequest (the person signed out elsewhere) ends this Cartable session and is
        answered with a signed LogoutResponse."""
        self.sign_in(student("lucas.martin"))
        from saml2.ident import decode

        name_id = decode(self.client.session["cartable.saml"]["name_id"])
        location = self.world.idp.logout_request(name_id)
        response = self.client.get(reverse("sso:saml_sls") + "?" + location.split("?", 1)[1])
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(IDP_SLO + "?SAMLResponse="))
        self.assertNotIn("_auth_user_id", self.client.session)


class HostileXmlTests(EduConnectTestCase):
    def test_a_comment_inside_a_signed_value_does_not_cut_it(self):
        """A comment added inside a signed value (exclusive c14n ignores comments, so the signature still
        holds): the whole value is read, so « ec-lucas.martin<!---->.evil » is not lucas.martin's id."""
        self.sign_in(student("lucas.martin"))
        self.client.logout()
        attributes = {
            "FrEduCtId": ["ec-lucas.martin.evil"],
            "FrEduCtRefId": ["{AAF}9999999"],
            "FrEduVecteur": ["4|A|B|9|X"],
        }
        location = self.start()
        xml = base64.b64decode(self.world.idp.answer(location, attributes)).decode()
        commented = xml.replace("ec-lucas.martin.evil", "ec-lucas.martin<!---->.evil")
        response = self.post(base64.b64encode(commented.encode()).decode())
        self.assertEqual(response.status_code, 403)
        self.assertContains(response, "Compte introuvable", status_code=403)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_an_entity_declaration_is_refused(self):
        """A DTD declaring an entity (entity expansion): refused before anything is read."""
        location = self.start()
        xml = base64.b64decode(self.world.idp.answer(location, student("lucas.martin"))).decode()
        declared = xml.replace('<?xml version="1.0"?>', '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x "lol">]>', 1)
        self.assertNotEqual(declared, xml)
        self.assertRefused(self.post(base64.b64encode(declared.encode()).decode()))


class PriceAndPurgeTests(EduConnectTestCase):
    def test_the_sign_in_costs_a_fixed_number_of_queries(self):
        """The assertion consumer for a linked student: the same count whatever the data (pinned)."""
        self.sign_in(student("lucas.martin"))
        self.client.logout()
        saml_response = self.world.idp.answer(self.start(), student("lucas.martin"))
        with self.assertNumQueries(QUERIES_ACS):
            response = self.post(saml_response)
        self.assertEqual(response.status_code, 302)

    def test_the_purge_removes_expired_requests_and_assertion_ids(self):
        """``sso.purge_tickets`` deletes SAML requests and assertion ids past their expiry, keeps the others."""
        import datetime as dt

        from django.utils import timezone

        from cartable.sso import actions

        self.sign_in(student("lucas.martin"))
        self.start()
        old = timezone.now() - dt.timedelta(minutes=1)
        SamlRequest.objects.filter(consumed_at__isnull=False).update(expires_at=old)
        SamlAssertion.objects.update(expires_at=old)
        actions.purge_expired_tickets()
        self.assertEqual(SamlAssertion.objects.count(), 0)
        self.assertEqual(SamlRequest.objects.count(), 1)  # the one still waiting
