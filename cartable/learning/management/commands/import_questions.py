"""``cartable import_questions --owner LOGIN FILE``: import a GIFT or Moodle XML file into a teacher's bank."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cartable.core import french
from cartable.directory.models import Establishment, User
from cartable.learning import actions, formats
from cartable.learning.management.commands.export_questions import teaching_establishment


class Command(BaseCommand):
    help = (
        "Importe un fichier de questions (GIFT ou Moodle XML, reconnu d'après le contenu) "
        "dans la banque d'un enseignant."
    )

    def add_arguments(self, parser):
        parser.add_argument("--owner", required=True, help="identifiant de l'enseignant, par exemple paul.dupont")
        parser.add_argument("--establishment", help="UAI de l'établissement (par défaut, le premier où il enseigne)")
        parser.add_argument("file", type=Path, help="fichier GIFT ou Moodle XML en UTF-8")

    def handle(self, *args, owner: str, establishment: str | None, file: Path, **options):
        user = User.objects.filter(username=owner).first()
        if user is None:
            raise CommandError(f"Aucun compte « {owner} ».")
        place: Establishment = teaching_establishment(user, establishment)
        try:
            if file.stat().st_size > formats.max_bytes():  # refused before it is read
                raise CommandError(f"Le fichier est trop volumineux ({french.size(formats.max_bytes())} au plus).")
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Lecture impossible de {file} : {error.strerror}.") from None
        try:
            parsed = formats.parse(data)
            done = actions.import_questions(actor=None, owner=user, establishment_id=place.pk, parsed=parsed)
        except formats.Refused as refused:
            for message in refused.messages():
                self.stderr.write(message)
            raise CommandError("Rien n'a été importé.") from None
        self.stdout.write(f"{done.questions} questions importées, {done.categories} catégories créées ({place.name}).")
