"""`make bench` (python -m bench): Homeward at national scale, timed.

    make bench                                  # BENCH_SCALE=10k
    BENCH_SCALE=1m make bench                   # a million episodes (built once, then kept)
    BENCH_SCALE=10k,1m make bench               # both, in one run

Each scale has a PostgreSQL database of its own, postgres://postgres@127.0.0.1:5432/homeward_bench_<scale>
unless DATABASE_URL names one (with several scales, `_<scale>` is appended to its name). It is
built by `bench.generate` when missing, stale or when BENCH_REBUILD=1, and kept otherwise: 10k
takes seconds, 1m some minutes. A `sqlite:///...` DATABASE_URL builds and reads a small scale
on SQLite (no intake).

It prints its progress, then on its last line one JSON object:

    {"scale": "1m", "reads": {NAME: {"p50_ms", "p95_ms", "queries", "sql_p95_ms"}},
     "reports": {NAME: {"p95_ms", "peak_mb"}},
     "intake": {"reports_per_s", "p99_ms", "cpu_ms_per_report", "lock_hold_ms"}, "first_page_s"}

With several scales, each scale's object is printed on a line of its own as it finishes, and the
last line is `{"scales": {"10k": {...}, "1m": {...}}}`. `first_page_s` does not depend on the
scale: it is measured once. Each scale runs in a process of its own, and their reads are timed
interleaved (`bench.turns`): every process is brought up first (database ready, signed in,
sample chosen), then each read is timed in batches of 10 runs taking turns between the scales,
one process working at a time; the reports and intake follow, one scale after the other. This
machine's speed drifts by a third over minutes: timed minutes apart, the ratio of two scales'
p95s would measure the drift rather than the growth with history.

Reads (`bench.reads`): board, home, worklist_api, episodes_api, child_page, child_api,
episode_page, obligations_api: in process with Django's test client, signed in as the
co-ordinator with a second factor (API reads with a bearer token); p50 and p95 of up to
BENCH_RUNS (100) runs after a warm-up, within BENCH_READ_BUDGET_S (60) seconds a read; the SQL
statements of one request after a first one (what a process reads once and keeps left out;
statements sent together in one round trip each count);
sql_p95_ms: hand-written indexed SQL giving the same answer.
Reports (`bench.reports`): ssda903, weekly, performance, patterns: p95 and the peak growth of
the resident set, each in a child process stopped after BENCH_REPORT_TIMEOUT_S (120) seconds.
Intake (`bench.intake`): gunicorn and 8 clients POSTing reports. First page (`bench.first_page`):
`homeward run` on a new SQLite database.

BENCH_ONLY=reads,reports,intake,first_page (or names of reads and reports) runs only those.
Builds and timings are heavy: on a shared machine run them under the CPU lock,
`flock /tmp/hw-cpu.lock make bench`.
"""

from __future__ import annotations

import json
import os
from typing import Any


def say(message: str) -> None:
    print(f"[bench] {message}", flush=True)


def _scales() -> list[str]:
    return [s.strip().lower() for s in os.environ.get("BENCH_SCALE", "10k").split(",") if s.strip()]


def _one(scale: str, url: str) -> dict[str, Any]:
    from .run import environment_prepare, run_scale

    environment_prepare(url, scale)
    return run_scale(scale, url, say)


def _several(scales: list[str], given: str) -> dict[str, Any]:
    from .database import database_url
    from .first_page import first_page_seconds
    from .turns import ScaleProcess, reads_in_turns

    processes: list[ScaleProcess] = []
    try:
        for scale in scales:
            env = {**os.environ, "BENCH_SCALE": scale, "BENCH_FIRST_PAGE": "skip",
                   "DATABASE_URL": database_url(scale, given=given, several=True)}
            processes.append(ScaleProcess(scale, env))
            processes[-1].ready()
        reads_in_turns(processes, say)
        results = {process.scale: process.rest() for process in processes}
    finally:
        for process in processes:
            process.stop()
    wanted = {p.strip() for p in os.environ.get("BENCH_ONLY", "").split(",") if p.strip()}
    first_page = first_page_seconds(say) if not wanted or "first_page" in wanted else None
    for result in results.values():
        result["first_page_s"] = first_page
    return {"scales": results}


def main() -> None:
    from .database import database_url
    from .run import episodes_for

    scales = _scales()
    for scale in scales:
        episodes_for(scale)
    given = os.environ.get("DATABASE_URL", "")
    if len(scales) == 1:
        result = _one(scales[0], database_url(scales[0], given=given, several=False))
        print(json.dumps(result), flush=True)
        return
    combined = _several(scales, given)
    for result in combined["scales"].values():
        print(json.dumps(result), flush=True)
    print(json.dumps(combined), flush=True)


if __name__ == "__main__":
    main()
