"""Build a benchmark database: `world` decides who and when, `setting` makes the people and
inboxes, `casefile` makes each child's rows and stored obligations, `tables` bulk-loads them
(COPY on PostgreSQL), `audit_chain` links the audit log.

On PostgreSQL the secondary indexes of the tables filled are dropped while loading and made
again afterwards, foreign keys are not checked row by row (the generator makes them right),
children are filled in by one process per core, and the database is vacuumed and analysed at
the end, as a long-running installation's would be. The build's facts (scale, the instant it
was built for, how long it took) are kept in the table `bench_build`.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
from django.apps import apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, connections, transaction
from django.utils import timezone

from homeward.common.sqlite_schema import sqlite_schema_create
from homeward.obligations.duty_days import duty_days_roll_all
from homeward.obligations.protocol_source import active_protocol
from homeward.reference.loader import load_reference_data
from homeward.reporting.care_periods import care_periods_work_out_all
from homeward.reporting.cohort_months import cohort_months_roll_all

from . import audit_chain, tables
from .casefile import Builder, Rows
from .setting import Setting, setting_create
from .world import World, build_world

# Bump when the generator makes different data: a kept database built by another version is rebuilt.
GENERATOR_VERSION = "4"  # 4: no placement ends while its child is missing (DfE rule 575)
CHUNK = 400
META = "bench_build"


@dataclass
class BuildReport:
    episodes: int
    children: int
    open: int
    rows: dict[str, int]
    seconds: float
    engine_calls: int


def say(message: str) -> None:
    print(f"[bench] {message}", flush=True)


# Set before the worker processes fork: they read it, never receive it through a pipe.
_shared: dict[str, Any] = {}


def _worker_setup() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # The generator makes every foreign key right; checking ten million of them one by
            # one would double the load. Needs a superuser; without one they are checked.
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            row = cursor.fetchone()
            if row and row[0]:
                cursor.execute("SET session_replication_role = replica")
            cursor.execute("SET synchronous_commit = off")


def _fill(chunk: tuple[int, int]) -> tuple[dict[str, int], int, float, float]:
    world: World = _shared["world"]
    setting: Setting = _shared["setting"]
    if not _shared.get("ready"):
        _worker_setup()
        _shared["ready"] = True
    started = time.perf_counter()
    rows = Rows()
    builder = Builder(setting, active_protocol(), rows)
    for plan in world.children[chunk[0]:chunk[1]]:
        builder.child(plan)
    made = time.perf_counter()
    with transaction.atomic():
        for key in tables.ORDER:
            tables.write(key, rows.by_table.get(key, ()))
        audit_chain.staging_write(rows.by_table.get("audit", ()))
    return ({key: len(value) for key, value in rows.by_table.items()}, builder.engine_calls, made - started,
            time.perf_counter() - made)


def _secondary_indexes(names: Sequence[str]) -> list[tuple[str, str]]:
    """(name, definition) of every index of these tables that no constraint relies on."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT ic.relname, pg_get_indexdef(i.indexrelid)
               FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_class ic ON ic.oid = i.indexrelid
               WHERE c.relname = ANY(%s) AND NOT i.indisprimary
                 AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)""",
            [list(names)],
        )
        return list(cursor.fetchall())


def _table_names() -> list[str]:
    # The audit log's tables too: they are written in bulk at the end (`audit_chain`).
    audit = [str(m._meta.db_table) for m in apps.get_app_config("audit").get_models()]
    return [tables.TABLES[key].name for key in tables.ORDER] + audit


def meta_read() -> dict[str, str]:
    with connection.cursor() as cursor:
        if META not in connection.introspection.table_names(cursor):
            return {}
        cursor.execute(f"SELECT key, value FROM {META}")
        return dict(cursor.fetchall())


def _meta_write(values: dict[str, str]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {META} (key VARCHAR(40) PRIMARY KEY, value TEXT)")
        cursor.execute(f"DELETE FROM {META}")
        cursor.executemany(f"INSERT INTO {META} (key, value) VALUES (%s, %s)", list(values.items()))


def build(episodes: int, *, scale: str, workers: int | None = None, seed: int = 20261125,
          now: datetime | None = None, progress: Callable[[str], None] = say) -> BuildReport:
    """Fill an empty, migrated database with `episodes` episodes and everything around them."""
    started = time.perf_counter()
    if connection.vendor == "sqlite":
        # As `homeward run` does: the shipped schema instead of every migration (seconds saved).
        sqlite_schema_create(connection)
    call_command("migrate", interactive=False, verbosity=0)
    load_reference_data()
    now = (now or timezone.now()).replace(second=0, microsecond=0)
    world = build_world(episodes, now=now, seed=seed)
    progress(f"world: {len(world.children):,} children, {world.episode_count:,} episodes "
             f"({world.open_count:,} open), {world.staff.workers:,} social workers in {world.staff.teams} teams")
    setting = setting_create(world.staff, now=world.now, seed=seed)
    postgres = connection.vendor == "postgresql"
    dropped: list[tuple[str, str]] = []
    if postgres:
        dropped = _secondary_indexes(_table_names())
        with connection.cursor() as cursor:
            for name, _definition in dropped:
                cursor.execute(f'DROP INDEX "{name}"')
            # Autovacuum would analyse each table again and again as it grows; one VACUUM
            # (ANALYZE) at the end does it once.
            for table in _table_names():
                cursor.execute(f'ALTER TABLE "{table}" SET (autovacuum_enabled = false)')
        progress(f"loading without {len(dropped)} secondary indexes (made again at the end) or autovacuum")
    audit_chain.staging_create()
    wanted = workers or int(os.environ.get("BENCH_WORKERS", "0")) or os.cpu_count() or 1
    workers = wanted if postgres else 1
    chunks = [(start, min(start + CHUNK, len(world.children))) for start in range(0, len(world.children), CHUNK)]
    totals: dict[str, int] = {}
    engine_calls = 0
    done_children = 0
    _shared.update(world=world, setting=setting, ready=False)
    fill_started = time.perf_counter()
    last_said = fill_started

    spent = {"making": 0.0, "writing": 0.0}

    def tally(result: tuple[dict[str, int], int, float, float], size: int) -> None:
        nonlocal engine_calls, done_children, last_said
        counts, calls, making, writing = result
        spent["making"] += making
        spent["writing"] += writing
        for key, value in counts.items():
            totals[key] = totals.get(key, 0) + value
        engine_calls += calls
        done_children += size
        if time.perf_counter() - last_said > 30 or done_children == len(world.children):
            last_said = time.perf_counter()
            elapsed = last_said - fill_started
            progress(f"children {done_children:,}/{len(world.children):,}: {totals.get('episode', 0):,} episodes, "
                     f"{totals.get('obligation', 0):,} obligations, {elapsed:.0f} s "
                     f"({totals.get('episode', 0) / max(elapsed, 1e-9):,.0f} episodes/s)")

    try:
        if workers > 1:
            connections.close_all()
            context = multiprocessing.get_context("fork")
            with context.Pool(workers) as pool:
                for chunk, result in zip(chunks, pool.imap(_fill, chunks), strict=True):
                    tally(result, chunk[1] - chunk[0])
            connections.close_all()
        else:
            _worker_setup()
            for chunk in chunks:
                tally(_fill(chunk), chunk[1] - chunk[0])
        filled = time.perf_counter() - fill_started
        progress(f"filled in {filled:.0f} s over {workers} processes: {spent['making']:.0f} s making rows "
                 f"({engine_calls:,} engine plans), {spent['writing']:.0f} s writing them; chaining the audit log")
        totals["audit"] = audit_chain.chain_staged(progress)
    finally:
        _shared.clear()
        if postgres:
            with connection.cursor() as cursor:
                cursor.execute("RESET session_replication_role")
                for table in _table_names():
                    cursor.execute(f'ALTER TABLE "{table}" RESET (autovacuum_enabled)')
            # Made again even when the build failed: a database is never left without them.
            _indexes_make(dropped, progress)
    _reset_sequences()
    started_roll = time.perf_counter()
    rolled = duty_days_roll_all()
    progress(f"closed episodes' duty figures rolled up for {rolled:,} days "
             f"in {time.perf_counter() - started_roll:.0f} s")
    started_roll = time.perf_counter()
    rolled = cohort_months_roll_all()
    progress(f"counts by cohort rolled up for {rolled:,} months in {time.perf_counter() - started_roll:.0f} s")
    if postgres:
        # The statuses were loaded with the triggers that keep the periods of care turned off.
        started_periods = time.perf_counter()
        periods = care_periods_work_out_all()
        progress(f"{periods:,} periods of care worked out in {time.perf_counter() - started_periods:.0f} s")
        started_vacuum = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
        progress(f"vacuumed and analysed in {time.perf_counter() - started_vacuum:.0f} s")
    seconds = time.perf_counter() - started
    _meta_write({"scale": scale, "episodes": str(world.episode_count), "children": str(len(world.children)),
                 "now": world.now.isoformat(), "built_at": timezone.now().isoformat(), "seed": str(seed),
                 "seconds": f"{seconds:.1f}", "generator": GENERATOR_VERSION})
    progress(f"built {scale} in {seconds:.0f} s: " + ", ".join(f"{k} {v:,}" for k, v in sorted(totals.items())))
    return BuildReport(episodes=world.episode_count, children=len(world.children), open=world.open_count,
                       rows=totals, seconds=seconds, engine_calls=engine_calls)


def _reset_sequences() -> None:
    models = [table.model for table in tables.TABLES.values()] + list(apps.get_app_config("audit").get_models())
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


def _indexes_make(dropped: list[tuple[str, str]], progress: Callable[[str], None]) -> None:
    """Make the indexes again, two connections at a time, largest tables first."""
    started = time.perf_counter()
    url = _libpq_url()

    def make(definitions: list[str]) -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("SET maintenance_work_mem = '512MB'")
            for definition in definitions:
                conn.execute(definition.encode())

    definitions = [definition for _name, definition in dropped]
    halves = [definitions[0::2], definitions[1::2]]
    with ThreadPoolExecutor(max_workers=2) as pool:
        for future in [pool.submit(make, half) for half in halves]:
            future.result()
    progress(f"{len(dropped)} indexes made in {time.perf_counter() - started:.0f} s")


def _libpq_url() -> str:
    """The default database as a libpq connection string."""
    settings_dict = connection.settings_dict
    return psycopg.conninfo.make_conninfo(
        dbname=settings_dict["NAME"], user=settings_dict.get("USER") or None,
        password=settings_dict.get("PASSWORD") or None, host=settings_dict.get("HOST") or None,
        port=str(settings_dict.get("PORT") or "") or None)
