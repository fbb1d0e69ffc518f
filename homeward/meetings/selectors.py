"""Reading strategy meetings and their actions, always through the access choke point."""

from __future__ import annotations

from django.db.models import F, Prefetch, QuerySet

from homeward.accounts.models import User
from homeward.accounts.permissions import scoped_to_visible_children, visible_children
from homeward.audit.services import audit_record
from homeward.common.errors import NotFound

from .models import MeetingAction, StrategyMeeting

# A meeting's actions in the order they were agreed, with the people they name.
ACTIONS_PREFETCH = Prefetch("actions", queryset=MeetingAction.objects.select_related("owner_user", "done_by")
                            .order_by("id"))


def meeting_list_for_user(user: User) -> QuerySet[StrategyMeeting]:
    """Meetings about the children the person may see, with their actions."""
    return StrategyMeeting.objects.filter(episode__child__in=visible_children(user)).select_related(
        "episode", "recorded_by"
    ).prefetch_related(ACTIONS_PREFETCH)


def meeting_action_get_for_user(user: User, *, episode_id: int, meeting_id: int, action_id: int,
                                audit: bool = True) -> MeetingAction:
    """One action of a meeting of an episode the person may see, or NotFound (the three ids
    must belong together). The look is audited."""
    action = (
        MeetingAction.objects.filter(
            pk=action_id, meeting_id=meeting_id, meeting__episode_id=episode_id,
            meeting__episode__child__in=visible_children(user),
        )
        .select_related("meeting__episode__child", "owner_user", "done_by")
        .first()
    )
    if action is None:
        raise NotFound
    if audit:
        audit_record(actor=user, action="view", object_type="meeting_action", object_id=str(action.pk),
                     child_id=action.meeting.episode.child_id)
    return action


def meeting_action_open_for_owner(user: User) -> QuerySet[MeetingAction]:
    """The actions given to this person by name that are not yet done, on episodes of children
    they may still see; soonest due first, those without a due date last."""
    owned = MeetingAction.objects.filter(owner_user=user, done_at__isnull=True)
    return (
        scoped_to_visible_children(owned, user, "meeting__episode__child")
        .exclude(meeting__episode__status="cancelled")
        .select_related("meeting__episode__child")
        .order_by(F("due").asc(nulls_last=True), "id")
    )
