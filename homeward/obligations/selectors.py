"""Reading stored obligations: worklists and boards, through the access choke point."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from homeward.accounts.models import User
from homeward.accounts.permissions import visible_children

from .models import StoredObligation

STATUSES = ("upcoming", "pending", "overdue", "done")


def status_filter(status: str, as_of: datetime) -> Q:
    """The engine's status rules as a filter: done once done_at has passed; upcoming before it
    arises; overdue after its due time; pending in between."""
    done = Q(done_at__isnull=False, done_at__lte=as_of)
    if status == "done":
        return done
    if status == "upcoming":
        return ~done & Q(arises_at__gt=as_of)
    if status == "overdue":
        return ~done & Q(arises_at__lte=as_of, due_at__lt=as_of)
    if status == "pending":
        return ~done & Q(arises_at__lte=as_of, due_at__gte=as_of)
    raise ValueError(status)


def stored_status(row: StoredObligation, as_of: datetime) -> str:
    if row.done_at is not None and row.done_at <= as_of:
        return "done"
    if as_of < row.arises_at:
        return "upcoming"
    if as_of > row.due_at:
        return "overdue"
    return "pending"


def obligation_list_for_user(
    user: User, *, status: str | None = None, as_of: datetime | None = None, role: str | None = None,
) -> QuerySet[StoredObligation]:
    """Obligations of every episode the person may see, soonest due first."""
    from .services import obligations_refresh_due

    as_of = as_of or timezone.now()
    # Time may have added obligations (a daily carer update) since the worker last ran.
    obligations_refresh_due(now=timezone.now())
    queryset = StoredObligation.objects.filter(child__in=visible_children(user)).select_related(
        "episode", "child"
    )
    if status:
        queryset = queryset.filter(status_filter(status, as_of))
    if role:
        queryset = queryset.filter(responsible_role=role)
    return queryset.order_by("due_at", "code", "instance")


@dataclass(frozen=True)
class WorklistSection:
    """The first `limit` obligations of a worklist section, soonest due first, and how many
    there are in all (the page shows the first and counts the rest)."""

    rows: list[StoredObligation]
    count: int


def worklist_sections(user: User, *, as_of: datetime | None = None, soon: timedelta = timedelta(days=3),
                      role: str | None = None, limit: int = 50) -> dict[str, WorklistSection]:
    """The home page: overdue, due today (Europe/London), due soon.

    Each section is counted and cut in the database: a co-ordinator's authority can hold
    thousands of open obligations and the page shows the first `limit` of each."""
    as_of = as_of or timezone.now()
    end_of_today = timezone.localtime(as_of).replace(hour=23, minute=59, second=59, microsecond=0)
    open_rows = obligation_list_for_user(user, as_of=as_of, role=role).filter(
        Q(done_at__isnull=True) | Q(done_at__gt=as_of), arises_at__lte=as_of
    )
    bounds = {
        "overdue": Q(due_at__lt=as_of),
        "due_today": Q(due_at__gte=as_of, due_at__lte=end_of_today),
        "due_soon": Q(due_at__gt=end_of_today, due_at__lte=as_of + soon),
    }
    sections = {}
    for name, bound in bounds.items():
        rows = open_rows.filter(bound)
        sections[name] = WorklistSection(rows=list(rows[:limit]), count=rows.count())
    return sections


def episodes_next_obligation(episode_ids: list[int], *, as_of: datetime | None = None) -> dict[int, StoredObligation]:
    """For each of these episodes, its not-done obligation due soonest (overdue ones first),
    in one query: the board shows one per open episode."""
    as_of = as_of or timezone.now()
    rows = (
        StoredObligation.objects.filter(episode_id__in=episode_ids, arises_at__lte=as_of)
        .filter(Q(done_at__isnull=True) | Q(done_at__gt=as_of))
        .order_by("episode_id", "due_at", "id")
    )
    first: dict[int, StoredObligation] = {}
    for row in rows:
        first.setdefault(row.episode_id, row)
    return first
