"""The reports, each timed in a child process of its own so that a report that runs away (in
time or memory) is stopped without stopping the benchmark.

The child process (forked, with the signed-in client) asks for the report BENCH_REPORT_RUNS
times (default 5; a report slower than 10 s only twice), the first a warm-up; for each run it
sends back the time taken and the peak memory of the run: the growth of the process's resident
set over the run (VmHWM after the run less VmRSS before it, the high-water mark reset before
each run through /proc/self/clear_refs), so `peak_mb` is what the request itself needed on top
of the already-running process. A run that takes longer
than BENCH_REPORT_TIMEOUT_S (default 120) is stopped and reported as timed out; the child may
not grow past BENCH_REPORT_MEMORY_MB (default 8192) in all.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import resource
import time
from collections.abc import Callable
from datetime import date
from multiprocessing.connection import Connection
from typing import Any

from django.db import connections
from django.utils import timezone

from homeward.obligations.duty_days import duty_days_roll_due
from homeward.reporting.cohort_months import cohort_months_roll_due

from .signin import SignedIn
from .timing import percentile

REPORT_RUNS = 5
REPORT_NAMES = ("ssda903", "weekly", "performance", "patterns")
SLOW_S = 10.0


def _collection_year(today: date) -> int:
    """The last collection year that has ended (1 April to 31 March), by its end's year."""
    return today.year if today >= date(today.year, 4, 1) else today.year - 1


def report_paths() -> dict[str, tuple[str, bool]]:
    year = _collection_year(timezone.localdate())
    return {
        "ssda903": (f"/api/v1/reports/ssda903/missing?year={year}", True),
        "weekly": ("/reports/weekly", False),
        "performance": ("/reports/performance", False),
        "patterns": ("/reports/patterns", False),
    }


def _status_kb(field: str) -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def _child(who: SignedIn, path: str, api: bool, runs: int, pipe: Connection) -> None:
    limit = int(os.environ.get("BENCH_REPORT_MEMORY_MB", "8192")) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    headers = who.api_headers() if api else {}
    for run in range(runs):
        try:
            with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
                refs.write("5")
            before = _status_kb("VmRSS")
            t0 = time.perf_counter()
            response = who.pages.get(path, **headers)  # type: ignore[arg-type]
            seconds = time.perf_counter() - t0
            peak = max(0, _status_kb("VmHWM") - before) / 1024
            if response.status_code != 200:
                pipe.send({"error": f"answered {response.status_code}"})
                return
            pipe.send({"run": run, "seconds": seconds, "peak_mb": peak, "bytes": len(response.content)})
        except MemoryError:
            pipe.send({"error": f"ran out of the {limit // 2**20} MB allowed"})
            return
    pipe.close()


def _wait(receive: Connection, pid: int, timeout: float, resident: dict[str, float]) -> bool:
    """Wait for the child's next message (or its end), noting its largest resident set."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if receive.poll(0.5):
            return True
        try:
            with open(f"/proc/{pid}/status", encoding="ascii") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        resident["peak"] = max(resident["peak"], int(line.split()[1]) / 1024)
        except FileNotFoundError:
            return True
    return False


def report_measure(who: SignedIn, path: str, api: bool, *, runs: int = REPORT_RUNS,
                   timeout: float | None = None) -> dict[str, Any]:
    timeout = timeout or float(os.environ.get("BENCH_REPORT_TIMEOUT_S", "120"))
    connections.close_all()
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(who, path, api, runs, send))
    process.start()
    send.close()
    assert process.pid is not None
    results: list[dict[str, Any]] = []
    error = ""
    wanted = runs
    resident = {"peak": 0.0}
    try:
        while len(results) < wanted:
            if not _wait(receive, process.pid, timeout, resident):
                error = f"a run took longer than {timeout:.0f} s: stopped"
                break
            try:
                message = receive.recv()
            except EOFError:
                process.join()
                error = (f"the report's process ended (exit {process.exitcode}) at {resident['peak']:.0f} MB "
                         "resident")
                break
            if "error" in message:
                error = str(message["error"])
                break
            results.append(message)
            if len(results) == 1 and message["seconds"] > SLOW_S:
                # A slow report is timed once after its warm-up, so that the run ends.
                wanted = 2
    finally:
        if process.is_alive():
            process.kill()
        process.join()
    timed_runs = results[1:] if len(results) > 1 else results
    out: dict[str, Any] = {
        "p95_ms": round(percentile([r["seconds"] for r in timed_runs], 95) * 1000, 1) if timed_runs and not error
        else None,
        "peak_mb": round(max(r["peak_mb"] for r in results), 1) if results else None,
    }
    if error:
        out["error"] = error
    return out


def _rolled_up_caught_up(say: Callable[[str], None]) -> None:
    """Roll the duty days marked since the build, and the months of counts by cohort, as the
    worker does every minute (`duty_days_roll_due`, `cohort_months_roll_due`), before the clock
    starts: a kept database holds the marks of an earlier run's intake (undoing it stores again
    the obligations of its children's closed episodes, which marks their days), and without a
    worker the performance page would count those days from their rows, as no running
    installation does."""
    started = time.perf_counter()
    rolled = duty_days_roll_due(limit=100_000)  # every day due, at once
    say(f"reports: first rolled the {rolled:,} duty days marked since the build, as the worker would, "
        f"in {time.perf_counter() - started:.1f} s")
    # Likewise the months of counts by cohort: a database built before the roll-up came in, or a
    # month that has ended since the build.
    started = time.perf_counter()
    rolled = cohort_months_roll_due(limit=100_000)
    say(f"reports: first rolled {rolled:,} months of counts by cohort, as the worker would, "
        f"in {time.perf_counter() - started:.1f} s")


def reports_run(who: SignedIn, say: Callable[[str], None], only: set[str] | None = None) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    _rolled_up_caught_up(say)
    for name, (path, api) in report_paths().items():
        if only and name not in only:
            continue
        figures = report_measure(who, path, api, runs=int(os.environ.get("BENCH_REPORT_RUNS", str(REPORT_RUNS))))
        say(f"report {name}: {json.dumps(figures)} (GET {path}; peak_mb: resident set growth during the request)")
        out[name] = figures
    return out
