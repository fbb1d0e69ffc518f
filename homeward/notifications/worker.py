"""The background worker: delivers the notification outbox and runs periodic tasks.

Run it as its own process with `homeward worker` (as many as you like, on as many machines:
they share the database), or in a daemon thread of the web server with
`worker_start_in_thread()` (the embedded `homeward run`).

Periodic tasks are configured in the setting `HOMEWARD_PERIODIC_TASKS`, a list of
`(dotted path of a callable taking no arguments, seconds between runs)`. Their schedule is
kept in the database (`PeriodicTaskState`), so however many workers run, each task starts
once per interval: a worker claims a due run with one conditional UPDATE. A task that runs
longer than its interval may overlap its next run, so tasks must be idempotent. A task that
raises is logged and recorded (`last_error`); the worker carries on. In `run()` the periodic
tasks have a thread of their own, so a long one (a large import) never delays the delivery of
notifications (issue 14).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import close_old_connections, connection
from django.utils import timezone
from django.utils.module_loading import import_string

from homeward.audit.services import audit_chain_extend

from .delivery import DeliveryReport, notifications_deliver_due
from .models import PeriodicTaskState
from .wake import wait_for_work, wake_workers, work_seen

log = logging.getLogger(__name__)

BATCH = 50
#: How often the audit log's new entries are linked into its chain (ADR 0013): each entry
#: proves itself meanwhile; the chain is what shows one removed.
CHAIN_EVERY_SECONDS = 1.0
#: A step that links no more than this is not worth a line in the log.
CHAIN_STEP_QUIET = 1000

#: Batches per pass: a backlog drains quickly, and periodic tasks still get their turn.
BATCHES_PER_PASS = 10


#: After a failed step the next try comes this soon, doubling while it keeps failing (up to
#: the loop's own pause): a moment's lock costs a second, not a whole interval.
RETRY_FIRST_SECONDS = 0.5


def retry_after(failures: int) -> float:
    """Seconds before the next try after `failures` failed steps in a row."""
    return float(RETRY_FIRST_SECONDS * 2 ** min(failures - 1, 10))


@dataclass(frozen=True)
class PeriodicTask:
    name: str
    func: Callable[[], object]
    every: timedelta


@dataclass(frozen=True)
class PassReport:
    delivery: DeliveryReport
    tasks_run: tuple[str, ...]

    def __str__(self) -> str:
        d = self.delivery
        tasks = ", ".join(self.tasks_run) or "none"
        return (f"notifications: {d.claimed} claimed, {d.sent} sent, {d.retrying} to retry, "
                f"{d.failed} failed; periodic tasks run: {tasks}")


def periodic_tasks_from_settings() -> tuple[PeriodicTask, ...]:
    """`HOMEWARD_PERIODIC_TASKS`, checked: a mistake stops the worker at start-up, named."""
    tasks = []
    for entry in getattr(settings, "HOMEWARD_PERIODIC_TASKS", []):
        try:
            path, seconds = entry
        except (TypeError, ValueError):
            raise ImproperlyConfigured(f"HOMEWARD_PERIODIC_TASKS: {entry!r} is not (dotted path, seconds)") from None
        if not isinstance(seconds, int) or seconds <= 0:
            raise ImproperlyConfigured(f"HOMEWARD_PERIODIC_TASKS: {path}: seconds must be a positive integer")
        try:
            func = import_string(path)
        except ImportError as exc:
            raise ImproperlyConfigured(f"HOMEWARD_PERIODIC_TASKS: cannot import {path}: {exc}") from exc
        tasks.append(PeriodicTask(name=path, func=func, every=timedelta(seconds=seconds)))
    return tuple(tasks)


def _claim_run(task: PeriodicTask, now: datetime) -> bool:
    # get_or_create copes with another worker creating the row at the same moment.
    PeriodicTaskState.objects.get_or_create(name=task.name, defaults={"next_run_at": now})
    claimed = PeriodicTaskState.objects.filter(name=task.name, next_run_at__lte=now).update(
        next_run_at=now + task.every, last_started_at=now
    )
    return claimed == 1


def run_due_tasks(tasks: tuple[PeriodicTask, ...], *, now: datetime | None = None) -> tuple[str, ...]:
    now = now or timezone.now()
    ran = []
    for task in tasks:
        if not _claim_run(task, now):
            continue
        error = ""
        try:
            task.func()
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"[:2000]
            log.exception("periodic task %s failed", task.name)
        PeriodicTaskState.objects.filter(name=task.name).update(last_finished_at=timezone.now(), last_error=error)
        ran.append(task.name)
    return tuple(ran)


def _release_connections() -> None:
    """Drop broken or expired database connections between passes, as a request would;
    never inside a caller's transaction (a pass run from a shell or a test)."""
    if not connection.in_atomic_block:
        close_old_connections()


class Worker:
    """One worker: `run()` loops until `stop()`; `run_pass()` does one pass."""

    def __init__(self, *, interval: float = 5.0, tasks: tuple[PeriodicTask, ...] | None = None) -> None:
        self.interval = interval
        self.tasks = periodic_tasks_from_settings() if tasks is None else tasks
        self._stop = threading.Event()
        #: Passes completed by `run()`, for health checks and tests.
        self.passes = 0

    def run_pass(self, *, now: datetime | None = None) -> PassReport:
        """One pass of both, one after the other (a shell, a test): deliver, then the tasks due."""
        _release_connections()
        try:
            delivery = self.deliver_pass(now=now)
            return PassReport(delivery, run_due_tasks(self.tasks, now=now))
        finally:
            _release_connections()

    def deliver_pass(self, *, now: datetime | None = None) -> DeliveryReport:
        """Deliver what is due, batch after batch, up to BATCHES_PER_PASS batches."""
        claimed = sent = retrying = failed = 0
        for _ in range(BATCHES_PER_PASS):
            report = notifications_deliver_due(now=now, limit=BATCH)
            claimed, sent = claimed + report.claimed, sent + report.sent
            retrying, failed = retrying + report.retrying, failed + report.failed
            if report.claimed < BATCH:
                break
        return DeliveryReport(claimed, sent, retrying, failed)

    def _loop(self, name: str, step: Callable[[], str], *, waits_for_work: bool, every: float | None = None) -> None:
        """Run `step` until stopped, every `every` seconds (the worker's interval by default);
        it returns what to log ("" for nothing)."""
        pause = self.interval if every is None else every
        failures = 0
        try:
            while not self._stop.is_set():
                if waits_for_work:
                    work_seen()
                _release_connections()
                try:
                    said = step()
                    failures = 0
                    if said:
                        log.info("worker %s: %s", name, said)
                except Exception:
                    # The database or the mail server may be away, or busy for a moment: try
                    # again soon, then less often while it stays away.
                    failures += 1
                    log.exception("worker %s failed", name)
                finally:
                    _release_connections()
                if waits_for_work:
                    self.passes += 1
                if self._stop.is_set():
                    break
                wait = min(pause, retry_after(failures)) if failures else pause
                if waits_for_work:
                    wait_for_work(wait)
                else:
                    self._stop.wait(wait)
        finally:
            # A thread's database connections are its own: close them as it ends.
            if not connection.in_atomic_block:
                connection.close()

    def _deliver_step(self) -> str:
        report = self.deliver_pass()
        return f"notifications: {report.claimed} claimed, {report.sent} sent, {report.retrying} to retry, " \
               f"{report.failed} failed" if report.claimed else ""

    def _tasks_step(self) -> str:
        ran = run_due_tasks(self.tasks)
        return f"periodic tasks run: {', '.join(ran)}" if ran else ""

    def _chain_step(self) -> str:
        linked = audit_chain_extend()
        return f"audit chain: {linked} entries linked" if linked > CHAIN_STEP_QUIET else ""

    def run(self) -> None:
        """Deliver notifications in this thread, run the periodic tasks in another and link the
        audit log's new entries into its chain in a third, until `stop()`: an import of 300,000
        rows keeps the tasks thread busy, never the outbox or the chain."""
        helpers = [threading.Thread(target=self._loop, args=("tasks", self._tasks_step),
                                    kwargs={"waits_for_work": False}, name="homeward-worker-tasks", daemon=True)]
        if connection.vendor != "sqlite":  # SQLite links each entry as it is written
            helpers.append(threading.Thread(target=self._loop, args=("chain", self._chain_step),
                                            kwargs={"waits_for_work": False, "every": CHAIN_EVERY_SECONDS},
                                            name="homeward-worker-chain", daemon=True))
        for helper in helpers:
            helper.start()
        try:
            self._loop("delivery", self._deliver_step, waits_for_work=True)
        finally:
            self._stop.set()
            for helper in helpers:
                helper.join(timeout=5)

    def stop(self) -> None:
        """Finish the current pass, then return from `run()`."""
        self._stop.set()
        wake_workers()


@dataclass(frozen=True)
class WorkerThread:
    worker: Worker
    thread: threading.Thread

    def stop(self, timeout: float = 30.0) -> None:
        self.worker.stop()
        self.thread.join(timeout)


def worker_start_in_thread(*, interval: float = 5.0) -> WorkerThread:
    """Start the worker loop in a daemon thread of this process (the embedded default)."""
    worker = Worker(interval=interval)
    thread = threading.Thread(target=worker.run, name="homeward-worker", daemon=True)
    thread.start()
    return WorkerThread(worker=worker, thread=thread)
