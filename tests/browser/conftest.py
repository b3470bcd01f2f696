"""Browser test fixtures: Debian's Chromium driven by Playwright against pytest-django's live server.

One browser per test session, a fresh context (cookies, storage) per test. Pages run with the
persona school in a transactional database, so the live server's thread sees the test's data.
"""

import datetime as dt
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.servers.basehttp import WSGIServer
from django.test import testcases
from django.utils import timezone
from playwright.sync_api import sync_playwright

from cartable.demo.personas import build_personas
from cartable.directory.models import TeachingAssignment
from cartable.homework.models import Homework
from tests.support.browser import AXE_SCRIPT, CSP_VIOLATION_LISTENER, AxeAudit
from tests.support.personas import HISTORY_WEEKS


# On SQLite the test database lives in memory and the live server's threads share its one connection
# (pytest-django hands it over), which two requests at once (a page and its htmx counter) would use
# together: SQLite then fails with « bad parameter or other API misuse ». The live server answers one request
# at a time there (Django's WSGIServer then closes each connection); PostgreSQL keeps the threaded server.
class OneRequestAtATime(WSGIServer):
    """Django's live server, answering in its own thread (which holds the shared connection)."""

    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, **kwargs)


if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    testcases.LiveServerThread.server_class = OneRequestAtATime

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the tests themselves
# (building the persona school) are still plain synchronous code.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, once per session; skipped outside CI only when it is not installed."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: CI must install the chromium package")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium); browser tests skipped outside CI")
    assert AXE_SCRIPT.exists(), f"{AXE_SCRIPT} is missing: it is kept in the repository"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def school(transactional_db):
    """The persona school, committed so that the live server's thread sees it."""
    cache.clear()  # cached rows (current charters...) must not survive the previous test's flush
    yield build_personas(history_weeks=HISTORY_WEEKS)
    cache.clear()


@pytest.fixture
def context(browser, live_server, school):
    """A fresh browser context per test: French, CSP bypassed so that axe-core can be injected."""
    context = browser.new_context(
        base_url=live_server.url,
        locale="fr-FR",
        bypass_csp=True,
        viewport={"width": 1280, "height": 800},
    )
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def page(context):
    """A page whose every loaded document must pass axe-core (checked at teardown at the latest)."""
    page = context.new_page()
    audit = AxeAudit(page)
    yield page
    audit.finish()


@pytest.fixture
def strict_page(browser, live_server, school):
    """A page with the Content Security Policy enforced (the ``page`` fixture bypasses it so that axe-core can
    be added as a script tag): axe-core comes as an init script, which the policy does not govern, and what the
    policy blocks is recorded from the console and the ``securitypolicyviolation`` events (``csp_violations``)."""
    context = browser.new_context(base_url=live_server.url, locale="fr-FR", viewport={"width": 1280, "height": 800})
    context.set_default_timeout(10_000)
    context.add_init_script(path=str(AXE_SCRIPT))
    context.add_init_script(script=CSP_VIOLATION_LISTENER)
    page = context.new_page()
    audit = AxeAudit(page)
    page.console_violations = []
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and page.console_violations.append(message.text),
    )
    yield page
    audit.finish()
    context.close()


@pytest.fixture
def homework(school, settings, tmp_path):
    """A maths paper of 5e A (paul.dupont) to hand in online within two days; uploads under tmp_path."""
    settings.MEDIA_ROOT = str(tmp_path)
    maths = TeachingAssignment.objects.get(teacher=school["paul.dupont"], school_class__name="5e A")
    now = timezone.now()
    return Homework.objects.create(
        establishment=maths.establishment,
        assignment=maths,
        kind=Homework.Kind.HAND_IN,
        title="Problème des pizzas",
        due_date=(now + dt.timedelta(days=2)).date(),
        published_at=now - dt.timedelta(days=1),
        accepts_submissions=True,
        submission_deadline=now + dt.timedelta(days=2),
        author=school["paul.dupont"],
    )
