"""Give every existing establishment that has no motif of its own the default motifs, so that no page has
to write them when first read (pages now show the built-in defaults until the first write needs one)."""

from django.db import migrations

# Frozen here (a migration does not follow later edits of models.DEFAULT_REASONS); French, the source language.
DEFAULT_LABELS = ["Maladie", "Rendez-vous médical", "Raison familiale", "Transport", "Convocation", "Autre"]


def create_default_reasons(apps, schema_editor):
    Establishment = apps.get_model("directory", "Establishment")
    AbsenceReason = apps.get_model("attendance", "AbsenceReason")
    with_reasons = AbsenceReason.objects.values("establishment_id")
    AbsenceReason.objects.bulk_create(
        [
            AbsenceReason(establishment_id=establishment_id, label=label, position=index)
            for establishment_id in Establishment.objects.exclude(pk__in=with_reasons).values_list("pk", flat=True)
            for index, label in enumerate(DEFAULT_LABELS)
        ],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("attendance", "0001_initial")]

    operations = [migrations.RunPython(create_default_reasons, migrations.RunPython.noop)]
