"""The planner knows how many rows share an episode's or a child's key (common 0001)."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.db import connection


@pytest.mark.django_db
def test_every_shared_key_carries_its_share_of_rows() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's planner statistics")
    from django.apps import apps

    with connection.cursor() as cursor:
        for app, model, column, share in import_module("homeward.common.migrations.0001_key_statistics").SHARE:
            table = apps.get_model(app, model)._meta.db_table
            cursor.execute("SELECT attoptions FROM pg_attribute WHERE attrelid = %s::regclass AND attname = %s",
                           [table, column])
            assert f"n_distinct={share}" in cursor.fetchone()[0], (table, column)
