"""Reading notifications. Callers fetch the episode through the access choke point first
(`episode_get_for_user`), so these only ever see episodes the person may see."""

from __future__ import annotations

from django.db.models import QuerySet

from homeward.episodes.models import Episode

from .models import Notification


def notification_list_for_episode(episode: Episode) -> QuerySet[Notification]:
    """Every notification the episode caused, oldest first."""
    return Notification.objects.filter(episode=episode).order_by("created_at", "id")
