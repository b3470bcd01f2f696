"""``cartable load_demo``: fill the database with the demo region, then print the demo logins."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from cartable.demo.personas import COLLEGE_UAI
from cartable.demo.region import (
    DEMO_LOGINS,
    DEMO_PASSWORD,
    NOT_ACTIVATED,
    DemoRegionExists,
    issue_demo_activation_code,
    load_demo_region,
)
from cartable.directory.models import Establishment


class Command(BaseCommand):
    help = "Load the demo region (personas, a collège and a lycée agricole) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="load only when the database has no establishment; otherwise reuse what is there",
        )

    def handle(self, *args, if_empty: bool = False, **options):
        if if_empty and Establishment.objects.exists():
            if not Establishment.objects.filter(uai=COLLEGE_UAI).exists():
                self.stdout.write(
                    _(
                        "La base contient des établissements mais pas la région de démonstration : rien n'est "
                        "chargé, et les comptes de démonstration n'existent pas (« cartable load_demo » l'ajoute)."
                    )
                )
                return
            self.stdout.write(_("Données existantes réutilisées (aucun chargement)."))
            code = issue_demo_activation_code()
        else:
            started = time.perf_counter()
            try:
                region = load_demo_region()
            except DemoRegionExists as exc:
                raise CommandError(str(exc)) from None
            counts = region.counts
            self.stdout.write(
                _(
                    "Région de démonstration chargée en %(seconds).1f s : %(establishments)d établissements, "
                    "%(students)d élèves, %(guardians)d responsables, %(teachers)d enseignants."
                )
                % {"seconds": time.perf_counter() - started, **counts}
            )
            code = region.activation_code
        self.stdout.write("")
        self.stdout.write(_("Comptes de démonstration (mot de passe : %(password)s) :") % {"password": DEMO_PASSWORD})
        width = max(len(username) for username, _who in DEMO_LOGINS)
        for username, who in DEMO_LOGINS:
            self.stdout.write(f"  {username.ljust(width)}  {who}")
        if code:
            self.stdout.write("")
            self.stdout.write(
                _("Compte à activer : %(username)s, code d'activation %(code)s (page « Première connexion »).")
                % {"username": NOT_ACTIVATED, "code": code}
            )
