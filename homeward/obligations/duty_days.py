"""Closed episodes' duty figures rolled up by the Europe/London day they began (issue 11).

A closed episode's stored rows are final once every instant on them has passed: done, missed
or not done, whatever the time. The performance report counts each duty over a year's
episodes, millions of rows at national scale; so the closed episodes' figures are kept per
day and duty (`DutyFigures`) and the report counts only the rest from the rows
(`duty_figures`).

- `obligations_refresh` marks the day of every closed or cancelled episode it refreshes
  (`day_marked`: `DutyDay.rolled_at` null), in the transaction of the change: a record added
  after the close, a cancellation. A marked day is counted from its rows until rolled again.
- The worker rolls marked days (`duty_days_roll_due`), each in a transaction that holds the
  day's row: a mark made meanwhile waits for it and leaves the day marked again, so no
  change is ever left out of a rolled day.
- A day with a row whose status will still change with time alone (a window lapsing after
  the close) is rolled once that instant has passed (`roll_after`).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from homeward.common.timeutil import LONDON, local_date
from homeward.episodes.models import Episode, EpisodeStatus

from .duty_figures import duty_counts_query
from .models import DutyDay, DutyFigures, StoredObligation

# The episodes whose rows are rolled up: closed, never to be reopened. Cancelled ones count
# nowhere, but a cancellation after the close changes their day's figures.
ROLLED_STATUS = EpisodeStatus.CLOSED
_MARKING = (EpisodeStatus.CLOSED, EpisodeStatus.CANCELLED)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The instants [start, end) of a Europe/London day."""
    return (datetime.combine(day, time.min, tzinfo=LONDON),
            datetime.combine(day + timedelta(days=1), time.min, tzinfo=LONDON))


def day_marked(episode: Episode) -> DutyDay | None:
    """The mark to upsert (on `day`; `rolled_at` and `roll_after` set null) when the episode's
    rows may have changed a rolled day: it is closed or cancelled. None for an open or returned
    episode, whose rows are counted from the rows anyway."""
    if episode.status not in _MARKING:
        return None
    return DutyDay(day=local_date(episode.missing_since), rolled_at=None, roll_after=None)


def _changing_later(now: datetime) -> dict[str, Max]:
    """The instants after `now` at which a row's status changes with time alone, as aggregates:
    listed later, done later, ended later, or a window lapsing later while not done by then."""
    return {
        "listed": Max("listed_from", filter=Q(listed_from__gt=now)),
        "done": Max("done_at", filter=Q(done_at__gt=now)),
        "ended": Max("ended_at", filter=Q(ended_at__gt=now)),
        "lapses": Max("lapses_at", filter=Q(lapses_at__gt=now) & (Q(done_at__isnull=True) | Q(done_at__gt=now))),
    }


def _latest(found: dict[str, Any]) -> datetime | None:
    """The last of `_changing_later`'s instants found, if any."""
    instants = [found[name] for name in ("listed", "done", "ended", "lapses") if found[name] is not None]
    return max(instants) if instants else None


def _day_rows(day: date) -> QuerySet[StoredObligation]:
    start, end = day_bounds(day)
    return StoredObligation.objects.filter(episode__status=ROLLED_STATUS, episode__missing_since__gte=start,
                                           episode__missing_since__lt=end)


@transaction.atomic
def _roll(pk: int) -> bool:
    day = DutyDay.objects.select_for_update().filter(pk=pk, rolled_at__isnull=True).first()
    if day is None:
        return False  # rolled meanwhile by another worker
    # The time read after the day's row is held: every change marked before is committed.
    now = timezone.now()
    rows = _day_rows(day.day)
    later = _latest(rows.aggregate(**_changing_later(now)))
    if later is not None:
        day.roll_after = later
        day.save(update_fields=["roll_after"])
        return False
    DutyFigures.objects.filter(day=day.day).delete()
    DutyFigures.objects.bulk_create(DutyFigures(day=day.day, **counts) for counts in duty_counts_query(rows, now))
    day.rolled_at, day.roll_after = now, None
    day.save(update_fields=["rolled_at", "roll_after"])
    return True


def duty_days_roll_due(*, now: datetime | None = None, limit: int = 200) -> int:
    """Roll the marked days whose rows are final (the worker's periodic task). Returns how
    many days were rolled."""
    now = now or timezone.now()
    due = list(DutyDay.objects.filter(rolled_at__isnull=True)
               .filter(Q(roll_after__isnull=True) | Q(roll_after__lte=now))
               .order_by("day").values_list("pk", flat=True)[:limit])
    return sum(_roll(pk) for pk in due)


def duty_days_roll_all(obligations: Any = StoredObligation, days: Any = DutyDay, figures: Any = DutyFigures, *,
                       now: datetime | None = None) -> int:
    """Roll every day with a closed episode at once, set-based: after a bulk load (the
    benchmark's) and in the migration that brought the figures in, which passes its own
    historical models. Returns how many days were rolled."""
    now = now or timezone.now()
    closed = obligations.objects.filter(episode__status=ROLLED_STATUS)
    by_day = closed.annotate(rolled_day=TruncDate("episode__missing_since", tzinfo=LONDON))
    waiting: dict[date, datetime] = {}
    for row in by_day.values("rolled_day").annotate(**_changing_later(now)):
        later = _latest(row)
        if later is not None:
            waiting[row["rolled_day"]] = later
    counted: list[Any] = []
    every_day = set(waiting)
    for row in duty_counts_query(by_day, now, by=("rolled_day",)):
        every_day.add(row["rolled_day"])
        if row["rolled_day"] not in waiting:
            counted.append(figures(day=row.pop("rolled_day"), **row))
    with transaction.atomic():
        figures.objects.all().delete()
        figures.objects.bulk_create(counted, batch_size=5000)
        days.objects.all().delete()
        days.objects.bulk_create(
            [days(day=day, rolled_at=None if day in waiting else now, roll_after=waiting.get(day)) for day in
             sorted(every_day)], batch_size=5000)
    return len(every_day) - len(waiting)
