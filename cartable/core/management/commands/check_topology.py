"""``cartable check_topology``: what ``serve`` and ``worker`` check at start, printed (exit status 1 on an error)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from cartable.core import startup


class Command(BaseCommand):
    help = "Check the database (pooling mode), the read replica (lag) and Redis this process is configured with."

    def handle(self, *args, **options):
        found = startup.findings()
        for note in found.notes:
            self.stdout.write(note)
        for warning in found.warnings:
            self.stdout.write(_("Attention : %(warning)s") % {"warning": warning})
        if found.errors:
            raise CommandError("\n".join(found.errors))
        self.stdout.write(_("Configuration utilisable."))
