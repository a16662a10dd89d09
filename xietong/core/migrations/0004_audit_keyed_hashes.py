"""Audit links get keyed hashes over every field (docs/adr/0010).

The links already written keep their plain SHA-256 (hash version 1), and the last link of
each chain is sealed: a checkpoint signed with the audit key, of kind "seal", goes to the
checkpoint file. The verifier accepts a version 1 link only up to its chain's seal, so no
link written from now on can pass for an old one, which would need no key.

On SQLite, adding the column rebuilds the table and with it loses the append-only trigger of
0002, so it is laid again here."""

import datetime as dt

from django.db import migrations, models

SQLITE_TRIGGER = """
CREATE TRIGGER IF NOT EXISTS core_auditevent_no_update BEFORE UPDATE ON core_auditevent
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""


def trigger_again(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_TRIGGER)


def seal_legacy_links(apps, schema_editor):
    from xietong.core.audit_checkpoints import SEAL, Checkpoint, checkpoints_append

    AuditEvent = apps.get_model("core", "AuditEvent")
    db = schema_editor.connection.alias
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    seals = []
    chains = AuditEvent.objects.using(db).order_by("chain").values_list("chain", flat=True)
    for chain in chains.distinct():
        last = AuditEvent.objects.using(db).filter(chain=chain).order_by("-seq").first()
        seals.append(
            Checkpoint(
                chain=chain, seq=last.seq, event_id=last.pk, hash=last.hash, at=now, kind=SEAL
            )
        )
    if seals:
        checkpoints_append(checkpoints=seals)


class Migration(migrations.Migration):
    dependencies = [("core", "0003_audit_chains")]

    operations = [
        # Every row there is now was hashed the old way.
        migrations.AddField(
            model_name="auditevent",
            name="hash_version",
            field=models.PositiveSmallIntegerField(default=1),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="hash_version",
            field=models.PositiveSmallIntegerField(default=2),
        ),
        migrations.RunPython(trigger_again, migrations.RunPython.noop),
        migrations.RunPython(seal_legacy_links, migrations.RunPython.noop),
    ]
