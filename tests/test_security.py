"""Production safety: the deploy check is clean, pages carry security headers, errors never leak."""

import os
import re
import secrets
import string
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.test import Client, override_settings
from django.urls import path, reverse

from cartable import urls as site_urls
from tests.support.personas import PersonaTestCase


def boom(request):
    raise RuntimeError("détail secret 4242 du serveur")


def broken_context(request):
    """A context processor that fails, as every one would with the database down."""
    raise RuntimeError("database unreachable")


# A URL configuration for these tests: the site's, plus a view that crashes.
urlpatterns = [path("test-panne/", boom), *site_urls.urlpatterns]
handler400 = site_urls.handler400
handler403 = site_urls.handler403
handler404 = site_urls.handler404
handler500 = site_urls.handler500


def cartable_command() -> list[str]:
    """The ``cartable`` command of this environment (what ``uv run cartable`` runs)."""
    script = Path(sys.executable).parent / "cartable"
    return [str(script)] if script.exists() else [sys.executable, "-m", "cartable.cli"]


def production_env(**extra) -> dict:
    """The environment of a production server: a real secret key, HTTPS, a host name, no DEBUG."""
    alphabet = string.ascii_letters + string.digits + "!@%^&*(-_=+)"
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DEBUG",
            "CARTABLE_DEMO",
            "CARTABLE_TESTING",
            "EMAIL_URL",
            "DJANGO_SETTINGS_MODULE",
            "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by the browser tests' conftest for Playwright
        }
    }
    env.update(
        SECRET_KEY="".join(secrets.choice(alphabet) for _ in range(50)),
        CARTABLE_HTTPS="1",
        ALLOWED_HOSTS="ent.example.org",
        CARTABLE_VAR=tempfile.mkdtemp(prefix="cartable-deploy-"),
        CARTABLE_UPLOAD_SCANNER="cartable.core.antivirus.scan",
    )
    env.update(extra)
    return {k: v for k, v in env.items() if v is not None}


def run_deploy_check(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*cartable_command(), "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


class DeployCheckTests(PersonaTestCase):
    def test_the_deploy_check_is_clean_with_production_settings(self):
        """``cartable check --deploy --fail-level WARNING`` passes with a production environment."""
        result = run_deploy_check(production_env())
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("no issues", result.stdout + result.stderr)

    def test_the_deploy_check_catches_a_server_without_https(self):
        """Without CARTABLE_HTTPS the same check fails: it is a real check, not a formality."""
        result = run_deploy_check(production_env(CARTABLE_HTTPS=None))
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("security.W", result.stdout + result.stderr)


class HeaderTests(PersonaTestCase):
    def assert_security_headers(self, response):
        self.assertEqual(response["X-Frame-Options"], "DENY")
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertEqual(response["Referrer-Policy"], "same-origin")
        self.assertEqual(response["Cross-Origin-Opener-Policy"], "same-origin")
        csp = response["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if d.strip())
        self.assertEqual(directives["default-src"], "'self'")
        self.assertEqual(directives["frame-ancestors"], "'none'")
        self.assertEqual(directives["object-src"], "'none'")
        self.assertNotIn("unsafe-inline", csp)
        self.assertNotIn("unsafe-eval", csp)
        nonce = re.search(r"'nonce-([^']+)'", directives["script-src"]).group(1)
        scripts = re.findall(r"<script\b[^>]*>", response.content.decode())
        self.assertTrue(scripts)
        for tag in scripts:
            self.assertIn(f'nonce="{nonce}"', tag, "every script carries this response's nonce")
        return nonce

    def test_pages_carry_the_security_headers(self):
        """The login page and the dashboard send CSP with a nonce, DENY framing, nosniff and a referrer policy."""
        first = self.assert_security_headers(self.client.get(reverse("accounts:login")))
        self.login("lucas.martin")
        second = self.assert_security_headers(self.client.get(reverse("dashboard:home")))
        self.assertNotEqual(first, second, "a fresh nonce per response")

    def test_signed_in_responses_are_never_stored_and_browser_features_are_off(self):
        """Pages, exports and downloads a signed-in person receives say ``private, no-store`` (shared school
        computers keep disk caches), even where the view chose a weaker rule; every response carries a
        Permissions-Policy."""
        anonymous = self.client.get(reverse("accounts:login"))
        self.assertIn("camera=()", anonymous["Permissions-Policy"])
        self.assertIn("geolocation=()", anonymous["Permissions-Policy"])
        self.login("lucas.martin")
        for name in ("dashboard:home", "grades:index"):
            response = self.client.get(reverse(name), follow=True)
            self.assertEqual(response.status_code, 200, name)
            directives = {d.strip() for d in response["Cache-Control"].split(",")}
            self.assertLessEqual({"private", "no-store"}, directives, name)
            self.assertNotIn("public", directives)
            self.assertIn("microphone=()", response["Permissions-Policy"])

    def test_a_download_that_asked_only_private_is_not_stored_either(self):
        from django.http import HttpResponse
        from django.test import RequestFactory

        from cartable.core.middleware import PrivacyHeadersMiddleware

        def download(request):
            response = HttpResponse(b"%PDF-1.4", content_type="application/pdf")
            response["Cache-Control"] = "private, max-age=3600"
            return response

        request = RequestFactory().get("/fichier.pdf")
        request.user = self.people["lucas.martin"]
        response = PrivacyHeadersMiddleware(download)(request)
        directives = {d.strip() for d in response["Cache-Control"].split(",")}
        self.assertEqual(directives, {"private", "no-store"})

    def test_cookies_are_http_only_and_same_site(self):
        """Signing in sets a session cookie that scripts cannot read and other sites' forms do not send."""
        response = self.client.post(reverse("accounts:login"), {"username": "lucas.martin", "password": "demo"})
        self.assertEqual(response.status_code, 302)
        session_cookie = response.cookies[settings.SESSION_COOKIE_NAME]
        self.assertTrue(session_cookie["httponly"])
        self.assertEqual(session_cookie["samesite"], "Lax")


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
class ErrorPageTests(PersonaTestCase):
    def assert_site_error_page(self, response, status, title):
        self.assertEqual(response.status_code, status)
        body = response.content.decode()
        self.assertIn(title, body)
        self.assertIn("/static/core/cartable.css", body, "the site's own style")
        self.assertIn('<main id="main"', body)
        for leak in ("Traceback", "détail secret", "4242", "RuntimeError", "django.", 'File "'):
            self.assertNotIn(leak, body)

    def test_a_missing_page_is_a_404_in_the_sites_style(self):
        """Signed in or not, an unknown address answers the site's 404 page."""
        self.assert_site_error_page(self.client.get("/nexiste-pas/"), 404, "Page introuvable")
        self.login("lucas.martin")
        self.assert_site_error_page(self.client.get("/nexiste-pas/"), 404, "Page introuvable")

    def test_a_crash_is_a_500_in_the_sites_style_without_a_stack_trace(self):
        """An exception in a view answers the site's 500 page, with nothing of the exception in it."""
        self.login("lucas.martin")
        self.client.raise_request_exception = False
        self.assert_site_error_page(self.client.get("/test-panne/"), 500, "Erreur du serveur")

    def test_the_500_page_renders_even_when_the_pages_context_cannot_be_built(self):
        """With the database down, context processors fail too: the 500 page still renders, plainly."""
        templates = [{**settings.TEMPLATES[0]}]
        templates[0]["OPTIONS"] = {
            **templates[0]["OPTIONS"],
            "context_processors": [
                *templates[0]["OPTIONS"]["context_processors"],
                "tests.test_security.broken_context",
            ],
        }
        self.login("lucas.martin")
        self.client.raise_request_exception = False
        with override_settings(TEMPLATES=templates), self.assertLogs("cartable.core.views", "ERROR"):
            response = self.client.get("/test-panne/")
        self.assert_site_error_page(response, 500, "Erreur du serveur")

    def test_a_forbidden_page_is_a_403_in_the_sites_style(self):
        """A signed-in person without admin rights is refused the admin with the site's 403 page."""
        self.login("charlie.roux")
        response = self.client.get(reverse("admin:index"), follow=True)
        self.assert_site_error_page(response, 403, "Accès refusé")

    def test_a_missing_csrf_token_is_a_403_in_the_sites_style(self):
        """A form posted without its CSRF token is refused with a clear French message."""
        client = Client(enforce_csrf_checks=True)
        response = client.post(reverse("accounts:login"), {"username": "lucas.martin", "password": "demo"})
        self.assert_site_error_page(response, 403, "Formulaire expiré")
        self.assertNotIn("_auth_user_id", client.session)
