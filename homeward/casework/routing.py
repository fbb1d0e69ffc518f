"""Who conducts the return interview for an episode (DOMAIN.md section 4), kept on the episode."""

from __future__ import annotations

from homeward.episodes.models import Episode
from homeward.obligations.facts import child_facts
from homeward.obligations.protocol_source import active_protocol, home_authority
from homeward.protocol.facts import ChildFacts
from homeward.protocol.routing import RhiRouting, route_return_interview
from homeward.reference.selectors import authority_get


def episode_rhi_routing(episode: Episode, *, child: ChildFacts | None = None) -> RhiRouting:
    version = active_protocol().version_for(episode.reported_at)
    return route_return_interview(
        child=child or child_facts(episode.child), home_authority=home_authority(), policy=version,
        missing_since=episode.missing_since, exceptional=episode.rhi_exceptional,
    )


def episode_assign_rhi_responsibility(episode: Episode, *, child: ChildFacts | None = None) -> RhiRouting:
    """Keep on the episode who conducts its return interview; written only when it changes."""
    routing = episode_rhi_routing(episode, child=child)
    # The authority row is read again only when the answer names another one.
    current = episode.rhi_authority if episode.rhi_authority_id is not None else None
    authority = current if current is not None and current.code == routing.authority else authority_get(
        routing.authority)
    values = {"rhi_authority": authority, "rhi_out_of_area": routing.out_of_area,
              "rhi_neighbouring": routing.neighbouring, "rhi_chargeable": routing.chargeable}
    if any(getattr(episode, name) != value for name, value in values.items()):
        Episode.objects.filter(pk=episode.pk).update(**values)
        for name, value in values.items():
            setattr(episode, name, value)
    return routing
