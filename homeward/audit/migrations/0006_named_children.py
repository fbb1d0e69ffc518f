"""ADR 0017: the children an export names, a narrow row each, covered by the export's entry."""

import django.db.models.deletion
from django.db import migrations, models


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from homeward.audit.protection import NAMED_TRIGGER_SQL

    schema_editor.execute(NAMED_TRIGGER_SQL, None)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP TRIGGER IF EXISTS homeward_audit_append_only ON audit_auditnamed")


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0005_linked_chain'),
        ('children', '0003_external_id_optional'),
    ]

    operations = [
        migrations.CreateModel(
            name='AuditNamed',
            fields=[
                ('pk', models.CompositePrimaryKey('child_id', 'entry_id', blank=True, editable=False, primary_key=True, serialize=False)),
                ('records', models.TextField(help_text="The ids of the child's records the entry names, ascending, comma-separated.")),
                ('child', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='children.child')),
                ('entry', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='named', to='audit.auditentry')),
            ],
        ),
        migrations.RunPython(install, remove),
    ]
