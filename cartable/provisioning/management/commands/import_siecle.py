"""``cartable import_siecle FILE... [--uai UAI] [--dry-run]``: an establishment's SIECLE exports
(students, guardians)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cartable.provisioning import actions, report
from cartable.provisioning.aaf import sources
from cartable.provisioning.aaf.parser import AafError


class Command(BaseCommand):
    help = (
        "Importe les exports SIECLE (BEE ExportXML) d'un établissement que l'AAF n'alimente pas : élèves "
        "(ElevesSansAdresses), responsables (ResponsablesAvecAdresses), ou leur archive zip."
    )
    feed = "siecle"
    paths_help = "fichiers XML SIECLE ou archive zip"

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path, help=self.paths_help)
        parser.add_argument("--uai", default="", help="l'UAI attendu : l'UAJ des fichiers doit être celui-ci")
        parser.add_argument("--dry-run", action="store_true", help="afficher les différences sans rien écrire")

    def handle(self, *args, paths: list[Path], uai: str, dry_run: bool, **options):
        try:
            found = sources.from_paths(paths)
        except AafError as error:
            raise CommandError(str(error)) from None
        run, plan = actions.import_exports(actor=None, sources=found, feed=self.feed, uai=uai, dry_run=dry_run)
        for line in report.lines(run, plan, details=dry_run):
            self.stdout.write(line)
        if run.errors:
            raise CommandError(report.refusal(run))
