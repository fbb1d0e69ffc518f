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

`written_beside` runs a write the same way (an export's entry in the audit log): on a worker
thread's connection, on the report's snapshot, while the report goes on, its transaction held
open until the report says whether to keep it (commit) or not (roll back).
"""

from __future__ import annotations

import contextvars
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Generic, TypeVar, cast

from django.db import connection, transaction

from .statements import REPORT_SETTINGS

T = TypeVar("T")

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


def snapshot_shared() -> bool:
    """Whether the report in progress on this thread has its snapshot exported (`shared_snapshot`):
    `run_together` and `written_beside` then use connections of their own."""
    return _snapshot.get() is not None


def beside_possible() -> bool:
    """Whether a report begun now could share its snapshot (`shared_snapshot`): PostgreSQL, no
    transaction open already, more than one connection allowed."""
    return connection.vendor == "postgresql" and not connection.in_atomic_block and connections_per_report() > 1


class _Dropped(Exception):
    """Rolls back a write beside the report that was not kept (`WrittenBeside`)."""


class WrittenBeside(Generic[T]):
    """A write begun on a worker thread's own connection, reading the report's snapshot, in the
    caller's context (the audit log's request origin is a context variable). Its transaction
    stays open until `keep` (commit; the call's answer, or its error raised) or the end of the
    `with` block (roll back, unless kept)."""

    def __init__(self, snapshot: str, call: Callable[[], T]) -> None:
        self._decided = threading.Event()
        self._kept = False
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="report-write")
        context = contextvars.copy_context()
        self._future: Future[T | None] = self._pool.submit(context.run, self._write, snapshot, call)

    def _write(self, snapshot: str, call: Callable[[], T]) -> T | None:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                cursor.execute("SET TRANSACTION SNAPSHOT %s", [snapshot])
                for setting in REPORT_SETTINGS:
                    cursor.execute(setting)
                answer = call()
                self._decided.wait()
                if not self._kept:
                    raise _Dropped
                return answer
        except _Dropped:
            return None
        finally:
            connection.close()

    def keep(self) -> T:
        """Commit the write, once it is done: what the call answered (its error raised)."""
        self._kept = True
        self._decided.set()
        return cast(T, self._future.result())

    def __enter__(self) -> WrittenBeside[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        # Not kept: rolled back. Either way the worker has ended before the caller goes on.
        self._decided.set()
        try:
            if not self._kept:
                self._future.exception()
        finally:
            self._pool.shutdown(wait=True)


def written_beside(call: Callable[[], T]) -> WrittenBeside[T]:
    """`call` begun beside the report in progress (inside `shared_snapshot` with its snapshot
    exported: ask `snapshot_shared` first), to be kept or rolled back (`WrittenBeside`)."""
    snapshot = _snapshot.get()
    if snapshot is None:
        raise RuntimeError("written_beside needs the report's snapshot exported (shared_snapshot)")
    return WrittenBeside(snapshot, call)
