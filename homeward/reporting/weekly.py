"""The weekly oversight report for team leaders (DOMAIN.md section 8, seed 002; API.md
`GET /api/v1/reports/weekly`): the seven days ending `as_of`, as known at `as_of`.

Definitions (ADR 0005). The window is (as_of - 7 days, as_of]. An episode counts only if
it had been reported by `as_of` (`reported_at <= as_of`) and was not cancelled by then. It
is *open* at an instant t when it had started (`missing_since <= t`) and had not ended:
it ends at `found_at`, or at `closed_at` for one closed without a return.

- `missing_now`: open at `as_of`.
- `over_72_hours`: open 72 hours or more at some instant of the window (the police's
  "over 72 hours", when senior escalation arises), whether or not still open.
- `high_risk`: graded high (latest grading at that instant) while open at some instant of
  the window.
- `returned_last_7_days`: found within the window.
- `rhi_due` / `rhi_overdue`: the offer of a return interview (`rhi_offered`) pending /
  overdue at `as_of`, from the stored obligations.
- `repeat_missing_children`: children with an episode starting in the window that meets
  the protocol's repeat threshold (count and window of the version in force at its report).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from homeward.accounts.models import User
from homeward.episodes.models import Episode, RiskGrading, RiskLevel
from homeward.episodes.selectors import episode_list_for_user
from homeward.obligations.protocol_source import active_protocol
from homeward.obligations.selectors import obligation_list_for_user
from homeward.protocol.repeat import is_repeat_missing

WINDOW = timedelta(days=7)
LONG_MISSING = timedelta(hours=72)
SECTIONS = ("missing_now", "over_72_hours", "high_risk", "returned_last_7_days", "rhi_due", "rhi_overdue")


@dataclass(frozen=True)
class WeeklyItem:
    episode: int
    child: int
    missing_since: datetime
    found_at: datetime | None
    risk_level: str


@dataclass(frozen=True)
class RepeatItem:
    child: int
    episodes: tuple[int, ...]


@dataclass(frozen=True)
class WeeklyReport:
    as_of: datetime
    window_start: datetime
    missing_now: list[WeeklyItem] = field(default_factory=list)
    over_72_hours: list[WeeklyItem] = field(default_factory=list)
    high_risk: list[WeeklyItem] = field(default_factory=list)
    returned_last_7_days: list[WeeklyItem] = field(default_factory=list)
    rhi_due: list[WeeklyItem] = field(default_factory=list)
    rhi_overdue: list[WeeklyItem] = field(default_factory=list)
    repeat_missing_children: list[RepeatItem] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        counts = {name: len(getattr(self, name)) for name in SECTIONS}
        counts["repeat_missing_children"] = len(self.repeat_missing_children)
        return counts


# What each list reads of an episode, in this order (`_item`).
_ITEM = ("pk", "child_id", "missing_since", "found_at", "risk_level")


def _end(found_at: datetime | None, closed_at: datetime | None, as_of: datetime) -> datetime | None:
    """When the episode stopped being open, as known at `as_of` (None: still open)."""
    ends = [t for t in (found_at, closed_at) if t is not None and t <= as_of]
    return min(ends) if ends else None


def _item(pk: int, child_id: int, missing_since: datetime, found_at: datetime | None, risk_level: str,
          as_of: datetime) -> WeeklyItem:
    found = found_at if found_at is not None and found_at <= as_of else None
    return WeeklyItem(episode=pk, child=child_id, missing_since=missing_since, found_at=found, risk_level=risk_level)


def _high_between(gradings: list[tuple[datetime, str]], start: datetime, end: datetime) -> bool:
    """Whether the latest grading was high at some instant of [start, end]."""
    level = ""
    for graded_at, risk_level in gradings:
        if graded_at > start:
            break
        level = risk_level
    if level == RiskLevel.HIGH:
        return True
    return any(risk_level == RiskLevel.HIGH and start < graded_at <= end for graded_at, risk_level in gradings)


def _known(as_of: datetime) -> Q:
    """Reported by `as_of` and not cancelled by then."""
    return Q(reported_at__lte=as_of, missing_since__lte=as_of) & (
        Q(cancelled_at__isnull=True) | Q(cancelled_at__gt=as_of)
    )


def _open_in_window(window_start: datetime) -> Q:
    """Open at some instant of the window, or found in it: neither found nor closed before it
    began. The second filter says the same of every episode the first keeps; it is there for
    the indexes (the partial index of episodes neither found nor closed, and those on
    `found_at` and `closed_at`), so that what is read is what is live in the week, never the
    whole history."""
    exact = (Q(found_at__isnull=True) | Q(found_at__gt=window_start)) & (
        Q(closed_at__isnull=True) | Q(closed_at__gt=window_start))
    indexed = Q(found_at__isnull=True, closed_at__isnull=True) | Q(found_at__gt=window_start) | Q(
        closed_at__gt=window_start)
    return exact & indexed


def _chunks(ids: list[int], size: int = 10_000) -> Iterator[list[int]]:
    """Ids a slice at a time (SQLite allows 32,766 parameters a statement)."""
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def weekly_report(user: User, *, as_of: datetime | None = None) -> WeeklyReport:
    """The report for the seven days ending `as_of` (None: now), over the children `user` may
    see."""
    now = timezone.now()
    # Asked about now (or later), a stored duty is done or ended no later than the present
    # (as the worklists read them, obligations.selectors._live), so "not done, not ended" is
    # "done_at and ended_at blank": what the partial index of live duties holds. Asked about
    # an earlier instant, the exact reading is used (the Monday email, the page's other times).
    live = as_of is None or as_of >= now
    as_of = as_of or now
    window_start = as_of - WINDOW
    report = WeeklyReport(as_of=as_of, window_start=window_start)
    candidates = list(
        episode_list_for_user(user).filter(_known(as_of), _open_in_window(window_start))
        .order_by("missing_since", "id").values_list(*_ITEM, "closed_at")
    )
    gradings: dict[int, list[tuple[datetime, str]]] = defaultdict(list)
    for ids in _chunks([c[0] for c in candidates]):
        for episode_id, graded_at, risk_level in (
            RiskGrading.objects.filter(episode_id__in=ids, graded_at__lte=as_of).order_by("graded_at", "id")
            .values_list("episode_id", "graded_at", "risk_level")
        ):
            gradings[episode_id].append((graded_at, risk_level))
    for pk, child_id, missing_since, found_at, risk_level, closed_at in candidates:
        end = _end(found_at, closed_at, as_of)
        item = _item(pk, child_id, missing_since, found_at, risk_level, as_of)
        open_until = end or as_of
        open_in_window = end is None or end > window_start
        if end is None:
            report.missing_now.append(item)
        long_from = missing_since + LONG_MISSING
        if open_in_window and long_from <= as_of and (end is None or end > long_from):
            report.over_72_hours.append(item)
        if open_in_window and _high_between(gradings[pk], max(missing_since, window_start), open_until):
            report.high_risk.append(item)
        if found_at is not None and window_start < found_at <= as_of:
            report.returned_last_7_days.append(item)
    _rhi_sections(user, report, live=live)
    _repeat_children(user, report)
    return report


def _rhi_sections(user: User, report: WeeklyReport, *, live: bool) -> None:
    still_open = Q(done_at__isnull=True, ended_at__isnull=True) if live else Q()
    for status, target in (("pending", report.rhi_due), ("overdue", report.rhi_overdue)):
        rows = obligation_list_for_user(user, status=status, as_of=report.as_of).filter(
            still_open, code="rhi_offered", episode__reported_at__lte=report.as_of,
        ).filter(Q(episode__cancelled_at__isnull=True) | Q(episode__cancelled_at__gt=report.as_of))
        seen: set[int] = set()
        for pk, child_id, missing_since, found_at, risk_level in (
            rows.order_by("due_at", "episode_id").values_list(*(f"episode__{name}" for name in _ITEM))
        ):
            if pk in seen:
                continue
            seen.add(pk)
            target.append(_item(pk, child_id, missing_since, found_at, risk_level, report.as_of))


def _repeat_children(user: User, report: WeeklyReport) -> None:
    protocol = active_protocol()
    known = _known(report.as_of)
    starting = list(
        episode_list_for_user(user).filter(known, missing_since__gt=report.window_start).order_by("missing_since", "id")
        .values_list("pk", "child_id", "missing_since", "reported_at")
    )
    starts: dict[int, list[tuple[int, datetime]]] = defaultdict(list)
    for ids in _chunks(sorted({child_id for _, child_id, _, _ in starting})):
        for pk, child_id, missing_since in (
            Episode.objects.filter(known, child_id__in=ids).values_list("pk", "child_id", "missing_since")
        ):
            starts[child_id].append((pk, missing_since))
    repeats: dict[int, list[int]] = {}
    for pk, child_id, missing_since, reported_at in starting:
        version = protocol.version_for(reported_at)
        others = [s for other, s in starts[child_id] if other != pk]
        if is_repeat_missing(others, missing_since, version.repeat_missing_count,
                             version.repeat_missing_window_days):
            repeats.setdefault(child_id, []).append(pk)
    report.repeat_missing_children.extend(RepeatItem(child=c, episodes=tuple(e)) for c, e in repeats.items())
