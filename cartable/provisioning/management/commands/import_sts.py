"""``cartable import_sts FILE [--uai UAI] [--dry-run]``: an establishment's STS-web export (teachers, services)."""

from __future__ import annotations

from cartable.provisioning.management.commands import import_siecle


class Command(import_siecle.Command):
    help = (
        "Importe l'export STS-web (sts_emp_<UAI>_<année>.xml) d'un établissement que l'AAF n'alimente pas : "
        "enseignants, divisions, groupes, services, professeurs principaux."
    )
    feed = "sts"
    paths_help = "fichier sts_emp_<UAI>_<année>.xml ou archive zip"
