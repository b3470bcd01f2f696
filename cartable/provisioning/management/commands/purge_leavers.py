"""``cartable purge_leavers [--dry-run]``: erase the accounts whose last membership ended three months ago."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db.models import Max
from django.utils import timezone

from cartable.privacy import retention
from cartable.provisioning import actions


class Command(BaseCommand):
    help = (
        "Efface les comptes dont la dernière inscription a pris fin il y a trois mois (arrêté du 30 novembre 2006, "
        "art. 6), comme le fait la tâche quotidienne ; --dry-run les liste sans rien effacer."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="lister les comptes à effacer sans rien écrire")

    def handle(self, *args, dry_run: bool, **options):
        now = timezone.now()
        if not dry_run:
            run = actions.purge_leavers(now=now)
            self.stdout.write(
                f"purge n° {run.pk} ({run.get_outcome_display()}) : comptes effacés {run.erased}, "
                f"gardés (traitement limité) {run.limited}, échecs {len(run.errors)}"
            )
            return
        due = retention.expired_accounts(now).annotate(last_end=Max("memberships__end_date"))
        count = 0
        for person in due.order_by("last_end", "last_name", "pk").iterator():
            count += 1
            self.stdout.write(f"{person.pk}\t{person.username}\t{person.get_full_name()}\t{person.last_end}")
        cutoff = retention.account_cutoff(timezone.localdate(now))
        self.stdout.write(f"comptes à effacer : {count} (dernière inscription finie au plus tard le {cutoff})")
