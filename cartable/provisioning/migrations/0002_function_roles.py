"""The AAF function codes and the roles they give (data: edited in the admin afterwards)."""

from django.db import migrations

FUNCTION_ROLES = [
    ("ENS", "Enseignement", "teacher"),
    ("DOC", "Documentation", "teacher"),
    ("DIR", "Direction", "direction"),
    ("EDU", "Éducation (CPE)", "education"),
    ("SUR", "Surveillance, assistance d'éducation", "education"),
    ("ORI", "Orientation", "education"),
    ("ADF", "Administration et gestion", "administrative"),
    ("MDS", "Médico-social", "administrative"),
]


def fill(apps, schema_editor):
    FunctionRole = apps.get_model("provisioning", "FunctionRole")
    for code, label, role in FUNCTION_ROLES:
        FunctionRole.objects.get_or_create(code=code, defaults={"label": label, "role": role})


def empty(apps, schema_editor):
    apps.get_model("provisioning", "FunctionRole").objects.filter(code__in=[c for c, _l, _r in FUNCTION_ROLES]).delete()


class Migration(migrations.Migration):
    dependencies = [("provisioning", "0001_initial")]
    operations = [migrations.RunPython(fill, empty)]
