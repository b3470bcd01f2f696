"""``cartable open_school_year``: open the next school year in every establishment."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from cartable.provisioning import actions, queries


class Command(BaseCommand):
    help = (
        "Ouvre l'année scolaire suivante dans tous les établissements : le prochain import en crée les classes ; "
        "les inscriptions et les services de l'année en cours prennent fin à son dernier jour."
    )

    def handle(self, *args, **options):
        upcoming = queries.next_school_year()
        try:
            opened = actions.open_school_year(actor=None)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        label = upcoming[0] if upcoming else ""
        self.stdout.write(f"année {label} ouverte : établissements {len(opened)}")
