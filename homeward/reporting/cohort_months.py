"""Past months' counts by cohort rolled up, on PostgreSQL (issue 11, ADR 0021).

The performance report counts a year's episodes by month and by each cohort dimension at
`missing_since` (`cohort_counts`): at national scale a third of a million episodes, each with
its child's legal status and placement in force worked out from the child's history, about
2 s a page. A past month's counts change only when its episodes or its children's histories
do, so they are kept per month (`CohortFigures`) and the report works out from the episodes
only the months not rolled (the current one, and any changed since its roll) and, in one
pass over the period's episodes, what no month can hold: the distinct children of the whole
period and the middle of the lengths.

- **Marks.** Database triggers (migration `reporting.0002`) write a `CohortMark` for each past
  month touched by a change, in the change's transaction: an episode added, moved, found,
  cancelled or moved to another child; a child's date of birth or sex; a legal status or a
  placement (every past month of that child's episodes). Whatever the write path, bulk or
  one row at a time, the mark is committed with the change, so a report's snapshot that sees
  the change sees the mark and counts that month from its episodes. Writes to the current
  month mark nothing (intake pays one trigger call, no row).
- **Declaring a month.** When a month ends, writes to it made while it was current carried no
  mark. The worker first declares the month (a `CohortMonth` row), then notes the transactions
  running (`declared_snapshot`); the month is rolled only once they have all ended, so every
  write to it is either committed before the roll reads it or was made after the month had
  passed, and marked.
- **Rolling.** Each month in its own transaction, holding its row: the marks present are read
  first, then the month is counted, then those marks (and no later ones) are removed. A change
  committed meanwhile leaves its mark, and the month is counted from its episodes again until
  the next roll.
- **Reading** (`rolled_cohort_months`): the months wholly inside the period, rolled with this
  layout of the figures and this home authority, without marks. Only for people who see the
  whole authority; anyone whose view is scoped is counted from the episodes they see.

On SQLite (the demonstration) there are no triggers and nothing is rolled: every month is
counted from its episodes, the same answer.
"""

from __future__ import annotations

import operator
import zlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import reduce

from django.db import connection, transaction
from django.db.models import Max, Min, Q, QuerySet
from django.utils import timezone

from homeward.common.timeutil import local_date
from homeward.episodes.models import Episode, EpisodeStatus
from homeward.obligations.duty_figures import unrolled_ranges as unrolled_days

from .cohort_counts import DIMENSIONS, HOURS, CohortCount, PeriodCounts, period_counts, period_totals
from .history import AGE_BANDS, home_authority_id, period_bounds
from .models import CohortFigures, CohortMark, CohortMonth

# Which figures a roll holds: a month rolled under other buckets, bands or dimensions is
# counted from its episodes until rolled again.
LAYOUT = zlib.crc32(repr((HOURS, AGE_BANDS, DIMENSIONS)).encode()) & 0x7FFF


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return date(month.year + 1, 1, 1) if month.month == 12 else date(month.year, month.month + 1, 1)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The instants [start, end) of a Europe/London month."""
    return period_bounds(month, next_month(month) - timedelta(days=1))


def _month_episodes(month: date) -> QuerySet[Episode]:
    start, end = month_bounds(month)
    return (Episode.objects.exclude(status=EpisodeStatus.CANCELLED)
            .filter(missing_since__gte=start, missing_since__lt=end))


def rolls_kept() -> bool:
    """Whether months are rolled here: PostgreSQL, where the triggers mark them."""
    return connection.vendor == "postgresql"


def _figures(month: date, counts: PeriodCounts) -> list[CohortFigures]:
    """The rows of one month's counts (`period_counts` over that month alone)."""
    rows = [CohortFigures(month=month, dimension=c.dimension, value=c.value, episodes=c.episodes,
                          children=c.children)
            for c in counts.cohorts if c.dimension != "total" and c.episodes]
    rows.extend(CohortFigures(month=month, dimension="bucket", value=str(index), episodes=count, children=0)
                for index, count in counts.buckets.items() if index >= 0 and count)
    if counts.still_missing:
        rows.append(CohortFigures(month=month, dimension="still_missing", value="", episodes=counts.still_missing,
                                  children=0))
    return rows


# A snapshot with no transaction running: nothing to wait for.
_NONE_RUNNING = "1:1:"


def _declare(now: datetime) -> int:
    """Declare the months that have passed since the latest declared (from the first episode's
    month, the first time), and any earlier month marked since (an episode recorded long
    after). Returns how many."""
    current = month_start(local_date(now))
    latest = CohortMonth.objects.aggregate(latest=Max("month"))["latest"]
    if latest is None:
        earliest = Episode.objects.aggregate(earliest=Min("missing_since"))["earliest"]
        start = month_start(local_date(earliest)) if earliest is not None else current
    else:
        start = next_month(latest)
    months: set[date] = set()
    while start < current:
        months.add(start)
        start = next_month(start)
    months.update(CohortMark.objects.filter(month__lt=current).exclude(month__in=CohortMonth.objects.values("month"))
                  .values_list("month", flat=True).distinct())
    CohortMonth.objects.bulk_create([CohortMonth(month=m) for m in sorted(months)], ignore_conflicts=True)
    return len(months)


def _note_horizon() -> None:
    """After the declarations have committed: the transactions running now, any of which may
    have written to a declared month unmarked, must end before it is rolled."""
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {CohortMonth._meta.db_table} SET declared_snapshot = "  # noqa: S608
                       "CAST(pg_current_snapshot() AS text) WHERE declared_snapshot = ''")


def _current(months: QuerySet[CohortMonth], home: int | None) -> QuerySet[CohortMonth]:
    """The months whose rolled figures are current: rolled with this layout and the home
    authority `home`, and not marked since."""
    return (months.filter(rolled_at__isnull=False, layout=LAYOUT)
            .filter(Q(home_authority_id=home) if home is not None else Q(home_authority_id__isnull=True))
            .exclude(month__in=CohortMark.objects.values("month")))


def _due(limit: int, home: int | None) -> list[int]:
    """Declared months whose figures are not current and whose writers have all ended."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {CohortMonth._meta.db_table} WHERE declared_snapshot <> '' "  # noqa: S608
                       "AND NOT EXISTS (SELECT 1 FROM pg_snapshot_xip(CAST(declared_snapshot AS pg_snapshot)) "
                       "AS running WHERE pg_xact_status(running) = 'in progress')")
        ended = [pk for (pk,) in cursor.fetchall()]
    current = _current(CohortMonth.objects.all(), home).values("pk")
    stale = CohortMonth.objects.filter(pk__in=ended).exclude(pk__in=current)
    return list(stale.order_by("month").values_list("pk", flat=True)[:limit])


@transaction.atomic
def _roll(pk: int, home: int | None) -> bool:
    month = CohortMonth.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
    if month is None:
        return False  # being rolled by another worker
    # The marks first, then the episodes: every mark read belongs to a change the count sees.
    last_mark = CohortMark.objects.filter(month=month.month).aggregate(last=Max("pk"))["last"]
    counts = period_counts(_month_episodes(month.month), HOURS)
    CohortFigures.objects.filter(month=month.month).delete()
    CohortFigures.objects.bulk_create(_figures(month.month, counts))
    if last_mark is not None:
        CohortMark.objects.filter(month=month.month, pk__lte=last_mark).delete()
    month.rolled_at, month.layout, month.home_authority_id = timezone.now(), LAYOUT, home
    month.save(update_fields=["rolled_at", "layout", "home_authority_id"])
    return True


def cohort_months_roll_due(*, now: datetime | None = None, limit: int = 24) -> int:
    """The worker's periodic task: declare the months that have passed, then roll those due.
    Returns how many months were rolled. Nothing on SQLite."""
    if not rolls_kept():
        return 0
    with transaction.atomic():
        _declare(now or timezone.now())
    _note_horizon()
    home = home_authority_id()
    return sum(_roll(pk, home) for pk in _due(limit, home))


def cohort_months_roll_all(*, now: datetime | None = None) -> int:
    """Declare and roll every past month at once, with nothing else writing: after a bulk load
    (the benchmark's, whose rows are copied without triggers) or to start again. Returns how
    many months were rolled."""
    if not rolls_kept():
        return 0
    CohortMark.objects.all().delete()
    _declare(now or timezone.now())
    # Every month counted again. Nothing else writes: no transaction to wait for (and inside a
    # transaction of the caller's, the horizon would wait for that transaction itself).
    CohortMonth.objects.update(declared_snapshot=_NONE_RUNNING, rolled_at=None)
    home = home_authority_id()
    rolled = 0
    while due := _due(200, home):
        rolled += sum(_roll(pk, home) for pk in due)
    return rolled


@dataclass(frozen=True)
class RolledMonths:
    """The rolled months wholly inside a period and their counts."""

    months: list[date]
    cohorts: list[CohortCount]
    buckets: dict[int, int]
    still_missing: int


def rolled_cohort_months(first: date, last: date) -> RolledMonths:
    """The months wholly inside `first` to `last` whose rolled figures are current (the
    module's docstring), with their counts, in one statement."""
    if not rolls_kept():
        return RolledMonths(months=[], cohorts=[], buckets={}, still_missing=0)
    # A month is wholly inside when it begins on or after `first` and ends by `last`.
    after_last = month_start(date.fromordinal(last.toordinal() + 1))
    months_sql, params = (_current(CohortMonth.objects.filter(month__gte=first, month__lt=after_last),
                                   home_authority_id())
                          .values("month").query.sql_with_params())
    months: set[date] = set()
    cohorts: list[CohortCount] = []
    buckets: dict[int, int] = defaultdict(int)
    still_missing = 0
    with connection.cursor() as cursor:
        # A month without episodes has no figures: it comes back once, with no dimension.
        cursor.execute(f"SELECT rolled.month, dimension, value, episodes, children FROM ({months_sql}) AS rolled "  # noqa: S608
                       f"LEFT JOIN {CohortFigures._meta.db_table} AS figures ON figures.month = rolled.month",
                       params)
        for month, dimension, value, episodes, children in cursor.fetchall():
            months.add(month)
            if dimension == "bucket":
                buckets[int(value)] += episodes
            elif dimension == "still_missing":
                still_missing += episodes
            elif dimension is not None:
                cohorts.append(CohortCount(dimension=dimension, value=value, month=month.strftime("%Y-%m"),
                                           episodes=episodes, children=children))
    return RolledMonths(months=sorted(months), cohorts=cohorts, buckets=dict(buckets), still_missing=still_missing)


def unrolled_ranges(first: date, last: date, rolled: Sequence[date]) -> list[tuple[datetime, datetime]]:
    """The instants of `first` to `last` outside the rolled months, as [start, end) ranges:
    the runs of days not rolled (`duty_figures.unrolled_ranges`, as the duty days are read)."""
    days = frozenset(date.fromordinal(ordinal) for month in rolled
                     for ordinal in range(month.toordinal(), next_month(month).toordinal()))
    return [period_bounds(a, b) for a, b in unrolled_days(first, last, days)]


def period_counts_rolled(user_sees_all: bool, episodes: QuerySet[Episode], first: date, last: date) -> PeriodCounts:
    """`period_counts` of the period's episodes (`episodes`, those of `first` to `last`), with
    the rolled months read from their figures when the person sees the whole authority: only the
    other months are counted from their episodes, and the period's totals and middle lengths
    from one pass over its episodes."""
    rolled = rolled_cohort_months(first, last) if user_sees_all else None
    if rolled is None or not rolled.months:
        return period_counts(episodes, HOURS)
    ranges = unrolled_ranges(first, last, rolled.months)
    live = period_counts(episodes.filter(reduce(operator.or_, [Q(missing_since__gte=start, missing_since__lt=end)
                                                               for start, end in ranges])), HOURS) if ranges else None
    cohorts = list(rolled.cohorts)
    buckets = dict(rolled.buckets)
    still_missing = rolled.still_missing
    if live is not None:
        cohorts.extend(c for c in live.cohorts if c.dimension != "total")
        for index, count in live.buckets.items():
            buckets[index] = buckets.get(index, 0) + count
        still_missing += live.still_missing
    total, children, middle = period_totals(episodes)
    cohorts.append(CohortCount(dimension="total", value="", month="", episodes=total, children=children))
    return PeriodCounts(cohorts=cohorts, buckets=buckets, still_missing=still_missing, middle_hours=middle)
