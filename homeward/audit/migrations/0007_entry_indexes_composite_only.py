"""The audit log's entries keep their (child, at) and (user, at) indexes and lose the single
column ones Django made for the two foreign keys, which those serve as well: every audited read
writes an entry per child it names, into every index of the log (issue 11). Only the indexes are
dropped: the foreign key constraints stay as they are (altering the fields in the database would
drop and validate them again over the whole log)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

_INDEXES = (("audit_auditentry_child_id_0ef8e7c7", "child_id"), ("audit_auditentry_user_id_b5ee03cd", "user_id"))


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0006_named_children"),
        ("children", "0003_external_id_optional"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="auditentry",
                    name="child",
                    field=models.ForeignKey(blank=True, db_index=False, null=True,
                                            on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                            to="children.child"),
                ),
                migrations.AlterField(
                    model_name="auditentry",
                    name="user",
                    field=models.ForeignKey(blank=True, db_index=False, null=True,
                                            on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                            to=settings.AUTH_USER_MODEL),
                ),
            ],
            database_operations=[
                migrations.RunSQL(f'DROP INDEX IF EXISTS "{name}"',
                                  reverse_sql=f'CREATE INDEX "{name}" ON "audit_auditentry" ("{column}")')
                for name, column in _INDEXES
            ],
        ),
    ]
