"""Reading children, always through the access choke point."""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import QuerySet

from homeward.accounts.models import User
from homeward.accounts.permissions import visible_children
from homeward.audit.services import audit_record
from homeward.common.errors import NotFound

from .models import Child, LegalStatusPeriod, Placement


def child_list_for_user(user: User) -> QuerySet[Child]:
    return visible_children(user).select_related(
        "responsible_authority", "allocated_worker", "team", "iro"
    )


def child_get_for_user(user: User, child_id: int, *, audit: bool = True) -> Child:
    """One child the person may see, or NotFound. The look is audited."""
    child = child_list_for_user(user).filter(pk=child_id).first()
    if child is None:
        raise NotFound
    if audit:
        audit_record(actor=user, action="view", object_type="child", object_id=str(child.pk), child_id=child.pk)
    return child


def legal_status_on(child: Child, on: date) -> str:
    """The legal status in force on a date: the latest period that began on or before it
    (a period without a start date applied throughout)."""
    periods = list(LegalStatusPeriod.objects.filter(child=child).order_by("started_on", "id"))
    status = periods[0].status if periods else child.legal_status
    for period in periods:
        if period.started_on is None or period.started_on <= on:
            status = period.status
    return status


def placement_on(child: Child, on: date) -> Placement | None:
    """The placement in force on a date, if any."""
    candidates = Placement.objects.filter(child=child).select_related("authority").order_by("-started_on", "-id")
    for placement in candidates:
        started = placement.started_on is None or placement.started_on <= on
        not_ended = placement.ended_on is None or placement.ended_on > on
        if started and not_ended:
            return placement
    return None


def child_episode_count_since(child: Child, since: datetime) -> int:
    return child.episodes.exclude(status="cancelled").filter(missing_since__gte=since).count()
