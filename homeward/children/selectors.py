"""Reading children, always through the access choke point."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from homeward.accounts.models import User
from homeward.accounts.permissions import scoped_to_visible_children, visible_children
from homeward.audit.services import audit_record
from homeward.common.errors import NotFound

from .models import Child


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


def child_caseload_for_user(user: User) -> QuerySet[Child]:
    """The children allocated to the person or to their team, among those they may see: a
    social worker's or team manager's caseload; none for most co-ordinators, police, providers."""
    mine = Q(allocated_worker=user)
    if user.team_id:
        mine |= Q(team_id=user.team_id)
    return scoped_to_visible_children(Child.objects.filter(mine), user, "pk")


def child_caseload_exists(user: User) -> bool:
    """Whether the person has a caseload: asked of each index apart (their own children, their
    team's), where one test of either read every child of a million to find none (issue 11)."""
    caseload = scoped_to_visible_children(Child.objects.all(), user, "pk")
    if caseload.filter(allocated_worker=user).exists():
        return True
    return bool(user.team_id) and caseload.filter(team_id=user.team_id).exists()
