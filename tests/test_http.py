"""The client's address, directly or behind trusted reverse proxies."""

from django.test import RequestFactory, override_settings
from django.urls import reverse

from cartable.accounts.models import LoginAttempt
from cartable.core.http import client_ip
from tests.support.personas import PersonaTestCase


class ClientAddressTests(PersonaTestCase):
    def test_address_read_from_the_trusted_proxies_only(self):
        """With no proxy, X-Forwarded-For is ignored; with N proxies, the Nth entry from the right is used."""
        factory = RequestFactory()
        forged = {"REMOTE_ADDR": "10.0.0.5", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.7"}
        for hops, meta, expected in [
            (0, forged, "10.0.0.5"),
            (1, forged, "203.0.113.7"),
            (2, forged, "6.6.6.6"),
            (3, forged, "10.0.0.5"),  # fewer entries than proxies: not trusted
            (1, {"REMOTE_ADDR": "10.0.0.5"}, "10.0.0.5"),
        ]:
            with self.subTest(hops=hops, meta=meta), override_settings(CARTABLE_PROXY_HOPS=hops):
                self.assertEqual(client_ip(factory.get("/", **meta)), expected)

    @override_settings(CARTABLE_PROXY_HOPS=1)
    def test_failed_sign_ins_behind_a_proxy_are_counted_per_real_client(self):
        """Behind one proxy, two clients failing to sign in are recorded with their own addresses."""
        for address in ("203.0.113.7", "198.51.100.9"):
            self.client.post(
                reverse("accounts:login"),
                {"username": "lucas.martin", "password": "wrong"},
                REMOTE_ADDR="10.0.0.5",
                HTTP_X_FORWARDED_FOR=address,
            )
        self.assertEqual(
            sorted(LoginAttempt.objects.values_list("ip_address", flat=True)), ["198.51.100.9", "203.0.113.7"]
        )
