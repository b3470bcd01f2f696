"""``cartable serve``: the production web server (gunicorn, sync workers with a few threads)."""

from __future__ import annotations

import os
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from cartable.core import startup


def default_workers() -> int:
    return max(2, os.cpu_count() or 1)


def gunicorn_argv(*, host: str, port: int, workers: int, threads: int, graceful_timeout: int = 30) -> list[str]:
    """The command line that runs gunicorn on Cartable's WSGI application.

    Sync workers with a few threads each: Django pages are CPU-bound, and the threads absorb the
    time spent waiting on the database. Extra gunicorn settings come from ``GUNICORN_CMD_ARGS``.
    """
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "cartable.wsgi:application",
        "--config",
        "python:cartable.core.gunicorn_conf",
        "--bind",
        bind,
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--graceful-timeout",
        str(graceful_timeout),
        "--log-level",
        "warning",
    ]


class Command(BaseCommand):
    help = "Serve Cartable with gunicorn (production). SECRET_KEY must be set."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
        parser.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
        parser.add_argument(
            "--workers", type=int, default=default_workers(), help="processes (default: the number of CPUs, ≥ 2)"
        )
        parser.add_argument("--threads", type=int, default=4, help="threads per process (default 4)")

    def handle(self, *args, host: str, port: int, workers: int, threads: int, **options):
        if settings.SECRET_KEY_EPHEMERAL:
            raise CommandError(
                _("SECRET_KEY doit être défini pour servir Cartable (voir le README, variables d'environnement).")
            )
        if workers > 1 and not settings.REDIS_URL:
            self.stderr.write(
                _(
                    "Attention : sans REDIS_URL, chaque processus garde son propre cache ; avec %(n)d processus, "
                    "certaines valeurs mises en cache peuvent rester périmées jusqu'à une heure. Définissez "
                    "REDIS_URL ou lancez un seul processus (--workers 1)."
                )
                % {"n": workers}
            )
        startup.verify(self)
        argv = gunicorn_argv(host=host, port=port, workers=workers, threads=threads)
        self.stdout.write(_("Cartable écoute sur %(bind)s.") % {"bind": argv[argv.index("--bind") + 1]})
        self.stdout.flush()
        # Replace this process: signals from the service manager reach gunicorn directly.
        os.execv(argv[0], argv)  # noqa: S606
