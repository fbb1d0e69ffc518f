"""A new SQLite database made from the schema the migrations make, without replaying them.

`homeward run` on a new SQLite file spent two seconds in `migrate`, nearly all of it Django
rebuilding its model of every migration's state, for a schema that is the same every time.
`sqlite_schema.json` holds that schema (the statements a dump of a freshly migrated database
gives) and the migrations it reflects. `sqlite_schema_create` writes it into an empty
database and records those migrations as applied; `migrate` then applies any newer ones, so a
snapshot that lags behind the migrations costs time, never correctness. PostgreSQL always
migrates.

Regenerate the snapshot after adding a migration (a test says when it is due):

    .venv/bin/python -m homeward.common.sqlite_schema
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import sys
import tempfile
from pathlib import Path
from typing import Any

SNAPSHOT = Path(__file__).with_name("sqlite_schema.json")
# What an app label or a migration's name may be, so that either may be written into SQL.
_NAME = re.compile(r"[A-Za-z0-9_]+")

def schema_statements(database: sqlite3.Connection) -> list[str]:
    """The statements that rebuild `database`'s schema and the rows its migrations wrote
    (content types, permissions), leaving out the record of the migrations applied, which
    the snapshot keeps apart: which, not when."""
    statements = []
    for statement in database.iterdump():
        if statement in ("BEGIN TRANSACTION;", "COMMIT;"):
            continue
        if statement.startswith('INSERT INTO "django_migrations"'):
            continue
        statements.append(statement)
    return statements


def applied_migrations(database: sqlite3.Connection) -> list[list[str]]:
    rows = database.execute("SELECT app, name FROM django_migrations ORDER BY id")
    return [[app, name] for app, name in rows]


def snapshot_read(path: Path = SNAPSHOT) -> dict[str, Any]:
    return dict(json.loads(path.read_text(encoding="utf-8")))


def sqlite_schema_create(connection: Any, path: Path = SNAPSHOT) -> int:
    """Write the snapshot into `connection`'s database when it is SQLite and holds no table
    yet; returns how many migrations it recorded as applied (0: nothing written)."""
    if connection.vendor != "sqlite" or not path.exists() or connection.introspection.table_names():
        return 0
    snapshot = snapshot_read(path)
    migrations = snapshot["migrations"]
    if not all(_NAME.fullmatch(part) for migration in migrations for part in migration):
        raise ValueError(f"{path}: a migration's app or name is not a plain identifier")
    applied = [f"INSERT INTO django_migrations (app, name, applied) VALUES ('{app}', '{name}', "  # noqa: S608 (checked)
               "CURRENT_TIMESTAMP);" for app, name in migrations]
    connection.ensure_connection()
    database: sqlite3.Connection = connection.connection
    # One script in one transaction, the record of the migrations with it: a database is made
    # whole or not at all. A dump lists tables by name, so rows may come before the table
    # they refer to: the references are checked once all is written, not row by row.
    database.executescript("\n".join(["PRAGMA foreign_keys = OFF;", "BEGIN;", *snapshot["statements"], *applied,
                                      "COMMIT;", "PRAGMA foreign_keys = ON;"]))
    if database.execute("PRAGMA foreign_key_check").fetchone() is not None:
        raise RuntimeError(f"{path} refers to rows it does not hold: regenerate it")
    return len(migrations)


def snapshot_build() -> dict[str, Any]:
    """Migrate a new SQLite database in a scratch directory and take its snapshot."""
    with tempfile.TemporaryDirectory(prefix="homeward-schema-") as scratch:
        os.environ["HOMEWARD_VAR_DIR"] = scratch
        os.environ["DATABASE_URL"] = ""
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", interactive=False, verbosity=0)
        connection.close()
        database = sqlite3.connect(Path(scratch) / "homeward.sqlite3")
        try:
            return {
                "about": "The schema Homeward's migrations make on SQLite (homeward/common/sqlite_schema.py). "
                         "Generated: regenerate with `.venv/bin/python -m homeward.common.sqlite_schema`.",
                "migrations": applied_migrations(database),
                "statements": schema_statements(database),
            }
        finally:
            database.close()


def snapshot_text(snapshot: dict[str, Any]) -> str:
    """JSON with one migration or statement a line, so that a change reads as a short diff."""
    def items(values: list[Any]) -> str:
        return ",\n".join(f"  {json.dumps(value)}" for value in values)

    return (f'{{\n "about": {json.dumps(snapshot["about"])},\n'
            f' "migrations": [\n{items(snapshot["migrations"])}\n ],\n'
            f' "statements": [\n{items(snapshot["statements"])}\n ]\n}}\n')


def main() -> None:
    snapshot = snapshot_build()
    SNAPSHOT.write_text(snapshot_text(snapshot), encoding="utf-8")
    sys.stdout.write(f"Wrote {SNAPSHOT}: {len(snapshot['migrations'])} migrations, "
                     f"{len(snapshot['statements'])} statements.\n")


if __name__ == "__main__":
    main()
