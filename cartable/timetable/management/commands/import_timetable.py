"""``cartable import_timetable <uai> <file> [--from DATE] [--dry-run] [--replace]``: import an establishment's
weekly timetable from a CSV file, EDT's course export (``EXP_COURS.xml``) or UDT's export (a zip of
``UDCal`` files), the format recognised by content."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import ngettext

from cartable.directory.models import Establishment
from cartable.timetable import actions, exports, imports
from cartable.timetable.models import TimetableImport


class Command(BaseCommand):
    help = (
        "Importe l'emploi du temps d'un établissement depuis un CSV (voir docs/timetable-csv.md), l'export des "
        "cours d'EDT (EXP_COURS.xml) ou l'export d'UDT (zip des fichiers UDCal), reconnus au contenu."
    )

    def add_arguments(self, parser):
        parser.add_argument("uai", help="UAI de l'établissement, par exemple 0540042K")
        parser.add_argument("file", type=Path, help="fichier CSV (UTF-8), XML d'EDT ou zip d'UDT")
        parser.add_argument("--from", dest="valid_from", help="date d'application (AAAA-MM-JJ), aujourd'hui par défaut")
        parser.add_argument(
            "--dry-run", action="store_true", help="afficher la différence sans rien écrire (l'essai est consigné)"
        )
        parser.add_argument(
            "--replace", action="store_true", help="CSV : remplacer les cours en vigueur à partir de cette date"
        )

    def handle(self, *args, uai: str, file: Path, valid_from: str | None, dry_run: bool, replace: bool, **options):
        establishment = Establishment.objects.filter(uai=uai.upper()).first()
        if establishment is None:
            raise CommandError(f"Aucun établissement d'UAI {uai}.")
        try:
            start = dt.date.fromisoformat(valid_from) if valid_from else timezone.localdate()
        except ValueError:
            raise CommandError(f"Date illisible : {valid_from} (AAAA-MM-JJ attendu).") from None
        try:
            with file.open("rb") as stream:
                data = stream.read(exports.max_bytes() + 1)
        except OSError as error:
            raise CommandError(f"Lecture impossible de {file} : {error.strerror}.") from None
        if exports.looks_like_export(data):
            self._export(establishment, file, data, start, dry_run)
        else:
            self._csv(establishment, data, start, dry_run, replace)

    def _export(self, establishment, file: Path, data: bytes, start: dt.date, dry_run: bool) -> None:
        run, plan = actions.import_timetable_export(
            actor=None, establishment=establishment, file_name=file.name, data=data, valid_from=start, dry_run=dry_run
        )
        for item in run.warnings:
            self.stderr.write(f"avertissement : {_where(item)}{item['message']}")
        if run.outcome == TimetableImport.Outcome.REFUSED:
            for item in run.errors:
                self.stderr.write(f"{_where(item)}{item['message']}")
            n = len(run.errors)
            raise CommandError(
                ngettext("%(n)d erreur : rien n'a été importé.", "%(n)d erreurs : rien n'a été importé.", n) % {"n": n}
            )
        assert plan is not None  # not refused: there is a plan
        for line in plan.lines():
            self.stdout.write(line)
        slots = run.counts["slots"]
        verb = "à créer" if dry_run else "créés"
        self.stdout.write(
            f"{run.get_format_display()} : cours {verb} {slots['created']}, changés {slots['changed']}, "
            f"arrêtés {slots['ended']}, inchangés {slots['unchanged']} ; "
            f"salles créées {run.counts['rooms']['created']} ; "
            f"avertissements : {len(run.warnings)}." + (" Simulation : rien n'a été écrit." if dry_run else "")
        )

    def _csv(self, establishment, data: bytes, start: dt.date, dry_run: bool, replace: bool) -> None:
        text = imports.decode(data) if len(data) <= imports.MAX_BYTES else None
        if text is None:
            raise CommandError("Le fichier doit être un texte UTF-8 de 1 Mo au plus.")
        parsed = imports.parse(text, establishment)
        if not parsed.ok:
            for line, message in parsed.errors:
                self.stderr.write(f"ligne {line} : {message}")
            n = len(parsed.errors)
            raise CommandError(
                ngettext("%(n)d erreur : rien n'a été importé.", "%(n)d erreurs : rien n'a été importé.", n) % {"n": n}
            )
        if dry_run:
            self.stdout.write(f"{len(parsed.rows)} cours seraient importés. Simulation : rien n'a été écrit.")
            return
        counts = actions.import_timetable(
            actor=None, establishment=establishment, rows=parsed.rows, valid_from=start, replace=replace
        )
        self.stdout.write(
            f"{counts.slots} cours importés, {counts.rooms} salles et {counts.assignments} services créés, "
            f"{counts.ended} cours remplacés."
        )


def _where(item: dict) -> str:
    if item.get("line"):
        return f"{item['file']}, ligne {item['line']} : "
    return f"{item['file']} : " if item.get("file") else ""
