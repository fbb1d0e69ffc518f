"""Timing a callable: a warm-up, then up to `runs` timed runs within a time budget."""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass


def runs_wanted() -> int:
    return int(os.environ.get("BENCH_RUNS", "100"))


def budget_seconds() -> float:
    """Time given to one read's timed runs; a slow read is timed fewer times (at least 3)."""
    return float(os.environ.get("BENCH_READ_BUDGET_S", "60"))


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Timed:
    seconds: list[float]

    @property
    def p50_ms(self) -> float:
        return round(percentile(self.seconds, 50) * 1000, 2)

    @property
    def p95_ms(self) -> float:
        return round(percentile(self.seconds, 95) * 1000, 2)


def timed(fn: Callable[[int], object], *, runs: int | None = None, budget: float | None = None,
          minimum: int = 3) -> Timed:
    """Call `fn(i)` once to warm up, then for i = 0, 1, ... until `runs` calls or `budget`
    seconds have passed (but at least `minimum` calls)."""
    runs = runs or runs_wanted()
    budget = budget if budget is not None else budget_seconds()
    fn(0)
    seconds: list[float] = []
    started = time.perf_counter()
    for i in range(runs):
        t0 = time.perf_counter()
        fn(i)
        seconds.append(time.perf_counter() - t0)
        if len(seconds) >= minimum and time.perf_counter() - started > budget:
            break
    return Timed(seconds)
