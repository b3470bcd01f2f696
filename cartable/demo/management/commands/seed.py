"""``cartable seed``: add a large synthetic region (establishments full of people) with bulk inserts."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from cartable.demo.seed import seed_region

BAR_WIDTH = 30


class Command(BaseCommand):
    help = "Add N synthetic establishments of M students each (with guardians, teachers, staff) to the region."

    def add_arguments(self, parser):
        parser.add_argument("--establishments", type=int, default=20, help="establishments to add (default 20)")
        parser.add_argument(
            "--students-per-establishment", type=int, default=500, help="students in each (default 500)"
        )
        parser.add_argument("--seed", type=int, default=0, help="random seed: the same seed gives the same names")
        parser.add_argument(
            "--password",
            default=None,
            help="one password for every activated account, for load tests (default: nobody can sign in)",
        )

    def handle(self, *args, establishments: int, students_per_establishment: int, seed: int, password, **options):
        if establishments < 1 or students_per_establishment < 1:
            raise CommandError(_("Il faut au moins un établissement et au moins un élève par établissement."))
        self.started = time.perf_counter()
        self.interactive = self.stderr.isatty()
        report = seed_region(
            establishments=establishments,
            students_per_establishment=students_per_establishment,
            seed=seed,
            password=password,
            progress=self.progress,
        )
        if self.interactive:
            self.stderr.write("")
        self.stdout.write(
            _("%(rows)d lignes insérées en %(seconds).1f s (%(per_second)d lignes par seconde).")
            % {"rows": report.total, "seconds": report.seconds, "per_second": report.total / max(report.seconds, 1e-6)}
        )
        for table, count in sorted(report.rows.items()):
            self.stdout.write(f"  {table:<18} {count:>9}")

    def progress(self, done: int, total: int, rows: int) -> None:
        """A bar redrawn in place on a terminal; one plain line per establishment otherwise."""
        filled = round(BAR_WIDTH * done / total)
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        line = _("[%(bar)s] %(done)d/%(total)d établissements, %(rows)d lignes, %(seconds).1f s") % {
            "bar": bar,
            "done": done,
            "total": total,
            "rows": rows,
            "seconds": time.perf_counter() - self.started,
        }
        if self.interactive:
            self.stderr.write("\r" + line, ending="")
            self.stderr.flush()
        else:
            self.stderr.write(line)
