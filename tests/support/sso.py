"""What the services' tests share: the persona school with two services, the collège's CAS service
« Vie scolaire (démo) » (students and teachers, school profile, proxies allowed) and the region's
« Médiacentre » link (teachers, students, guardians)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urljoin, urlsplit

import requests
from django.urls import reverse

from cartable.directory.actor import Actor
from cartable.directory.models import Role
from cartable.sso import actions
from cartable.sso.models import Service
from tests.support.personas import PersonaTestCase

DEMO = "https://services.cartable.test/vie-scolaire/"
COLLEGE_STUDENTS = {"lucas.martin", "lea.bernard", "ines.girard"}
COLLEGE_TEACHERS = {"paul.dupont", "sophie.bernard"}
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def sign_in(browser: requests.Session, url: str, username: str = "lucas.martin") -> requests.Response:
    """Over real HTTP: follow ``url`` to Cartable's sign-in form, fill it, and come back to where it leads
    (the answer, not followed: the redirect to the service, or the consent screen)."""
    form = browser.get(url)
    assert form.status_code == 200, form.text[:300]
    token = CSRF.search(form.text).group(1)
    posted = browser.post(
        form.url,
        data={"csrfmiddlewaretoken": token, "username": username, "password": "demo"},
        headers={"Referer": form.url},
        allow_redirects=False,
    )
    assert posted.status_code == 302, posted.text[:300]
    return browser.get(urljoin(form.url, posted.headers["Location"]), allow_redirects=False)


class SsoTestCase(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.college = cls.school.college.establishment
        cls.lycee = cls.school.lycee.establishment
        cls.vie_scolaire = actions.register_service(
            actor=cls.actor_of("marc.leroy"),
            establishment=cls.college,
            name="Vie scolaire (démo)",
            url=DEMO,
            addresses=DEMO,
            roles=[Role.STUDENT, Role.TEACHER],
            profile=Service.Profile.SCHOOL,
            allow_proxy=True,
        )
        cls.region_link = actions.register_service(
            actor=cls.actor_of("admin.region"),
            establishment=None,
            name="Médiacentre",
            kind=Service.Kind.LINK,
            url="https://mediacentre.example.fr/",
            roles=[Role.TEACHER, Role.STUDENT, Role.GUARDIAN],
        )

    @classmethod
    def actor_of(cls, username):
        return Actor(cls.people[username])

    def validate(self, path, ticket, service=DEMO, **extra):
        return self.client.get(reverse(f"sso:{path}"), {"ticket": ticket, "service": service, **extra})

    def ticket_for(self, username, service_url=DEMO, **params):
        """Sign ``username`` in and go through /cas/login: the ticket the redirect carries."""
        self.login(username)
        response = self.client.get(reverse("sso:cas_login"), {"service": service_url, **params})
        self.assertEqual(response.status_code, 302, response.content[:300])
        return parse_qs(urlsplit(response["Location"]).query)["ticket"][0]
