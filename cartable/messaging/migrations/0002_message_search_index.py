"""French full-text search over messages: a GIN expression index on PostgreSQL (nothing elsewhere).

The expression is the one ``SearchVector("subject", "body", config="french")`` writes, so the planner uses
the index for ``queries.matching_messages``.
"""

from django.db import migrations

INDEX = "message_search_fr"
EXPRESSION = "to_tsvector('french'::regconfig, COALESCE(\"subject\", '') || ' ' || COALESCE(\"body\", ''))"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON messaging_message USING gin ({EXPRESSION})")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("messaging", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
