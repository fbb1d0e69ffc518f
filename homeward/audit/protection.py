"""Making the audit log append-only for the application on PostgreSQL.

The database owner runs migrations; the application connects as a separate role. That role
may read and write every table, but on the audit log it may only SELECT and INSERT: an
UPDATE, DELETE or TRUNCATE is refused by PostgreSQL itself (`homeward audit protect`). A row
trigger installed by migration refuses UPDATE and DELETE for every role, so only someone
acting as the owner (who can disable the trigger) could change the log, and
`homeward audit verify` then finds it. (TRUNCATE is left to privileges: the test runner
empties tables with it.)
"""

from __future__ import annotations

import re

from django.db import connection

from .models import AuditEntry, AuditLink, AuditNamed

_ROLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")

# Installed by migration on every PostgreSQL database: no role but one that first drops the
# trigger (the owner) can change or remove an entry.
ROW_TRIGGER_SQL = """
CREATE OR REPLACE FUNCTION homeward_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS homeward_audit_append_only ON audit_auditentry;
CREATE TRIGGER homeward_audit_append_only BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION homeward_audit_append_only();
"""

# The chain's links (ADR 0013) are append-only in the same way.
LINK_TRIGGER_SQL = """
DROP TRIGGER IF EXISTS homeward_audit_append_only ON audit_auditlink;
CREATE TRIGGER homeward_audit_append_only BEFORE UPDATE OR DELETE ON audit_auditlink
    FOR EACH ROW EXECUTE FUNCTION homeward_audit_append_only();
"""


# So are the children an export names (ADR 0017).
NAMED_TRIGGER_SQL = """
DROP TRIGGER IF EXISTS homeward_audit_append_only ON audit_auditnamed;
CREATE TRIGGER homeward_audit_append_only BEFORE UPDATE OR DELETE ON audit_auditnamed
    FOR EACH ROW EXECUTE FUNCTION homeward_audit_append_only();
"""


def audit_protect(*, app_role: str) -> str:
    if connection.vendor != "postgresql":
        return "Not PostgreSQL: the embedded SQLite database has no roles; the hash chain still shows tampering."
    if not _ROLE.match(app_role):
        raise ValueError(f"{app_role!r} is not a plain PostgreSQL role name")
    tables = [connection.ops.quote_name(model._meta.db_table) for model in (AuditEntry, AuditLink, AuditNamed)]
    role = connection.ops.quote_name(app_role)
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = connection.ops.quote_name(cursor.fetchone()[0])
        cursor.execute(f"GRANT USAGE ON SCHEMA {schema} TO {role}")
        cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}")
        cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {role}")
        for table in tables:
            cursor.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM {role}")
    return (f"The audit log, its chain and the children exports name are append-only for {app_role}: it may "
            "SELECT and INSERT, nothing else.")
