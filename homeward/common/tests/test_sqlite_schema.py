"""The shipped SQLite schema (`common.sqlite_schema`) that `homeward run` makes a new
database from: it must be what the migrations make, and a database made from it must end up
as one migrated step by step, even once newer migrations exist."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from homeward.common.sqlite_schema import applied_migrations, schema_statements, snapshot_read, sqlite_schema_create


def _schema(statements: list[str]) -> set[str]:
    """The tables, indexes and triggers, without the rows that migrations write."""
    return {s for s in statements if not s.startswith(("INSERT ", "DELETE "))}


@pytest.fixture(scope="module")
def migrated() -> dict[str, Any]:
    """The snapshot of a database migrated from nothing, now."""
    built = subprocess.run(
        [sys.executable, "-c", "import json; from homeward.common.sqlite_schema import snapshot_build; "
                               "print(json.dumps(snapshot_build()))"],
        capture_output=True, text=True, timeout=120, check=True,
    )
    return dict(json.loads(built.stdout))


def test_the_shipped_schema_is_what_the_migrations_make(migrated: dict[str, Any]) -> None:
    shipped = snapshot_read()
    regenerate = "regenerate it: .venv/bin/python -m homeward.common.sqlite_schema"
    assert shipped["migrations"] == migrated["migrations"], f"a migration is new or gone; {regenerate}"
    assert shipped["statements"] == migrated["statements"], f"the migrations make another schema; {regenerate}"


def test_a_database_made_from_it_then_migrated_is_a_migrated_one(migrated: dict[str, Any], tmp_path: Path) -> None:
    """Written into an empty file with Django's own connection, as `homeward run` does, and
    left alone once it has tables; `migrate` then applies whatever is newer than the snapshot."""
    database = tmp_path / "new.sqlite3"
    script = (
        "import django; django.setup()\n"
        "from django.core.management import call_command\n"
        "from django.db import connection\n"
        "from homeward.common.sqlite_schema import sqlite_schema_create\n"
        "print(sqlite_schema_create(connection))\n"
        "print(sqlite_schema_create(connection))\n"
        "call_command('migrate', verbosity=0, interactive=False)\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.local", "DATABASE_URL": f"sqlite:///{database}",
           "HOMEWARD_VAR_DIR": str(tmp_path / "var")}
    made = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True,
                          env=env)
    assert made.stdout.split() == [str(len(snapshot_read()["migrations"])), "0"]
    with sqlite3.connect(database) as written:
        assert sorted(applied_migrations(written)) == sorted(migrated["migrations"])
        assert _schema(schema_statements(written)) == _schema(migrated["statements"])


@pytest.mark.django_db
def test_an_existing_database_is_left_alone() -> None:
    """The test database already has every table (and PostgreSQL always migrates)."""
    assert sqlite_schema_create(connection) == 0
