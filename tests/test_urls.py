"""Every URL of the site, walked: nothing answers a stranger unless it is listed here as public.

The walk covers every pattern of ``cartable.urls`` (the admin's included), fills path parameters with
values that resolve, and requests each one with GET and POST: anonymously, it must answer a redirect
to the login page, a 404 or a 405; as charlie (another establishment), with the collège's ids in the
URL, it must never show the collège's data.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import RegexPattern, RoutePattern

from cartable.directory.models import Membership
from tests.support.personas import PersonaTestCase

# Views a person who is not signed in may reach. Each entry is a deliberate decision: add one only for a
# page that must work before sign-in, and mark its view with @login_not_required.
PUBLIC = {
    "accounts:login",
    "accounts:set_language",
    "accounts:activate",
    "accounts:activate_password",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "health",
    "javascript-catalog",
    "favicon",
    "admin:login",  # a redirect to Cartable's own (throttled) login page
    "agenda:ical",  # a calendar's subscription: the secret token is the key; a wrong one is a 404
    # The CAS server: its login page (a sign-in form, like accounts:login) and logout, and what the
    # services' servers call with a ticket (the ticket is the key, single-use; no session).
    "sso:cas_login",
    "sso:cas_logout",
    "sso:cas_validate",
    "sso:cas_service_validate",
    "sso:cas_proxy_validate",
    "sso:cas_proxy",
    "sso:cas_p3_service_validate",
    "sso:cas_p3_proxy_validate",
    # The OpenID Connect provider: what the services' servers call (the code, the token or nothing is the
    # key). Its authorization endpoint is not here: people reach it signed in, through every gate.
    "oauth2_provider:token",
    "oauth2_provider:user-info",
    "oauth2_provider:jwks-info",
    "oauth2_provider:oidc-connect-discovery-info",
    # EduConnect (SAML): the SP metadata, the sign-in that sends the browser there, the assertion consumer
    # (EduConnect posts it; the signed assertion is the key) and the single logout service.
    "sso:saml_metadata",
    "sso:saml_login",
    "sso:saml_acs",
    "sso:saml_sls",
    "privacy:register",  # the processing register (RGPD art. 30), for families before they sign in
    "privacy:register_pdf",  # the same register as a PDF
    # The LTI platform: what the tools' servers call (a bearer token or a signed assertion is the key), and
    # the Deep Linking answer a tool's page posts cross-site (no session cookie; the tool's signature is the key).
    "lti:token",
    "lti:line_items",
    "lti:line_item",
    "lti:scores",
    "lti:memberships",
    "lti:deep_link_return",
}

# What charlie must never see of the collège (or of the lycée, where he has no role either).
COLLEGE_MARKERS = ["Louis Pasteur", "0540042K", "Metz-Courcelles", "Lucas", "Dupont", "5e A"]

ROUTE_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>")


@dataclass(frozen=True)
class Route:
    """One URL pattern of the site, with its full name and a way to build a URL for it."""

    name: str
    pieces: tuple  # the pattern of each level, outermost first
    callback: object

    @property
    def has_parameters(self) -> bool:
        return any(ROUTE_PARAMETER.search(str(p)) or REGEX_GROUP.search(str(p)) for p in self.pieces)

    def url(self, value: str) -> str:
        """A path for this pattern, every parameter set to ``value`` (or the nearest value that resolves)."""
        for choice in range(10):
            path = "/" + "".join(_fill(piece, value, choice) for piece in self.pieces)
            try:
                match = resolve(path)
            except Exception:  # noqa: S112 (try the next choice of regex alternatives)
                continue
            if match.func == self.callback:
                return path
        raise AssertionError(f"tests/test_urls.py cannot build a URL for {self.name}: teach _fill this pattern.")


def _fill(pattern, value: str, choice: int) -> str:
    if isinstance(pattern, RoutePattern):

        def parameter(match):
            converter = match.group("converter") or "str"
            if converter == "uuid":
                return str(uuid.UUID(int=int(value) if value.isdigit() else 1))
            if converter == "int" and not value.isdigit():
                return "1"
            return value

        return ROUTE_PARAMETER.sub(parameter, str(pattern._route))
    if isinstance(pattern, RegexPattern):
        regex = pattern._regex
        out, position = [], 0
        for match in REGEX_GROUP.finditer(regex):
            out.append(regex[position : match.start()])
            depth, end = 1, match.end()
            while depth:
                depth += {"(": 1, ")": -1}.get(regex[end], 0)
                end += 1
            body = regex[match.end() : end - 1]
            if re.fullmatch(r"[\w|-]+", body):  # an alternation of words: pick one
                words = body.split("|")
                out.append(words[choice % len(words)])
            else:
                out.append(value)
            position = end
        out.append(regex[position:])
        text = "".join(out).removeprefix("^").removesuffix("$").removesuffix(r"\Z")
        return re.sub(r"\\(.)", r"\1", text)
    raise AssertionError(f"Unknown pattern type {type(pattern).__name__}")


def all_routes() -> list[Route]:
    """Every view pattern of the site, nested includes and the admin included."""
    found: list[Route] = []

    def walk(patterns, pieces, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                inner = f"{namespace}{p.namespace}:" if p.namespace else namespace
                walk(p.url_patterns, (*pieces, p.pattern), inner)
            elif isinstance(p, URLPattern):
                name = f"{namespace}{p.name}" if p.name else f"{namespace}<unnamed {p.pattern}>"
                found.append(Route(name, (*pieces, p.pattern), p.callback))

    walk(get_resolver().url_patterns, (), "")
    return found


class UrlWalkTests(PersonaTestCase):
    def test_the_walk_finds_the_sites_views(self):
        """The walk sees the pages of every app and the admin's, so a new app cannot slip past it."""
        names = {r.name for r in all_routes()}
        for expected in ["dashboard:home", "accounts:login", "directory:switch_role", "admin:index", "health"]:
            with self.subTest(expected=expected):
                self.assertIn(expected, names)
        self.assertGreater(len(names), 50)

    def test_nothing_answers_anonymously_unless_listed_public(self):
        """Anonymously, every non-public URL redirects to the login page, or answers 404 or 405."""
        login_paths = {reverse(settings.LOGIN_URL), reverse("admin:login")}
        for route in all_routes():
            url = route.url("1")
            for method in ("get", "post"):
                with self.subTest(route=route.name, url=url, method=method):
                    response = getattr(self.client, method)(url)
                    self.assertLess(response.status_code, 500)
                    if route.name in PUBLIC:
                        continue
                    if response.status_code in (404, 405):
                        continue
                    self.assertIn(response.status_code, (301, 302), f"{url} answered {response.status_code}")
                    # The admin's own pages send to its login view, which sends to Cartable's (tested below).
                    self.assertIn(urlsplit(response["Location"]).path, login_paths, f"{url} redirects elsewhere")

    def test_the_login_page_is_public(self):
        """Without a public login page nobody could sign in: the list above is not empty by accident."""
        self.assertEqual(self.client.get(reverse("accounts:login")).status_code, 200)
        self.assertEqual(self.client.get(reverse("health")).status_code, 200)

    def test_admin_sign_in_goes_through_cartables_login(self):
        """The admin has no login form of its own (it would escape throttling); it sends to Cartable's."""
        response = self.client.get(reverse("admin:login") + "?next=/admin/")
        self.assertRedirects(response, reverse(settings.LOGIN_URL) + "?next=/admin/", fetch_redirect_response=False)
        response = self.client.post(reverse("admin:login"), {"username": "admin.region", "password": "demo"})
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_charlie_never_sees_the_colleges_data_through_its_ids(self):
        """charlie, with the collège's ids in any URL, gets no page showing the collège's data."""
        college = self.school.college
        ids = {
            "establishment": college.establishment.pk,
            "class": college.classes["5e A"].pk,
            "student": self.people["lucas.martin"].pk,
            "teacher": self.people["paul.dupont"].pk,
            "membership": Membership.objects.get(person=self.people["marc.leroy"]).pk,
            "subject": college.subjects["MATH"].pk,
        }
        charlie = self.people["charlie.roux"]
        reached = set()
        for route in all_routes():
            values = ids.items() if route.has_parameters else [("none", 0)]
            for label, pk in values:
                url = route.url(str(pk))
                for method in ("get", "post"):
                    with self.subTest(route=route.name, ids=label, method=method):
                        self.client.force_login(charlie)  # a POST to the logout URL must not end the walk
                        response = getattr(self.client, method)(url)
                        self.assertLess(response.status_code, 500)
                        if response.status_code != 200 or response.streaming:
                            continue
                        reached.add(route.name)
                        body = response.content.decode()
                        for marker in COLLEGE_MARKERS:
                            self.assertNotIn(marker, body, f"{method.upper()} {url} shows {marker!r} to charlie")
        # The walk really saw charlie's pages (not, say, a redirect to a charter to accept).
        self.assertLessEqual({"dashboard:home", "directory:people", "accounts:preferences"}, reached)
