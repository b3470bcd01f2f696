"""``cartable demo`` for real: a subprocess serving HTTP, a sign-in, Ctrl-C, and a second run reusing the data.

Runs in the normal suite (about 25 seconds). The demo always uses its own SQLite file in a temporary
``CARTABLE_VAR``, whatever database the rest of the suite uses.
"""

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from django.core.management import CommandError, call_command
from django.test import SimpleTestCase, TransactionTestCase, override_settings
from django_tasks_db.models import DBTaskResult

from cartable.core import registry
from cartable.core.models import JobRun
from cartable.core.tasks import deliver_pending

ROOT = Path(__file__).resolve().parent.parent
READY = "Cartable est prêt"
START_SECONDS = 120  # a bound, not a timing: the demo starts in ~15 s, more on a loaded machine


def cli_env(**extra: str) -> dict[str, str]:
    """The environment of a ``cartable`` subprocess: SQLite in ``CARTABLE_VAR``, never the suite's database."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CARTABLE_TESTING", "REDIS_URL"}}
    env.update(PYTHONUNBUFFERED="1", **extra)
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def alive(pid: int) -> bool:
    """Whether process ``pid`` still exists (and is not a zombie waiting to be reaped)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


class DemoRun:
    """``python -m cartable.cli demo`` in a subprocess, its output collected by a thread."""

    def __init__(self, var: Path, port: int) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "cartable.cli", "demo", "--port", str(port)],
            cwd=ROOT,
            env=cli_env(CARTABLE_VAR=str(var)),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def wait_until_ready(self) -> None:
        deadline = time.monotonic() + START_SECONDS
        while "Ctrl-C" not in self.output:
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.process.kill()
                raise AssertionError(f"the demo did not start:\n{self.output}")
            time.sleep(0.1)

    def child_pids(self) -> list[int]:
        return [int(pid) for pid in re.findall(r"pid (\d+)", self.output)]

    def stop(self, signum: int) -> int:
        self.process.send_signal(signum)
        try:
            return self.process.wait(timeout=20)
        finally:
            self.process.kill()


class DemoCommandTests(SimpleTestCase):
    def setUp(self):
        self.var = Path(self.enterContext(tempfile.TemporaryDirectory()))
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"

    def sign_in(self, username: str, password: str) -> tuple[str, str]:
        """Through HTTP as a browser would: the login page for the CSRF token, the form, the redirects."""
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        page = opener.open(f"{self.base}/comptes/connexion/", timeout=10).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        form = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": username, "password": password})
        response = opener.open(f"{self.base}/comptes/connexion/", data=form.encode(), timeout=10)
        return response.geturl(), response.read().decode()

    def test_demo_serves_signs_in_stops_on_ctrl_c_and_reuses_its_data(self):
        """The demo answers, lucas.martin signs in to his dashboard, Ctrl-C stops it all, a rerun reuses the data."""
        first = DemoRun(self.var, self.port)
        try:
            first.wait_until_ready()
            self.assertIn("Région de démonstration chargée", first.output)
            self.assertIn(f"http://127.0.0.1:{self.port}/", first.output)
            self.assertIn("lucas.martin", first.output)
            self.assertRegex(first.output, r"zoe\.fontaine, code d'activation [A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}")
            with urllib.request.urlopen(f"{self.base}/sante/", timeout=5) as health:
                self.assertEqual(health.status, 200)
                self.assertEqual(health.headers["Server"], "Cartable", "the server does not announce gunicorn")
            # A 5,000-character search passes gunicorn (to the sign-in page it leads to); a longer request line
            # gets gunicorn's answer in French, not its raw « URI Too Long ».
            with urllib.request.urlopen(f"{self.base}/annuaire/?q={'x' * 5000}", timeout=10) as long_search:
                self.assertEqual(long_search.status, 200)
                self.assertIn("Connexion", long_search.read().decode())
            with self.assertRaises(urllib.error.HTTPError) as too_long:
                urllib.request.urlopen(f"{self.base}/annuaire/?q={'x' * 9000}", timeout=10)
            self.assertEqual(too_long.exception.code, 414)
            self.assertIn("Adresse trop longue", too_long.exception.read().decode())
            url, dashboard = self.sign_in("lucas.martin", "demo")
            self.assertEqual(url, f"{self.base}/")
            # The demo's data is there: the welcome notice may already be below the newest five (the worker's
            # reminders arrive at its start), so the dashboard is checked for widgets that always have rows.
            for text in [
                "Lucas Martin",
                "Élève",
                "Collège Louis Pasteur",
                "Dernières notifications",
                "Dernières notes",
                "/20",
            ]:
                self.assertIn(text, dashboard)
            children = first.child_pids()
            self.assertEqual(len(children), 2)
        finally:
            code = first.stop(signal.SIGINT)
        self.assertEqual(code, 0, first.output)
        self.assertIn("Démonstration arrêtée", first.output)
        for pid in children:
            self.assertFalse(alive(pid), f"child {pid} survived the demo")
        with self.assertRaises(OSError):
            urllib.request.urlopen(f"{self.base}/sante/", timeout=2)

        second = DemoRun(self.var, self.port)
        try:
            second.wait_until_ready()
            self.assertIn("Données existantes réutilisées", second.output)
            self.assertNotIn("Région de démonstration chargée", second.output)
            url, dashboard = self.sign_in("claire.martin", "demo")
            self.assertIn("Claire Martin", dashboard)
            # The worker sends the reset e-mail as a file, with a link to this very server.
            opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
            page = opener.open(f"{self.base}/comptes/mot-de-passe-oublie/", timeout=10).read().decode()
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
            form = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "email": "lucas.martin@example.org"})
            opener.open(f"{self.base}/comptes/mot-de-passe-oublie/", data=form.encode(), timeout=10).read()
            # The worker may also have written reminders or a digest, depending on the day and the hour:
            # the reset e-mail is the one addressed to Lucas that carries the reset link.
            link = f"http://localhost:{self.port}/comptes/mot-de-passe-oublie/"
            deadline = time.monotonic() + 20
            resets: list[str] = []
            while time.monotonic() < deadline and not resets:
                resets = [
                    body
                    for body in (path.read_text() for path in (self.var / "mail").glob("*.log"))
                    if "To: lucas.martin@example.org" in body and link in body
                ]
                time.sleep(0.2)
            self.assertTrue(resets, "the worker wrote no reset e-mail to lucas.martin@example.org")
        finally:
            code = second.stop(signal.SIGTERM)
        self.assertEqual(code, 0, second.output)
        for pid in second.child_pids():
            self.assertFalse(alive(pid), f"child {pid} survived the demo")

    def test_demo_stops_and_fails_when_a_child_dies(self):
        """If the worker dies, the demo stops the web server too and exits with an error."""
        run = DemoRun(self.var, self.port)
        try:
            run.wait_until_ready()
            server, worker = run.child_pids()
            os.kill(worker, signal.SIGKILL)
            code = run.process.wait(timeout=20)
        finally:
            run.process.kill()
        self.assertEqual(code, 1, run.output)
        self.assertIn("« worker » s'est arrêté", run.output)
        self.assertFalse(alive(server), "the web server survived its worker")


class ServeCommandTests(SimpleTestCase):
    def test_serve_refuses_to_start_without_a_secret_key(self):
        """Outside the demo, ``cartable serve`` without SECRET_KEY stops at once with a French message."""
        with tempfile.TemporaryDirectory() as var:
            env = cli_env(CARTABLE_VAR=var)
            env.pop("SECRET_KEY", None)
            env.pop("DEBUG", None)
            done = subprocess.run(
                [sys.executable, "-m", "cartable.cli", "serve", "--port", str(free_port())],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            )
        self.assertEqual(done.returncode, 1)
        self.assertIn("SECRET_KEY doit être défini", done.stderr)


class WorkerCommandTests(TransactionTestCase):
    """The worker closes stale connections between polls, as in production: no test transaction around it."""

    def test_worker_runs_the_queued_tasks_and_the_due_periodic_jobs(self):
        """``cartable worker --batch`` queues the due periodic jobs, runs the whole queue, then exits."""
        jobs = registry.periodic_jobs()
        self.assertTrue(jobs)
        with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
            deliver_pending.enqueue()
            call_command("worker", batch=True, verbosity=0)
            self.assertEqual(
                sorted(DBTaskResult.objects.values_list("task_path", flat=True)),
                sorted([deliver_pending.module_path] + [job.task.module_path for job in jobs]),
            )
            self.assertEqual(set(DBTaskResult.objects.values_list("status", flat=True)), {"SUCCESSFUL"})
            self.assertEqual(JobRun.objects.filter(last_enqueued_at__isnull=False).count(), len(jobs))
            call_command("worker", batch=True, verbosity=0)  # nothing is due again so soon
            self.assertEqual(DBTaskResult.objects.count(), 1 + len(jobs))

    def test_worker_refuses_a_queue_it_does_not_serve(self):
        """With another task backend (the tests' immediate one), the worker says so instead of idling."""
        with self.assertRaisesMessage(CommandError, "n'est pas servie par ce worker"):
            call_command("worker", batch=True, verbosity=0)
