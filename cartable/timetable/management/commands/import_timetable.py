"""``cartable import_timetable <uai> <file.csv>``: import an establishment's weekly timetable from a CSV file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import ngettext

from cartable.directory.models import Establishment
from cartable.timetable import actions, imports


class Command(BaseCommand):
    help = "Importe l'emploi du temps d'un établissement depuis un fichier CSV (voir docs/timetable-csv.md)."

    def add_arguments(self, parser):
        parser.add_argument("uai", help="UAI de l'établissement, par exemple 0540042K")
        parser.add_argument("file", type=Path, help="fichier CSV en UTF-8")
        parser.add_argument("--from", dest="valid_from", help="date d'application (AAAA-MM-JJ), aujourd'hui par défaut")
        parser.add_argument(
            "--replace", action="store_true", help="remplacer les cours en vigueur à partir de cette date"
        )

    def handle(self, *args, uai: str, file: Path, valid_from: str | None, replace: bool, **options):
        establishment = Establishment.objects.filter(uai=uai.upper()).first()
        if establishment is None:
            raise CommandError(f"Aucun établissement d'UAI {uai}.")
        try:
            start = dt.date.fromisoformat(valid_from) if valid_from else timezone.localdate()
        except ValueError:
            raise CommandError(f"Date illisible : {valid_from} (AAAA-MM-JJ attendu).") from None
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Lecture impossible de {file} : {error.strerror}.") from None
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
        counts = actions.import_timetable(
            actor=None, establishment=establishment, rows=parsed.rows, valid_from=start, replace=replace
        )
        self.stdout.write(
            f"{counts.slots} cours importés, {counts.rooms} salles et {counts.assignments} services créés, "
            f"{counts.ended} cours remplacés."
        )
