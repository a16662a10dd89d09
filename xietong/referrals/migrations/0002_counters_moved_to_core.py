"""The day's counters move to core's one business-number service (ADR 14): the numbers
carry on from where this app's table left them, then the table goes."""

from django.db import migrations

PREFIX = "ZZ"


def counters_carry_over(apps, schema_editor):  # type: ignore[no-untyped-def]
    old = apps.get_model("referrals", "NumberCounter")
    new = apps.get_model("core", "BusinessCounter")
    for counter in old.objects.all():
        kept, _ = new.objects.get_or_create(prefix=PREFIX, day=counter.day)
        if kept.last < counter.last:
            kept.last = counter.last
            kept.save(update_fields=["last"])


def counters_carry_back(apps, schema_editor):  # type: ignore[no-untyped-def]
    old = apps.get_model("referrals", "NumberCounter")
    new = apps.get_model("core", "BusinessCounter")
    for counter in new.objects.filter(prefix=PREFIX):
        old.objects.update_or_create(day=counter.day, defaults={"last": counter.last})


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0001_initial"),
        ("core", "0006_business_counter"),
    ]

    operations = [
        migrations.RunPython(counters_carry_over, counters_carry_back),
        migrations.DeleteModel(name="NumberCounter"),
    ]
