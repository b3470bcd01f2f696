"""``cartable import_aaf FILE_OR_DIR... [--dry-run]``: import an AAF set (files, folders or a zip)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cartable.provisioning import actions, report
from cartable.provisioning.aaf import sources
from cartable.provisioning.aaf.parser import AafError


class Command(BaseCommand):
    help = "Importe un lot AAF (ficAlimMENESR, complet ou différentiel) : fichiers XML, dossiers ou archive zip."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path, help="fichiers XML, dossiers ou archive zip du lot")
        parser.add_argument("--dry-run", action="store_true", help="afficher les différences sans rien écrire")

    def handle(self, *args, paths: list[Path], dry_run: bool, **options):
        try:
            found = sources.from_paths(paths)
        except AafError as error:
            raise CommandError(str(error)) from None
        run, plan = actions.import_aaf(actor=None, sources=found, dry_run=dry_run)
        for line in report.lines(run, plan, details=dry_run):
            self.stdout.write(line)
        if run.errors:
            raise CommandError(report.refusal(run))
