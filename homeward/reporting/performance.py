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

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from homeward.accounts.models import User
from homeward.children.models import LegalStatus, Sex
from homeward.common.timeutil import LONDON, local_date
from homeward.episodes.models import Episode, EpisodeStatus
from homeward.episodes.selectors import episode_list_for_user
from homeward.interviews.models import Outcome
from homeward.obligations.models import StoredObligation
from homeward.obligations.protocol_source import active_protocol
from homeward.obligations.selectors import status_filter
from homeward.protocol.repeat import is_repeat_missing

from .history import AGE_BANDS, PLACEMENT_LABELS, ChildHistory, histories_for, month_key, months_between
from .rhi_answers import interviews_by_episode

HOURS_BUCKETS: tuple[tuple[str, float, float | None], ...] = (
    ("Under 6 hours", 0, 6), ("6 to 24 hours", 6, 24), ("24 to 72 hours", 24, 72),
    ("72 hours to 7 days", 72, 168), ("7 days or more", 168, None),
)
DIMENSIONS = ("legal_status", "placement", "age_band", "sex")


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
class DutyFigures:
    """How one duty of the protocol went over the period's episodes: done in time or late,
    missed (a window of a repeating duty that passed without its record), not done (outstanding
    when the episode was closed, with a manager's reason) or still outstanding."""

    code: str
    title: str
    owed: int
    done_in_time: int
    done_late: int
    missed: int
    not_done: int
    outstanding: int


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


def period_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """The instants [start, end) of Europe/London dates `first` to `last` inclusive."""
    start = datetime.combine(first, time.min, tzinfo=LONDON)
    end = datetime.combine(date.fromordinal(last.toordinal() + 1), time.min, tzinfo=LONDON)
    return start, end


def episodes_starting(user: User, first: date, last: date) -> QuerySet[Episode]:
    start, end = period_bounds(first, last)
    return (episode_list_for_user(user).exclude(status=EpisodeStatus.CANCELLED)
            .filter(missing_since__gte=start, missing_since__lt=end)
            .select_related("child__responsible_authority").order_by("missing_since", "id"))


def _cohort_value(dimension: str, history: ChildHistory, day: date) -> str:
    if dimension == "legal_status":
        return history.legal_status_on(day)
    if dimension == "placement":
        return history.placement_cohort_on(day)
    if dimension == "age_band":
        return history.age_band_on(day)
    return history.sex


def _labels(dimension: str) -> dict[str, str]:
    if dimension == "legal_status":
        return dict(LegalStatus.choices)
    if dimension == "placement":
        return PLACEMENT_LABELS
    if dimension == "age_band":
        return {label: f"Aged {label.replace('-', ' to ')}" for label, _, _ in AGE_BANDS} | {"18+": "Aged 18 or over"}
    return dict(Sex.choices)


def _by_month(months: list[str], items: list[tuple[str, int]], distinct: bool) -> list[int]:
    index = {m: i for i, m in enumerate(months)}
    sets: list[set[int]] = [set() for _ in months]
    counts = [0] * len(months)
    for month, key in items:
        if month in index:
            sets[index[month]].add(key)
            counts[index[month]] += 1
    return [len(s) for s in sets] if distinct else counts


def _cohorts(months: list[str], episodes: list[Episode],
             histories: dict[int, ChildHistory]) -> dict[str, list[CohortSeries]]:
    out: dict[str, list[CohortSeries]] = {}
    for dimension in DIMENSIONS:
        labels = _labels(dimension)
        grouped: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
        for episode in episodes:
            value = _cohort_value(dimension, histories[episode.child_id], local_date(episode.missing_since))
            grouped[value].append((month_key(episode.missing_since), episode.pk, episode.child_id))
        order = list(labels)
        out[dimension] = [
            CohortSeries(
                dimension=dimension, value=value, label=labels.get(value, value),
                episodes=_by_month(months, [(m, e) for m, e, _ in grouped[value]], distinct=False),
                children=_by_month(months, [(m, c) for m, _, c in grouped[value]], distinct=True),
            )
            for value in sorted(grouped, key=lambda v: order.index(v) if v in order else len(order))
        ]
    return out


def _hours(episode: Episode) -> float:
    assert episode.found_at is not None
    return (episode.found_at - episode.missing_since).total_seconds() / 3600


def _hours_buckets(episodes: list[Episode]) -> list[HoursBucket]:
    found = [e for e in episodes if e.found_at is not None]
    buckets = []
    for label, low, high in HOURS_BUCKETS:
        inside = [e.pk for e in found if low <= _hours(e) and (high is None or _hours(e) < high)]
        buckets.append(HoursBucket(label=label, from_hours=low, to_hours=high, count=len(inside), episodes=inside))
    return buckets


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def _rhi(user: User, first: date, last: date, months: list[str]) -> tuple[list[RhiFigures], RhiFigures]:
    start, end = period_bounds(first, last)
    owed = list(
        StoredObligation.objects.filter(code="rhi_offered", instance=1,
                                        episode__in=episode_list_for_user(user).exclude(status=EpisodeStatus.CANCELLED))
        .filter(episode__found_at__gte=start, episode__found_at__lt=end)
        .select_related("episode").order_by("episode__found_at", "episode_id")
    )
    interviews = interviews_by_episode([row.episode_id for row in owed])
    figures = {m: RhiFigures(month=m) for m in months}
    total = RhiFigures(month="total")
    hours: dict[str, list[float]] = defaultdict(list)
    now = timezone.now()
    for row in owed:
        assert row.episode.found_at is not None
        month = month_key(row.episode.found_at)
        interview = interviews.get(row.episode_id)
        for target in (figures[month], total):
            target.owed += 1
            target.episodes.append(row.episode_id)
            if row.done_at is not None and row.done_at <= now:
                if row.done_at <= row.due_at:
                    target.offered_in_time += 1
                else:
                    target.offered_late += 1
                hours[target.month].append((row.done_at - row.arises_at).total_seconds() / 3600)
            else:
                target.not_offered += 1
            outcome = interview.outcome if interview else ""
            target.accepted += outcome == Outcome.ACCEPTED
            target.declined += outcome == Outcome.DECLINED
            target.no_contact += outcome == Outcome.NO_CONTACT
    for target in [*figures.values(), total]:
        target.median_hours_to_offer = _median(hours[target.month])
    return [figures[m] for m in months], total


def _duties(episodes: list[Episode]) -> list[DutyFigures]:
    """Each duty's figures over these episodes, counted in the database; the placing
    authority's duties (for information) are not ours and are left out."""
    now = timezone.now()
    done = status_filter("done", now)
    rows = (
        StoredObligation.objects.filter(episode__in=[e.pk for e in episodes], for_information=False,
                                        listed_from__lte=now)
        .values("code")
        .annotate(
            title=Max("title"), owed=Count("id"),
            done_in_time=Count("id", filter=done & Q(late=False)),
            done_late=Count("id", filter=done & Q(late=True)),
            missed=Count("id", filter=status_filter("missed", now)),
            not_done=Count("id", filter=status_filter("not_done", now)),
        )
        .order_by("code")
    )
    return [DutyFigures(code=r["code"], title=r["title"], owed=r["owed"], done_in_time=r["done_in_time"],
                        done_late=r["done_late"], missed=r["missed"], not_done=r["not_done"],
                        outstanding=r["owed"] - r["done_in_time"] - r["done_late"] - r["missed"] - r["not_done"])
            for r in rows]


def repeat_episodes(episodes: list[Episode]) -> list[Episode]:
    """Those of `episodes` that meet the protocol's repeat threshold, counting every other
    episode of the child that is not cancelled."""
    protocol = active_protocol()
    child_ids = {e.child_id for e in episodes}
    starts: dict[int, list[tuple[int, datetime]]] = defaultdict(list)
    for pk, child_id, missing_since in (Episode.objects.filter(child_id__in=child_ids)
                                        .exclude(status=EpisodeStatus.CANCELLED)
                                        .values_list("pk", "child_id", "missing_since")):
        starts[child_id].append((pk, missing_since))
    out = []
    for episode in episodes:
        version = protocol.version_for(episode.reported_at)
        others = [s for pk, s in starts[episode.child_id] if pk != episode.pk]
        if is_repeat_missing(others, episode.missing_since, version.repeat_missing_count,
                             version.repeat_missing_window_days):
            out.append(episode)
    return out


def performance(user: User, *, first: date, last: date) -> Performance:
    """The figures for the episodes starting on Europe/London dates `first` to `last`."""
    months = months_between(first, last)
    episodes = list(episodes_starting(user, first, last))
    histories = histories_for({e.child_id: e.child for e in episodes}.values())
    repeats = repeat_episodes(episodes)
    repeat_children: dict[int, list[int]] = defaultdict(list)
    for episode in repeats:
        repeat_children[episode.child_id].append(episode.pk)
    rhi_by_month, rhi_total = _rhi(user, first, last, months)
    children = {e.child_id for e in episodes}
    found_hours = [_hours(e) for e in episodes if e.found_at is not None]
    by_episode = [(month_key(e.missing_since), e.pk) for e in episodes]
    by_child = [(month_key(e.missing_since), e.child_id) for e in episodes]
    repeat_by_child = [(month_key(e.missing_since), e.child_id) for e in repeats]
    return Performance(
        first=first, last=last, months=months,
        episodes_by_month=_by_month(months, by_episode, distinct=False),
        children_by_month=_by_month(months, by_child, distinct=True),
        episodes=len(episodes), children=len(children),
        episodes_per_child=round(len(episodes) / len(children), 2) if children else None,
        rhi_by_month=rhi_by_month, rhi_total=rhi_total,
        cohorts=_cohorts(months, episodes, histories),
        repeat_children_by_month=_by_month(months, repeat_by_child, distinct=True),
        repeat_children=[RepeatChild(child=c, episodes=e) for c, e in repeat_children.items()],
        hours_missing=_hours_buckets(episodes),
        still_missing=sum(1 for e in episodes if e.found_at is None),
        median_hours_missing=_median(found_hours),
        duties=_duties(episodes),
    )


