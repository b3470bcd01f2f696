"""``cartable worker``: the background worker that runs queued tasks and queues the periodic jobs.

Tasks (notification delivery, e-mail...) come from the database queue of django-tasks-db, served by
its ``db_worker``. Beside it, a thread calls :func:`cartable.core.schedule.enqueue_due` every few
seconds so that the periodic jobs apps register (purges, digests) are queued when due; several
workers may run, each job is still queued once.
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils.translation import gettext as _

from cartable.core import startup
from cartable.core.schedule import enqueue_due

DATABASE_BACKEND = "django_tasks_db.DatabaseBackend"
log = logging.getLogger(__name__)


def queue_due_jobs() -> list[str]:
    """Queue the periodic jobs that are due; a failure is logged and retried at the next tick."""
    try:
        return enqueue_due()
    except Exception:  # the worker must keep running tasks even if the schedule cannot be read
        log.exception("Could not queue the periodic jobs.")
        return []
    finally:
        connections.close_all()


class Scheduler(threading.Thread):
    """Queues the due periodic jobs every ``every`` seconds, until the process ends."""

    def __init__(self, every: float) -> None:
        super().__init__(name="cartable-schedule", daemon=True)
        self.every = every
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            queue_due_jobs()
            self.stopped.wait(self.every)


class Command(BaseCommand):
    help = "Run the background task worker (database queue) and queue the periodic jobs. Ctrl-C stops it."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls (default 1)")
        parser.add_argument("--batch", action="store_true", help="queue the due jobs, run what is queued, exit")
        parser.add_argument("--queue-name", default="default", help="queues to serve, comma-separated, or *")
        parser.add_argument(
            "--schedule-every",
            type=float,
            default=30.0,
            help="seconds between two looks at the periodic jobs (default 30; 0 turns it off)",
        )

    def handle(self, *args, interval: float, batch: bool, queue_name: str, schedule_every: float, **options):
        backend = settings.TASKS["default"]["BACKEND"]
        if backend != DATABASE_BACKEND:
            raise CommandError(
                _("La file de tâches configurée (%(backend)s) n'est pas servie par ce worker.") % {"backend": backend}
            )
        if not batch:
            startup.verify(self)
        scheduler = None
        if schedule_every > 0:
            if batch:
                queue_due_jobs()
            else:
                scheduler = Scheduler(schedule_every)
                scheduler.start()
        try:
            call_command(
                "db_worker",
                interval=interval,
                batch=batch,
                queue_name=queue_name,
                verbosity=options["verbosity"],
                stdout=self.stdout._out,
                stderr=self.stderr._out,
            )
        finally:
            if scheduler is not None:
                scheduler.stopped.set()
