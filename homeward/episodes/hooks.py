"""What happens, inside the same transaction, whenever an episode's facts change."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from homeward.accounts.models import User

    from .models import Episode


def episode_facts_changed(episode: Episode, *, event: str, actor: User | None) -> None:
    """Refresh who conducts the return interview; obligations and notifications follow it."""
    from homeward.episodes.routing import episode_assign_rhi_responsibility

    episode_assign_rhi_responsibility(episode)
