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
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Q

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


def _end(episode: Episode, as_of: datetime) -> datetime | None:
    """When the episode stopped being open, as known at `as_of` (None: still open)."""
    ends = [t for t in (episode.found_at, episode.closed_at) if t is not None and t <= as_of]
    return min(ends) if ends else None


def _item(episode: Episode, as_of: datetime) -> WeeklyItem:
    found = episode.found_at if episode.found_at is not None and episode.found_at <= as_of else None
    return WeeklyItem(episode=episode.pk, child=episode.child_id, missing_since=episode.missing_since,
                      found_at=found, risk_level=episode.risk_level)


def _high_between(gradings: list[RiskGrading], start: datetime, end: datetime) -> bool:
    """Whether the latest grading was high at some instant of [start, end]."""
    level = ""
    for grading in gradings:
        if grading.graded_at > start:
            break
        level = grading.risk_level
    if level == RiskLevel.HIGH:
        return True
    return any(g.risk_level == RiskLevel.HIGH and start < g.graded_at <= end for g in gradings)


def _known(as_of: datetime) -> Q:
    """Reported by `as_of` and not cancelled by then."""
    return Q(reported_at__lte=as_of, missing_since__lte=as_of) & (
        Q(cancelled_at__isnull=True) | Q(cancelled_at__gt=as_of)
    )


def weekly_report(user: User, *, as_of: datetime) -> WeeklyReport:
    """The report for the seven days ending `as_of`, over the children `user` may see."""
    window_start = as_of - WINDOW
    report = WeeklyReport(as_of=as_of, window_start=window_start)
    known = _known(as_of)
    # Episodes open at some instant of the window, or found in it.
    candidates = list(
        episode_list_for_user(user).filter(known).filter(
            Q(found_at__isnull=True) | Q(found_at__gt=window_start)
        ).filter(Q(closed_at__isnull=True) | Q(closed_at__gt=window_start)).order_by("missing_since", "id")
    )
    gradings: dict[int, list[RiskGrading]] = defaultdict(list)
    for grading in RiskGrading.objects.filter(episode__in=[e.pk for e in candidates],
                                              graded_at__lte=as_of).order_by("graded_at", "id"):
        gradings[grading.episode_id].append(grading)
    for episode in candidates:
        end = _end(episode, as_of)
        item = _item(episode, as_of)
        open_until = end or as_of
        open_in_window = end is None or end > window_start
        if end is None:
            report.missing_now.append(item)
        long_from = episode.missing_since + LONG_MISSING
        if open_in_window and long_from <= as_of and (end is None or end > long_from):
            report.over_72_hours.append(item)
        if open_in_window and _high_between(gradings[episode.pk], max(episode.missing_since, window_start),
                                            open_until):
            report.high_risk.append(item)
        if episode.found_at is not None and window_start < episode.found_at <= as_of:
            report.returned_last_7_days.append(item)
    _rhi_sections(user, report)
    _repeat_children(user, report)
    return report


def _rhi_sections(user: User, report: WeeklyReport) -> None:
    for status, target in (("pending", report.rhi_due), ("overdue", report.rhi_overdue)):
        rows = obligation_list_for_user(user, status=status, as_of=report.as_of).filter(
            code="rhi_offered", episode__reported_at__lte=report.as_of,
        ).filter(Q(episode__cancelled_at__isnull=True) | Q(episode__cancelled_at__gt=report.as_of))
        seen: set[int] = set()
        for row in rows.order_by("due_at", "episode_id"):
            if row.episode_id in seen:
                continue
            seen.add(row.episode_id)
            target.append(_item(row.episode, report.as_of))


def _repeat_children(user: User, report: WeeklyReport) -> None:
    protocol = active_protocol()
    known = _known(report.as_of)
    starting = list(
        episode_list_for_user(user).filter(known, missing_since__gt=report.window_start).order_by("missing_since", "id")
    )
    child_ids = {e.child_id for e in starting}
    starts: dict[int, list[tuple[int, datetime]]] = defaultdict(list)
    for pk, child_id, missing_since in (
        Episode.objects.filter(known, child_id__in=child_ids).values_list("pk", "child_id", "missing_since")
    ):
        starts[child_id].append((pk, missing_since))
    repeats: dict[int, list[int]] = {}
    for episode in starting:
        version = protocol.version_for(episode.reported_at)
        others = [s for pk, s in starts[episode.child_id] if pk != episode.pk]
        if is_repeat_missing(others, episode.missing_since, version.repeat_missing_count,
                             version.repeat_missing_window_days):
            repeats.setdefault(episode.child_id, []).append(episode.pk)
    report.repeat_missing_children.extend(RepeatItem(child=c, episodes=tuple(e)) for c, e in repeats.items())
