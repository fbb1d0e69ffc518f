"""What happens, inside the same transaction, whenever an episode's facts change."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from homeward.accounts.models import User

    from .models import Episode


def episode_facts_changed(episode: Episode, *, event: str, actor: User | None) -> None:
    """Keep everything derived from the episode's facts true in the same transaction: who
    conducts the return interview, the stored obligations, and who must be told (a report
    or a return: DOMAIN.md section 4)."""
    from homeward.episodes.routing import episode_assign_rhi_responsibility
    from homeward.notifications.services import notifications_for_event
    from homeward.obligations.facts import facts_for_episode
    from homeward.obligations.services import obligations_refresh

    facts = facts_for_episode(episode)
    episode_assign_rhi_responsibility(episode, child=facts.child)
    obligations_refresh(episode, facts=facts)
    if not episode.imported_from:
        notifications_for_event(episode=episode, event=event)
