"""Each duty's figures over a set of episodes: how many were owed, done in time or late,
missed or not done (DOMAIN.md section 8, the performance report). Counted from the stored
rows for what is still live, and read from the days rolled up (`duty_days`) for closed
episodes, whose rows no longer change (issue 11). Reads only."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Max, Q, QuerySet

from .models import DutyDay, DutyFigures
from .selectors import status_filter


@dataclass(frozen=True)
class DutyCounts:
    code: str
    title: str
    owed: int
    done_in_time: int
    done_late: int
    missed: int
    not_done: int

    def plus(self, other: DutyCounts) -> DutyCounts:
        return DutyCounts(code=self.code, title=max(self.title, other.title), owed=self.owed + other.owed,
                          done_in_time=self.done_in_time + other.done_in_time,
                          done_late=self.done_late + other.done_late, missed=self.missed + other.missed,
                          not_done=self.not_done + other.not_done)


def duty_counts_query(rows: QuerySet[Any], as_of: datetime, *, by: tuple[str, ...] = ()) -> QuerySet[Any]:
    """Counts of `rows` (stored obligations) by code (after the columns `by`), each at its
    status at `as_of`; the
    placing authority's duties (for information) are not ours, and a row not yet listed is not
    yet owed. Rows are counted by their episode (never blank), not their id, so that
    PostgreSQL reads them from the index `obligation_figures_by_episode` alone."""
    done = status_filter("done", as_of)
    counted: QuerySet[Any] = (
        rows.filter(for_information=False, listed_from__lte=as_of)
        .values(*by, "code")
        .annotate(
            title=Max("title"), owed=Count("episode"),
            done_in_time=Count("episode", filter=done & Q(late=False)),
            done_late=Count("episode", filter=done & Q(late=True)),
            missed=Count("episode", filter=status_filter("missed", as_of)),
            not_done=Count("episode", filter=status_filter("not_done", as_of)),
        )
        .order_by(*by, "code")
    )
    return counted


def duty_counts(rows: QuerySet[Any], as_of: datetime) -> list[DutyCounts]:
    return [DutyCounts(**row) for row in duty_counts_query(rows, as_of)]


@dataclass(frozen=True)
class RolledFigures:
    """The rolled-up figures of a period: the days they cover and each duty's sum."""

    days: frozenset[date]
    counts: list[DutyCounts]


def rolled_figures(first: date, last: date) -> RolledFigures:
    """The figures of the rolled days from `first` to `last`, read in one statement so that
    the days and their sums are of one moment. A day marked since its last roll is left out:
    its episodes are counted from their rows."""
    rows = (DutyFigures.objects.filter(day__gte=first, day__lte=last,
                                       day__in=DutyDay.objects.filter(rolled_at__isnull=False).values("day"))
            .values_list("day", "code", "title", "owed", "done_in_time", "done_late", "missed", "not_done"))
    days: set[date] = set()
    counts: list[DutyCounts] = []
    for day, code, title, owed, in_time, late, missed, not_done in rows:
        days.add(day)
        counts.append(DutyCounts(code=code, title=title, owed=owed, done_in_time=in_time, done_late=late,
                                 missed=missed, not_done=not_done))
    return RolledFigures(days=frozenset(days), counts=combined(counts))


def combined(*parts: Iterable[DutyCounts]) -> list[DutyCounts]:
    """Counts of the same duties added together, in order of code."""
    summed: dict[str, DutyCounts] = {}
    for part in parts:
        for counts in part:
            summed[counts.code] = summed[counts.code].plus(counts) if counts.code in summed else counts
    return [summed[code] for code in sorted(summed)]


def unrolled_ranges(first: date, last: date, rolled: frozenset[date]) -> list[tuple[date, date]]:
    """The runs of days from `first` to `last` (inclusive) that are not in `rolled`, as
    (first, last) pairs in order."""
    runs: list[tuple[date, date]] = []
    start: date | None = None
    for ordinal in range(first.toordinal(), last.toordinal() + 1):
        day = date.fromordinal(ordinal)
        if day in rolled:
            if start is not None:
                runs.append((start, date.fromordinal(ordinal - 1)))
                start = None
        elif start is None:
            start = day
    if start is not None:
        runs.append((start, last))
    return runs
