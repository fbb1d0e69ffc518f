"""Overdue and unowned work: for the co-ordinator and the MCT, every overdue duty in the
authority and every duty in the front door (MASH) queue, which nobody else owns (ADR 0011)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from homeward.accounts.models import User
from homeward.audit.services import audit_list_read
from homeward.common.errors import PermissionDenied
from homeward.obligations.models import OwnerQueue, StoredObligation
from homeward.obligations.selectors import FRONT_DOOR_ROLES, obligation_rows_for_user
from homeward.web.duties import duties
from homeward.web.forms.work import WorkFilterForm

from .base import page, person, query_without_page

PAGE_SIZE = 25


def work_rows(user: User, as_of: datetime, *, team: int | None = None, role: str | None = None,
              code: str | None = None) -> QuerySet[StoredObligation] | list[StoredObligation]:
    """What is overdue anywhere the person may see, and what is due in the front door queue,
    soonest due first. Read only: an episode beyond its stored horizon is evaluated in memory
    by the selector, as the worklist does."""
    filters: dict[str, Any] = {"as_of": as_of, "team": team, "role": role, "code": code}
    overdue = obligation_rows_for_user(user, status="overdue", **filters)
    front_door = obligation_rows_for_user(user, status="pending", queue=OwnerQueue.FRONT_DOOR, **filters)
    if isinstance(overdue, QuerySet) and isinstance(front_door, QuerySet):
        return (overdue | front_door).order_by("due_at", "code", "instance", "id")
    merged = {(row.episode_id, row.code, row.instance): row for row in [*overdue, *front_door]}
    return sorted(merged.values(), key=lambda row: (row.due_at, row.code, row.instance, row.episode_id))



@page
def work(request: HttpRequest) -> HttpResponse:
    user = person(request)
    if user.role not in FRONT_DOOR_ROLES:
        raise PermissionDenied("Overdue and unowned work is the missing co-ordinator's and the MCT's.")
    now = timezone.now()
    form = WorkFilterForm(data=request.GET or None)
    entries = None
    shown = []
    if not form.is_bound or form.is_valid():
        data = form.cleaned_data if form.is_bound else {}
        rows = work_rows(user, now, team=data.get("team"), role=data.get("role") or None,
                         code=data.get("code") or None)
        entries = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        page_rows = list(entries.object_list)
        shown = duties(page_rows, now)
        # A list naming children: one entry per child shown, naming the episodes (ADR 0009).
        audit_list_read(actor=user, object_type="unowned_work", query=request.GET.dict(),
                        rows=[(row.episode_id, row.child_id) for row in page_rows])
    return render(request, "web/work/work.html", {
        "form": form, "entries": entries, "duties": shown, "now": now, "query": query_without_page(request),
    })
