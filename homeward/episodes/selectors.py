"""Reading episodes, always through the access choke point."""

from __future__ import annotations

from django.db.models import QuerySet

from homeward.accounts.models import User
from homeward.accounts.permissions import visible_children
from homeward.audit.services import audit_record
from homeward.common.errors import NotFound

from .models import Episode


def episode_list_for_user(user: User) -> QuerySet[Episode]:
    return Episode.objects.filter(child__in=visible_children(user)).select_related(
        "child", "police_force", "rhi_authority"
    )


def episode_get_for_user(user: User, episode_id: int, *, audit: bool = True) -> Episode:
    episode = episode_list_for_user(user).filter(pk=episode_id).first()
    if episode is None:
        raise NotFound
    if audit:
        audit_record(actor=user, action="view", object_type="episode", object_id=str(episode.pk),
                     child_id=episode.child_id)
    return episode
