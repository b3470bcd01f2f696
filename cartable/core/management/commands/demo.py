"""``cartable demo``: a working Cartable in one command, on an SQLite file under ``var/``.

Applies the migrations, loads the demo region when the database has no establishment (a second run
reuses the data), then runs the production server (gunicorn) and the background worker as child
processes, prints the address and the demo logins, and waits. Ctrl-C or SIGTERM stops both children
and returns 0; if a child dies, the other is stopped and the command fails.

The kernel knows no school: the demo data comes from the ``load_demo`` command of ``cartable.demo``.
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from io import StringIO

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.urls import reverse
from django.utils.translation import gettext as _

from cartable.core.management.commands.serve import gunicorn_argv

STARTUP_SECONDS = 60
STOP_SECONDS = 10
POLL_SECONDS = 0.2
WILDCARD_HOSTS = {"0.0.0.0", "::"}  # noqa: S104  (listening everywhere is the user's explicit choice)


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: the child gets SIGTERM if the demo process dies without stopping it (kill -9)."""
    if sys.platform.startswith("linux"):
        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


class Command(BaseCommand):
    help = "Run the demo: migrations, demo data, web server and background worker. Ctrl-C stops everything."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")

    def handle(self, *args, port: int, host: str, **options):
        if not settings.DEMO:
            raise CommandError(_("Lancez la démonstration avec « cartable demo » (mode démonstration)."))
        self._check_port_free(host, port)
        self.stdout.write(
            _("Préparation de la base de données (%(path)s)…") % {"path": settings.DATABASES["default"]["NAME"]}
        )
        call_command("migrate", interactive=False, verbosity=0)
        logins = StringIO()
        call_command("load_demo", if_empty=True, stdout=logins)
        connections.close_all()  # the children open their own connections

        self.children: dict[str, subprocess.Popen] = {}
        self.stop_signal: int | None = None
        self.failed: str | None = None
        self.failed_code: int | None = None
        previous = {sig: signal.signal(sig, self._request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            env = self._child_env(host, port)
            # One process with threads: without Redis the cache is this process's memory, and several
            # processes would each keep their own copy (cached charters, calendars, thresholds).
            self._start("server", gunicorn_argv(host=host, port=port, workers=1, threads=8, graceful_timeout=5), env)
            self._start("worker", [sys.executable, "-m", "cartable.cli", "worker", "--verbosity", "0"], env)
            if self._wait_until_ready(host, port):
                self._announce(host, port, logins.getvalue())
                self._wait()
        finally:
            self._stop_children()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if self.stop_signal is None:
            raise CommandError(
                _("Le processus « %(name)s » s'est arrêté (code %(code)s) : démonstration interrompue.")
                % {"name": self.failed or "server", "code": self.failed_code},
                returncode=1,
            )
        self.stdout.write(_("Démonstration arrêtée."))

    # --- children -------------------------------------------------------------------------------
    def _check_port_free(self, host: str, port: int) -> None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host, port))
            except OSError as exc:
                raise CommandError(
                    _("Impossible d'écouter sur %(host)s:%(port)d (%(error)s). Choisissez un autre port avec --port.")
                    % {"host": host, "port": port, "error": exc.strerror}
                ) from None

    def _child_env(self, host: str, port: int) -> dict[str, str]:
        env = {**os.environ, "CARTABLE_DEMO": "1", "CARTABLE_VAR": str(settings.VAR_DIR)}
        if "CARTABLE_BASE_URL" not in os.environ:
            # Links in the demo's e-mails (password reset, notifications) point to this server.
            shown = "localhost" if host in WILDCARD_HOSTS or host == "127.0.0.1" else host
            env["CARTABLE_BASE_URL"] = f"http://{shown}:{port}"
        if "ALLOWED_HOSTS" not in os.environ and host not in settings.ALLOWED_HOSTS:
            env["ALLOWED_HOSTS"] = "*" if host in WILDCARD_HOSTS else ",".join([*settings.ALLOWED_HOSTS, host])
        return env

    def _start(self, name: str, argv: list[str], env: dict[str, str]) -> None:
        # Own session: Ctrl-C reaches this process only, which then stops the children in order.
        self.children[name] = subprocess.Popen(  # noqa: S603  (our own interpreter and arguments)
            argv, env=env, start_new_session=True, preexec_fn=_die_with_parent
        )

    def _request_stop(self, signum, frame) -> None:
        self.stop_signal = signum

    def _dead_child(self) -> str | None:
        """The name of a child that has exited, remembered with its exit code."""
        for name, child in self.children.items():
            if child.poll() is not None:
                self.failed, self.failed_code = name, child.returncode
                return name
        return None

    def _wait_until_ready(self, host: str, port: int) -> bool:
        url = f"http://{self._display_host(host)}:{port}{reverse('health')}"
        deadline = time.monotonic() + STARTUP_SECONDS
        while self.stop_signal is None and self._dead_child() is None and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        return True
            except (OSError, urllib.error.URLError):
                time.sleep(POLL_SECONDS)
        if self.stop_signal is None and self._dead_child() is None:
            self.stderr.write(_("Le serveur ne répond pas après %(seconds)d s.") % {"seconds": STARTUP_SECONDS})
        return False

    def _wait(self) -> None:
        while self.stop_signal is None and self._dead_child() is None:
            time.sleep(POLL_SECONDS)

    def _stop_children(self) -> None:
        """SIGTERM to each living child (gunicorn and the worker both stop gracefully), then SIGKILL."""
        for child in self.children.values():
            if child.poll() is None:
                child.terminate()
        deadline = time.monotonic() + STOP_SECONDS
        for child in self.children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()

    # --- output ---------------------------------------------------------------------------------
    @staticmethod
    def _display_host(host: str) -> str:
        if host in WILDCARD_HOSTS:
            return "localhost"
        return f"[{host}]" if ":" in host else host

    def _announce(self, host: str, port: int, logins: str) -> None:
        address = f"http://{self._display_host(host)}:{port}/"
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(_("Cartable est prêt : %(address)s") % {"address": address}))
        self.stdout.write(
            _("Serveur web : gunicorn (pid %(server)d) · tâches de fond : worker (pid %(worker)d)")
            % {"server": self.children["server"].pid, "worker": self.children["worker"].pid}
        )
        self.stdout.write("")
        self.stdout.write(logins.rstrip())
        self.stdout.write("")
        self.stdout.write(_("Ctrl-C pour tout arrêter. Les données restent dans %(var)s.") % {"var": settings.VAR_DIR})
        self.stdout.flush()
