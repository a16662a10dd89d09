"""A trigram index on the study's searched patient name (PostgreSQL only).

A PatientName search `WANG^FANG*` matches the name's first component group by prefix, which
the pattern index answers, or a later group (`…=王^芳…`, the ideographic name) anywhere in the
column, which no B-tree answers: the two are one OR, so PostgreSQL read every study of the
index by date and filtered (65 ms at 40,000 studies, and a plan costly enough to be compiled
by its JIT: 1.7 s). pg_trgm's GIN index answers both sides (a bitmap OR, under a
millisecond). SQLite has no such index and needs none at its sizes; the model does not
declare it for that reason."""

from django.db import migrations

INDEX = "imaging_study_pname_trgm"


def _create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON imaging_study "
        "USING gin (patient_name_search gin_trgm_ops)"
    )


def _drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("imaging", "0003_reading_requests"),
    ]

    operations = [migrations.RunPython(_create, _drop)]
