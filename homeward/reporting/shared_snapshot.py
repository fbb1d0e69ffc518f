"""A report's independent statements run at once, each on its own connection, all reading one
snapshot of the database (PostgreSQL; issue 11).

A national year's performance figures are four large statements that share nothing but the
data: the counts by cohort, the repeat-missing episodes, the return interviews owed and the
duties. One after another on one connection they use one core. Inside `shared_snapshot` the
report's transaction is REPEATABLE READ and exports its snapshot (`pg_export_snapshot`);
`run_together` gives each worker thread a connection of its own whose transaction imports that
snapshot (`SET TRANSACTION SNAPSHOT`), so that every statement sees the database as of one
instant, exactly as if they had run in turn in the report's transaction.

They run in turn, on the caller's connection, wherever that is not so: on SQLite, and inside a
transaction opened before the report (a test's, or a request's that wrote first), whose own
uncommitted rows another connection could not see.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import connection, transaction

from .statements import REPORT_SETTINGS

# The exported snapshot of the report in progress on this thread, if its statements may share it.
_snapshot: ContextVar[str | None] = ContextVar("report_snapshot", default=None)


def connections_per_report() -> int:
    """How many connections a report may read on at once: one per core by default
    (HOMEWARD_REPORT_CONNECTIONS), at least one."""
    return max(1, int(os.environ.get("HOMEWARD_REPORT_CONNECTIONS", "0") or 0) or (os.cpu_count() or 1))


@contextmanager
def shared_snapshot() -> Iterator[None]:
    """The report's transaction, with the settings of `report_statements`; on PostgreSQL, when
    no transaction is open already and more than one connection is allowed, REPEATABLE READ with
    its snapshot exported for `run_together`."""
    if connection.vendor != "postgresql":
        yield
        return
    shareable = not connection.in_atomic_block and connections_per_report() > 1
    with transaction.atomic(), connection.cursor() as cursor:
        if shareable:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        for setting in REPORT_SETTINGS:  # as `statements.report_statements` makes them
            cursor.execute(setting)
        token = None
        if shareable:
            cursor.execute("SELECT pg_export_snapshot()")
            token = _snapshot.set(cursor.fetchone()[0])
        try:
            yield
        finally:
            if token is not None:
                _snapshot.reset(token)


def _on_snapshot(snapshot: str, calls: list[Callable[[], Any]]) -> list[Any]:
    """In a worker thread: the calls on this thread's own connection, in a transaction that
    reads the report's snapshot; the connection closed after."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SET TRANSACTION SNAPSHOT %s", [snapshot])
            for setting in REPORT_SETTINGS:  # as `statements.report_statements` makes them
                cursor.execute(setting)
            return [call() for call in calls]
    finally:
        connection.close()


def run_together(*calls: Callable[[], Any]) -> list[Any]:
    """The calls' answers, in order. Inside `shared_snapshot` with its snapshot exported, the
    first runs here and the others on worker threads (as many as `connections_per_report`
    allows besides this one, taking them in turn): put the longest first. Elsewhere, one after
    another."""
    snapshot = _snapshot.get()
    if snapshot is None or len(calls) < 2:
        return [call() for call in calls]
    workers = min(connections_per_report() - 1, len(calls) - 1)
    shares: list[list[Callable[[], Any]]] = [list(calls[1 + i::workers]) for i in range(workers)]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="report") as pool:
        futures = [pool.submit(_on_snapshot, snapshot, share) for share in shares]
        first = calls[0]()
        answers: dict[int, Any] = {0: first}
        for i, future in enumerate(futures):
            for j, answer in enumerate(future.result()):
                answers[1 + i + j * workers] = answer
    return [answers[index] for index in range(len(calls))]
