"""``cartable worker``: the background worker that runs queued tasks (notification delivery...)."""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

DATABASE_BACKEND = "django_tasks_db.DatabaseBackend"


class Command(BaseCommand):
    help = "Run the background task worker (the database queue of django-tasks-db). Ctrl-C stops it."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls (default 1)")
        parser.add_argument("--batch", action="store_true", help="run the queued tasks, then exit")
        parser.add_argument("--queue-name", default="default", help="queues to serve, comma-separated, or *")

    def handle(self, *args, interval: float, batch: bool, queue_name: str, **options):
        backend = settings.TASKS["default"]["BACKEND"]
        if backend != DATABASE_BACKEND:
            raise CommandError(
                _("La file de tâches configurée (%(backend)s) n'est pas servie par ce worker.") % {"backend": backend}
            )
        call_command(
            "db_worker",
            interval=interval,
            batch=batch,
            queue_name=queue_name,
            verbosity=options["verbosity"],
            stdout=self.stdout._out,
            stderr=self.stderr._out,
        )
