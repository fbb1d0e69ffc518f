"""Reading notifications. Callers fetch the episode through the access choke point first
(`episode_get_for_user`), so these only ever see episodes the person may see."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from homeward.accounts.roles import Role
from homeward.episodes.models import Episode

from .models import Notification, NotificationEvent

#: Notifications whose mere existence tells of social care's record: a safeguarding concern
#: from the return interview, exploitation indicators in a risk analysis or the interview.
CASEWORK_EVENTS = (NotificationEvent.CONCERN_SHARED, NotificationEvent.EXPLOITATION)
#: Who never reads them (DOMAIN.md section 7; ADR 0008): police liaison read episode and
#: Philomena data, not social care's notes; placement providers never read the interview;
#: auditors read the audit log. The chronology likewise shows them a concern's sharing as
#: "Information from the return interview shared".
_WITHOUT_CASEWORK_EVENTS = frozenset({Role.POLICE_LIAISON, Role.PLACEMENT_PROVIDER, Role.AUDITOR})


def notification_list_for_episode(episode: Episode, user: Any = None) -> QuerySet[Notification]:
    """Every notification the episode caused, oldest first; for `user`, without those that
    would tell them what they may not read (`CASEWORK_EVENTS` for police, providers, auditors)."""
    rows = (Notification.objects.filter(episode=episode).select_related("attachment_version")
            .order_by("created_at", "id"))
    if user is not None and getattr(user, "role", None) in _WITHOUT_CASEWORK_EVENTS:
        rows = rows.exclude(event__in=CASEWORK_EVENTS)
    return rows


def exploitation_recorded_since(user: Any, since: Any) -> QuerySet[Episode]:
    """The episodes, among those the person may see, whose exploitation indicators the
    exploitation (CSE/CCE) team was told of since `since` (a risk analysis or return interview
    recording them: the `exploitation` event), the latest told first: the team's home page
    (ADR 0016). One row per episode."""
    from django.db.models import Max

    from homeward.episodes.selectors import episode_list_for_user

    told = Notification.objects.filter(event=NotificationEvent.EXPLOITATION, created_at__gte=since)
    return (episode_list_for_user(user).filter(pk__in=told.values("episode_id"))
            .annotate(exploitation_told_at=Max("notifications__event_at",
                                               filter=Q(notifications__event=NotificationEvent.EXPLOITATION)))
            .select_related("child").order_by("-exploitation_told_at", "-id"))
