from django.db import migrations


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from homeward.audit.protection import ROW_TRIGGER_SQL

    schema_editor.execute(ROW_TRIGGER_SQL, None)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP TRIGGER IF EXISTS homeward_audit_append_only ON audit_auditentry")
    schema_editor.execute("DROP FUNCTION IF EXISTS homeward_audit_append_only()")


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_initial")]

    operations = [migrations.RunPython(install, remove)]
