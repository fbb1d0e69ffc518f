"""ADR 0023: the audit log's entries name their person and child, and the chain's to-do list its
entry, without foreign-key constraints in the database: each check share-locked the row named
(a child's, on every audited read of it). Only the constraints are dropped, a change to the
catalogue; the columns and indexes stay."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0007_entry_indexes_composite_only'),
        ('children', '0003_external_id_optional'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='auditentry',
            name='child',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='children.child'),
        ),
        migrations.AlterField(
            model_name='auditentry',
            name='user',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='auditpending',
            name='entry',
            field=models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='+', serialize=False, to='audit.auditentry'),
        ),
    ]
