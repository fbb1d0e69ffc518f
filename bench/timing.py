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


class Runs:
    """`timed`'s runs, taken a batch at a time when the reads of several scales take turns
    (`bench.turns`): `i` goes on from one batch to the next, and the budget counts only the time
    spent in this callable's batches, not the other scales' turns in between."""

    def __init__(self, fn: Callable[[int], object], *, runs: int | None = None, budget: float | None = None,
                 minimum: int = 3, clock: Callable[[], float] = time.perf_counter) -> None:
        self.fn = fn
        self.runs = runs or runs_wanted()
        self.budget = budget if budget is not None else budget_seconds()
        self.minimum = minimum
        self.clock = clock
        self.seconds: list[float] = []
        self.spent = 0.0
        self.finished = False

    def warm(self) -> None:
        self.fn(0)

    def batch(self, count: int | None = None) -> bool:
        """Up to `count` more runs (all that are left if None); whether the runs are over."""
        started = self.clock()
        try:
            for _ in range(self.runs if count is None else count):
                if self.finished:
                    break
                t0 = self.clock()
                self.fn(len(self.seconds))
                self.seconds.append(self.clock() - t0)
                over_budget = len(self.seconds) >= self.minimum and self.spent + self.clock() - started > self.budget
                self.finished = len(self.seconds) >= self.runs or over_budget
        finally:
            self.spent += self.clock() - started
        return self.finished


def timed(fn: Callable[[int], object], *, runs: int | None = None, budget: float | None = None,
          minimum: int = 3) -> Timed:
    """Call `fn(i)` once to warm up, then for i = 0, 1, ... until `runs` calls or `budget`
    seconds have passed (but at least `minimum` calls)."""
    taken = Runs(fn, runs=runs, budget=budget, minimum=minimum)
    taken.warm()
    taken.batch()
    return Timed(taken.seconds)
