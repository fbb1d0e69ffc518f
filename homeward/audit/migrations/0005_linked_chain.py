"""ADR 0013: entries hashed on their own without a lock, linked into the chain afterwards.
The entries already written keep their inline chain (format 1)."""

import django.db.models.deletion
from django.db import migrations, models


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from homeward.audit.protection import LINK_TRIGGER_SQL

    schema_editor.execute(LINK_TRIGGER_SQL, None)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP TRIGGER IF EXISTS homeward_audit_append_only ON audit_auditlink")


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0004_keyed_chain'),
    ]

    operations = [
        migrations.CreateModel(
            name='AuditPending',
            fields=[
                ('entry', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='+', serialize=False, to='audit.auditentry')),
            ],
        ),
        # Existing rows are INLINE (1); the column is added with that default (no row is updated,
        # so the append-only trigger is not involved), then new rows default to LINKED (2).
        migrations.AddField(
            model_name='auditentry',
            name='format',
            field=models.PositiveSmallIntegerField(choices=[(1, 'Inline'), (2, 'Linked')], default=1),
        ),
        migrations.AlterField(
            model_name='auditentry',
            name='format',
            field=models.PositiveSmallIntegerField(choices=[(1, 'Inline'), (2, 'Linked')], default=2),
        ),
        migrations.AlterField(
            model_name='auditentry',
            name='entry_hash',
            field=models.CharField(max_length=64),
        ),
        migrations.CreateModel(
            name='AuditLink',
            fields=[
                ('seq', models.BigAutoField(primary_key=True, serialize=False)),
                ('entry_hash', models.CharField(help_text="The entry's own hash when it was linked.", max_length=64)),
                ('previous_hash', models.CharField(blank=True, max_length=64)),
                ('key_id', models.CharField(max_length=20)),
                ('link_hash', models.CharField(max_length=64)),
                ('entry', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='link', to='audit.auditentry')),
            ],
            options={
                'ordering': ['seq'],
            },
        ),
        migrations.RunPython(install, remove),
    ]
