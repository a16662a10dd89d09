"""Loads the standard department list, so every database has it. Idempotent: a department
that exists is brought up to date, one that is missing is created."""

from django.db import migrations

from xietong.directory.departments import STANDARD_DEPARTMENTS


def load_departments(apps, schema_editor):
    Department = apps.get_model("directory", "Department")
    for dept in STANDARD_DEPARTMENTS:
        Department.objects.update_or_create(
            code=dept.code, defaults={"name": dept.name, "name_en": dept.name_en}
        )


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]

    # Reversing leaves the rows: practitioners refer to them.
    operations = [migrations.RunPython(load_departments, migrations.RunPython.noop)]
