"""Performance figures (DOMAIN.md section 8): return interviews offered within the
protocol's time and accepted, median time to offer, episodes and children by month and
cohort, repeat-missing children, hours missing. Plain data, ready for a chart and for
the accessible table that goes with it (ADR 0005).

Months are Europe/London calendar months. An episode belongs to the month of its
`missing_since`; a return interview to the month the child returned (`found_at`), since
its clock starts then. Cancelled episodes never count.

- Return interviews: the episodes that owe an offer (`rhi_offered`: classified missing,
  returned, and the home authority conducts the interview; DOMAIN.md sections 3 and 4),
  from the stored obligations. In time: offered by its due time (72 hours from the
  protocol's clock by default). Hours to offer: from the clock's start to the offer.
- Cohorts, at `missing_since`: legal status, placement in or out of the home
  authority's area (looked-after children only), age band, sex.
- Repeat missing: an episode meeting the protocol's repeat threshold (count and window of
  the version in force at its report); a child counts once a month.
"""

from __future__ import annotations

import operator
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import reduce
from operator import itemgetter
from typing import Any

from django.db import connections
from django.db.models import (
    Case,
    DurationField,
    Expression,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from homeward.accounts.models import User
from homeward.accounts.permissions import sees_whole_authority
from homeward.children.models import LegalStatus, Sex
from homeward.common.timeutil import local_date
from homeward.episodes.models import Episode, EpisodeStatus
from homeward.episodes.selectors import episode_list_for_user
from homeward.interviews.models import Outcome, ReturnInterview
from homeward.obligations.duty_figures import DutyCounts, combined, duty_counts, rolled_figures, unrolled_ranges
from homeward.obligations.models import StoredObligation
from homeward.obligations.protocol_source import active_protocol
from homeward.protocol.policy import Protocol
from homeward.protocol.repeat import is_repeat_missing

from .cohort_counts import DIMENSIONS, HOURS, HOURS_BUCKETS, CohortCount, cohort_rows
from .cohort_months import month_start, next_month, period_counts_rolled
from .history import AGE_BANDS, PLACEMENT_LABELS, months_between, period_bounds
from .shared_snapshot import run_together, shared_snapshot
from .statements import (
    EpochMicroseconds,
    cycles_uncollected,
    duration,
    middle_values,
    month_text,
    period_month,
    rows_with,
)


@dataclass
class RhiFigures:
    """Return interviews whose offer was owed, for a month or the whole period."""

    month: str
    owed: int = 0
    offered_in_time: int = 0
    offered_late: int = 0
    not_offered: int = 0
    accepted: int = 0
    declined: int = 0
    no_contact: int = 0
    median_hours_to_offer: float | None = None
    episodes: list[int] = field(default_factory=list)

    @property
    def percent_in_time(self) -> float | None:
        return round(100 * self.offered_in_time / self.owed, 1) if self.owed else None

    @property
    def percent_accepted(self) -> float | None:
        offered = self.offered_in_time + self.offered_late
        return round(100 * self.accepted / offered, 1) if offered else None


@dataclass(frozen=True)
class CohortSeries:
    """One value of a cohort dimension: episodes and distinct children, month by month."""

    dimension: str
    value: str
    label: str
    episodes: list[int]
    children: list[int]


@dataclass(frozen=True)
class HoursBucket:
    label: str
    from_hours: float
    to_hours: float | None
    count: int
    episodes: list[int]


@dataclass(frozen=True)
class RepeatChild:
    child: int
    episodes: list[int]


@dataclass(frozen=True)
class DutyFigures(DutyCounts):
    """How one duty of the protocol went over the period's episodes: done in time or late,
    missed (a window of a repeating duty that passed without its record), not done (outstanding
    when the episode was closed, with a manager's reason) or still outstanding."""

    outstanding: int

    @classmethod
    def of(cls, counts: DutyCounts) -> DutyFigures:
        return cls(**vars(counts), outstanding=counts.owed - counts.done_in_time - counts.done_late - counts.missed
                   - counts.not_done)


@dataclass(frozen=True)
class Performance:
    first: date
    last: date
    months: list[str]
    episodes_by_month: list[int]
    children_by_month: list[int]
    episodes: int
    children: int
    episodes_per_child: float | None
    rhi_by_month: list[RhiFigures]
    rhi_total: RhiFigures
    cohorts: dict[str, list[CohortSeries]]
    repeat_children_by_month: list[int]
    repeat_children: list[RepeatChild]
    hours_missing: list[HoursBucket]
    still_missing: int
    median_hours_missing: float | None
    duties: list[DutyFigures]


def episodes_starting(user: User, first: date, last: date) -> QuerySet[Episode]:
    start, end = period_bounds(first, last)
    return (episode_list_for_user(user).exclude(status=EpisodeStatus.CANCELLED)
            .filter(missing_since__gte=start, missing_since__lt=end).order_by("missing_since", "id"))


def _labels(dimension: str) -> dict[str, str]:
    if dimension == "legal_status":
        return dict(LegalStatus.choices)
    if dimension == "placement":
        return PLACEMENT_LABELS
    if dimension == "age_band":
        return {label: f"Aged {label.replace('-', ' to ')}" for label, _, _ in AGE_BANDS} | {"18+": "Aged 18 or over"}
    return dict(Sex.choices)


def _series(months: list[str], counts: list[CohortCount]) -> tuple[list[int], list[int]]:
    """Episodes and children month by month, from the database's counts of one value."""
    index = {m: i for i, m in enumerate(months)}
    episodes, children = [0] * len(months), [0] * len(months)
    for count in counts:
        if count.month in index:
            episodes[index[count.month]] = count.episodes
            children[index[count.month]] = count.children
    return episodes, children


def _cohorts(months: list[str], counts: list[CohortCount]) -> dict[str, list[CohortSeries]]:
    out: dict[str, list[CohortSeries]] = {}
    for dimension in DIMENSIONS:
        labels = _labels(dimension)
        grouped: dict[str, list[CohortCount]] = defaultdict(list)
        for count in counts:
            if count.dimension == dimension:
                grouped[count.value].append(count)
        order = list(labels)
        series = []
        for value in sorted(grouped, key=lambda v: (order.index(v) if v in order else len(order), v)):
            episodes, children = _series(months, grouped[value])
            series.append(CohortSeries(dimension=dimension, value=value, label=labels.get(value, value),
                                       episodes=episodes, children=children))
        out[dimension] = series
    return out


def _duration(later: str, earlier: str) -> Expression:
    return ExpressionWrapper(F(later) - F(earlier), output_field=DurationField())


def _hours(length: timedelta) -> float:
    return length.total_seconds() / 3600


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def _bucket_episodes(episodes: QuerySet[Episode]) -> dict[int, list[int]]:
    """The episodes ended in the period, by index of HOURS_BUCKETS, in episode order: what the
    API's answer lists beside each count."""
    listed: dict[int, list[int]] = defaultdict(list)
    ended = cohort_rows(episodes.filter(found_at__isnull=False), HOURS)
    for pk, bucket in ended.order_by("missing_since", "id").values_list("pk", "cohort_bucket").iterator(10_000):
        listed[bucket].append(pk)
    return listed


def _rhi_selects(vendor: str) -> list[str]:
    """The offers owed, read once: counted by month (and in all) and the middle of the waits.
    Every select gives (what, month, owed, in time, late, accepted, declined, no contact, wait).
    Built of constants alone (hence the noqa for ruff's S608)."""
    by_month, by_month_from = middle_values(vendor, "owed", "rhi_wait", "rhi_month")
    overall, overall_from = middle_values(vendor, "owed", "rhi_wait")
    outcomes = ", ".join(f"SUM(CASE WHEN rhi_outcome = '{outcome}' THEN 1 ELSE 0 END)"
                         for outcome in (Outcome.ACCEPTED, Outcome.DECLINED, Outcome.NO_CONTACT))
    return [
        f"SELECT 'month', rhi_month, COUNT(*), SUM(rhi_in_time), SUM(rhi_late), {outcomes}, "  # noqa: S608
        "CAST(NULL AS interval) FROM owed GROUP BY rhi_month",
        f"SELECT 'middle', rhi_month, NULL, NULL, NULL, NULL, NULL, NULL, {by_month} FROM {by_month_from}",  # noqa: S608
        f"SELECT 'total', NULL, NULL, NULL, NULL, NULL, NULL, NULL, {overall} FROM {overall_from}",  # noqa: S608
    ]


def month_starts(start: datetime, end: datetime) -> list[date]:
    """The first days of the Europe/London months of the instants [start, end)."""
    month, last = month_start(local_date(start)), local_date(end - timedelta(microseconds=1))
    starts = []
    while month <= last:
        starts.append(month)
        month = next_month(month)
    return starts


def _flag(condition: Q) -> Case:
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


def _rhi(user: User, first: date, last: date, months: list[str], *,
         listing: bool) -> tuple[list[RhiFigures], RhiFigures]:
    """The offers owed for returns in the period: the stored `rhi_offered` rows of the episodes
    found in it (through the index of returns) with their interviews' outcomes, counted by
    month of return and with the middle waits in one statement; listed by episode for the
    API's answer."""
    start, end = period_bounds(first, last)
    now = timezone.now()
    # The returns filtered on the episode joined (its index of returns), not through a subquery
    # of episodes: PostgreSQL joined that back to every episode there is. Scoped only for those
    # who do not see every child.
    owed = StoredObligation.objects.filter(code="rhi_offered", instance=1, episode__found_at__gte=start,
                                           episode__found_at__lt=end).exclude(episode__status=EpisodeStatus.CANCELLED)
    if not sees_whole_authority(user):
        owed = owed.filter(episode__in=episode_list_for_user(user).order_by().values("pk"))
    offered = Q(done_at__isnull=False, done_at__lte=now)
    # The interview's outcome by its episode's index, row by row: a join let PostgreSQL read
    # every interview there is.
    outcome = ReturnInterview.objects.filter(episode_id=OuterRef("episode_id")).values("outcome")[:1]
    owed = (
        owed.order_by()
        .annotate(rhi_month=period_month("episode__found_at", month_starts(start, end)),
                  rhi_in_time=_flag(offered & Q(done_at__lte=F("due_at"))),
                  rhi_late=_flag(offered & Q(done_at__gt=F("due_at"))),
                  rhi_outcome=Subquery(outcome),
                  rhi_wait=Case(When(offered, then=_duration("done_at", "arises_at")), default=None,
                                output_field=DurationField()))
    )
    figures = {m: RhiFigures(month=m) for m in months}
    total = RhiFigures(month="total")
    waits: dict[str, list[float]] = defaultdict(list)
    for what, month, count, in_time, late, accepted, declined, no_contact, wait in rows_with(
        owed.values("rhi_month", "rhi_in_time", "rhi_late", "rhi_outcome", "rhi_wait"), "owed",
        _rhi_selects(connections[owed.db].vendor),
    ):
        if what == "month":
            for target in (figures[month_text(month)], total):
                target.owed += count
                target.offered_in_time += in_time
                target.offered_late += late
                target.not_offered += count - in_time - late
                target.accepted += accepted
                target.declined += declined
                target.no_contact += no_contact
        else:
            waits[month_text(month) if what == "middle" else "total"].append(_hours(duration(wait)))
    for target in [*figures.values(), total]:
        target.median_hours_to_offer = _median(waits[target.month])
    if listing:
        for episode_id, month in owed.order_by("episode__found_at", "episode_id").values_list("episode_id",
                                                                                            "rhi_month"):
            figures[month_text(month)].episodes.append(episode_id)
            total.episodes.append(episode_id)
    return [figures[m] for m in months], total


def _duties(user: User, episodes: QuerySet[Episode], first: date, last: date) -> list[DutyFigures]:
    """Each duty's figures over these episodes. For those who see every child, the closed
    episodes of the rolled days come from their days' figures (`duty_days`) and only the rest
    (open and returned episodes, days marked since their roll) are counted from the rows;
    for anyone else, all from the rows of the episodes they see."""
    now = timezone.now()
    rolled = None
    if sees_whole_authority(user):
        rolled = rolled_figures(first, last)
        runs = unrolled_ranges(first, last, rolled.days)
        # Episodes still moving, and every episode of a day not rolled.
        bounds = [period_bounds(a, b) for a, b in runs]
        episodes = episodes.filter(reduce(operator.or_, [Q(missing_since__gte=start, missing_since__lt=end)
                                                         for start, end in bounds],
                                          Q(status__in=[EpisodeStatus.OPEN, EpisodeStatus.RETURNED])))
    counted = duty_counts(StoredObligation.objects.filter(episode__in=episodes.order_by().values("pk")), now)
    return [DutyFigures.of(c) for c in combined(counted, rolled.counts if rolled else [])]


def _version_periods(protocol: Protocol) -> dict[tuple[int, int], Q]:
    """For each repeat threshold (count, window in days) of the protocol's versions, the
    episodes that follow it: reported on a London date of a version with that threshold (the
    earliest version also before every `effective_from`, as `Protocol.version_for`)."""
    periods: dict[tuple[int, int], list[Q]] = defaultdict(list)
    versions = list(protocol.versions)
    for index, version in enumerate(versions):
        period = Q()
        if index > 0:
            period &= Q(reported_at__gte=period_bounds(version.effective_from, version.effective_from)[0])
        if index + 1 < len(versions):
            following = versions[index + 1].effective_from
            period &= Q(reported_at__lt=period_bounds(following, following)[0])
        periods[(version.repeat_missing_count, version.repeat_missing_window_days)].append(period)
    # A threshold of every version applies to every episode: no filter at all.
    return {key: Q() if any(not p for p in parts) else reduce(operator.or_, parts) for key, parts in periods.items()}


def _ranked(offset: int, window_us: int) -> str:
    """SQL over `pool` (`repeat_episodes`): each row with the start `offset` places before it
    among its child's episodes in order of (start, id), and the starts just before and after
    it. A counted row is a repeat when that earlier start lies within the window (`window_us`
    microseconds; with `offset` 0, its own start: the threshold of one episode), or when the next
    episode starts at the same instant; two starts at one instant make the child tied, which
    the engine's rule decides. Only repeats and ties come back: (id, child, month, start,
    repeat, tie), in order of start. Built of whole numbers alone (hence the noqa for ruff's S608)."""
    met = f"(before_us >= since_us - {int(window_us)} OR next_us = since_us)"
    tie = "(next_us = since_us OR previous_us = since_us)"
    return (f"SELECT id, child_id, month, since_us, counted = 1 AND {met}, {tie} FROM "  # noqa: S608
            f"(SELECT id, child_id, month, since_us, counted, LAG(since_us, {int(offset)}) OVER w AS before_us, "
            "LAG(since_us) OVER w AS previous_us, LEAD(since_us) OVER w AS next_us FROM pool "
            f"WINDOW w AS (PARTITION BY child_id ORDER BY since_us, id)) ranked WHERE (counted = 1 AND {met}) OR {tie} "
            "ORDER BY since_us, id")


def repeat_episodes(episodes: QuerySet[Episode], start: datetime, end: datetime) -> list[tuple[int, int, int]]:
    """(episode, child, month) of the period's episodes (`episodes`: every episode not cancelled
    starting in [start, end) of the children they are of, as `episodes_starting` gives) that
    meet the protocol's repeat threshold (`is_repeat_missing`: the count-th or later episode of
    the child, cancelled ones left out, starting within the window before it), in episode order.
    For each threshold, one statement ranks the children's episodes of the period and of the
    window before it (`_ranked`), each start as a number (microseconds since
    1970: a national year's repeats are a hundred thousand rows, not to be parsed as datetimes
    one by one), and says which are repeats and which children have two episodes starting at
    one instant; only those children's episodes are read again and asked of the rule."""
    protocol = active_protocol()
    children = episodes.order_by().values("child_id")
    out: list[tuple[Any, ...]] = []
    for (count, window), follows in _version_periods(protocol).items():
        pool = (Episode.objects.exclude(status=EpisodeStatus.CANCELLED)
                .filter(child_id__in=children, missing_since__gte=start - timedelta(days=window),
                        missing_since__lt=end).order_by())
        # The period's episodes among the pool are those starting in it: the pool holds every
        # episode (not cancelled) of the period's children, which are whole children's (scoped by
        # child). A test of the row, not of membership in the period's episodes read once more.
        counted = Q(missing_since__gte=start) & follows
        found = rows_with(
            pool.annotate(month=period_month("missing_since", month_starts(start, end)),
                          since_us=EpochMicroseconds("missing_since"),
                          counted=_flag(counted))
            .values("id", "child_id", "month", "since_us", "counted"),
            "pool", [_ranked(max(count - 1, 0), window * 86_400_000_000)],
        )
        # The rows as they come (id, child, month, start, repeat, tie), not rebuilt one by one.
        tied = {row[1] for row in found if row[5]}
        out.extend(_confirmed([row for row in found if row[4]], tied, pool, count, window))
    # In order already when the protocol has one threshold: the sort is then one pass.
    out.sort(key=itemgetter(3, 0))
    return [(row[0], row[1], row[2]) for row in out]


def _confirmed(rows: list[tuple[Any, ...]], tied: set[int], pool: QuerySet[Episode], count: int,
               window: int) -> list[tuple[Any, ...]]:
    """The candidates that are repeats: all, but where a child has two episodes starting at
    one instant (`tied`), that child's are asked of `is_repeat_missing` itself."""
    if not tied:
        return rows
    starts: dict[int, list[tuple[int, datetime]]] = defaultdict(list)
    start_of: dict[int, datetime] = {}
    for pk, child_id, since in pool.filter(child_id__in=tied).values_list("pk", "child_id", "missing_since"):
        starts[child_id].append((pk, since))
        start_of[pk] = since
    return [row for row in rows if row[1] not in tied or is_repeat_missing(
        [s for other, s in starts[row[1]] if other != row[0]], start_of[row[0]], count, window)]


# A national year's repeats are a hundred thousand rows and more, every one an object the cyclic
# collector would go over again at each of its passes; none makes a cycle (freed by reference).
@cycles_uncollected()
def performance(user: User, *, first: date, last: date, listing: bool = True) -> Performance:
    """The figures for the episodes starting on Europe/London dates `first` to `last`, counted
    and grouped in the database: nothing is read episode by episode but the repeat-missing
    children and, when `listing` (the API's answer; the page shows counts only), the episodes
    behind the hours missing and the return interviews."""
    months = months_between(first, last)
    start, end = period_bounds(first, last)
    episodes = episodes_starting(user, first, last)
    # Independent statements, at once on one snapshot where the database allows, in two shares
    # of about the same length at national scale (the counts by cohort and the interviews owed;
    # the repeats, the duties and the listings).
    with shared_snapshot():
        (counts, (rhi_by_month, rhi_total)), (repeats, duties, listed) = run_together(
            lambda: (period_counts_rolled(sees_whole_authority(user), episodes, first, last),
                     _rhi(user, first, last, months, listing=listing)),
            lambda: (repeat_episodes(episodes, start, end), _duties(user, episodes, first, last),
                     _bucket_episodes(episodes) if listing else {}),
        )
    # A national year's repeats are a hundred thousand rows: their months are named once each.
    repeat_children: dict[int, list[int]] = defaultdict(list)
    repeat_months: dict[int, set[int]] = defaultdict(set)
    for pk, child_id, month_value in repeats:
        repeat_children[child_id].append(pk)
        repeat_months[month_value].add(child_id)
    repeaters = {month_text(value): len(children) for value, children in repeat_months.items()}
    totals = next(c for c in counts.cohorts if c.dimension == "total")
    by_month = _series(months, [c for c in counts.cohorts if c.dimension == "month"])
    return Performance(
        first=first, last=last, months=months,
        episodes_by_month=by_month[0], children_by_month=by_month[1],
        episodes=totals.episodes, children=totals.children,
        episodes_per_child=round(totals.episodes / totals.children, 2) if totals.children else None,
        rhi_by_month=rhi_by_month, rhi_total=rhi_total,
        cohorts=_cohorts(months, counts.cohorts),
        repeat_children_by_month=[repeaters.get(month, 0) for month in months],
        repeat_children=[RepeatChild(child=c, episodes=e) for c, e in repeat_children.items()],
        hours_missing=[HoursBucket(label=label, from_hours=low, to_hours=high, count=counts.buckets.get(index, 0),
                                   episodes=listed.get(index, []))
                       for index, (label, low, high) in enumerate(HOURS_BUCKETS)],
        still_missing=counts.still_missing, median_hours_missing=_median(counts.middle_hours),
        duties=duties,
    )
