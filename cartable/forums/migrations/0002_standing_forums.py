"""Give every existing establishment its standing forums (its forum and its staff room), which new ones get
when they open (``directory.actions.open_establishment``): the forums' index no longer makes them on a GET."""

from django.db import migrations

# Frozen here (a migration does not follow later edits of models.STANDING); French, the school's data language.
STANDING = (("establishment", "Forum de l'établissement"), ("staff", "Salle des professeurs"))


def create_standing_forums(apps, schema_editor):
    Establishment = apps.get_model("directory", "Establishment")
    Forum = apps.get_model("forums", "Forum")
    having = set(Forum.objects.filter(kind__in=[k for k, _t in STANDING]).values_list("establishment_id", "kind"))
    Forum.objects.bulk_create(
        [
            Forum(establishment_id=establishment_id, kind=kind, title=title)
            for establishment_id in Establishment.objects.values_list("pk", flat=True)
            for kind, title in STANDING
            if (establishment_id, kind) not in having
        ]
    )


class Migration(migrations.Migration):
    dependencies = [("forums", "0001_initial"), ("directory", "0003_username_is_identifiant")]

    operations = [migrations.RunPython(create_standing_forums, migrations.RunPython.noop)]
