"""``cartable export_questions --owner LOGIN --format gift|moodlexml [--category NAME]``: a teacher's bank
(or one category and its subcategories) to standard output."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from cartable.directory.models import Establishment, Role, User
from cartable.learning import queries
from cartable.learning.models import Category


def teaching_establishment(user: User, uai: str | None) -> Establishment:
    """The establishment named by its UAI, else the first where the person teaches."""
    if uai:
        found = Establishment.objects.filter(uai=uai.upper()).first()
        if found is None:
            raise CommandError(f"Aucun établissement d'UAI {uai}.")
        return found
    found = (
        Establishment.objects.filter(memberships__person=user, memberships__role=Role.TEACHER).order_by("pk").first()
    )
    if found is None:
        raise CommandError(f"{user.username} n'enseigne dans aucun établissement.")
    return found


class Command(BaseCommand):
    help = "Exporte la banque de questions d'un enseignant (GIFT ou Moodle XML) sur la sortie standard."

    def add_arguments(self, parser):
        parser.add_argument("--owner", required=True, help="identifiant de l'enseignant")
        parser.add_argument("--format", dest="fmt", choices=["gift", "moodlexml"], default="gift")
        parser.add_argument("--category", help="nom ou chemin d'une catégorie (avec ses sous-catégories)")
        parser.add_argument("--establishment", help="UAI de l'établissement (par défaut, le premier où il enseigne)")

    def handle(self, *args, owner: str, fmt: str, category: str | None, establishment: str | None, **options):
        user = User.objects.filter(username=owner).first()
        if user is None:
            raise CommandError(f"Aucun compte « {owner} ».")
        place = teaching_establishment(user, establishment)
        categories = list(Category.objects.filter(bank__owner=user, establishment=place).order_by("path"))
        if category is not None:
            root = next((c for c in categories if category in (c.path, c.name)), None)
            if root is None:
                raise CommandError(f"Aucune catégorie « {category} » dans la banque de {owner}.")
            categories = queries.descendants(categories, root)
        self.stdout.write(queries.write(queries.export_questions(categories), fmt), ending="")
