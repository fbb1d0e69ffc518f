"""Who conducts the return interview for an episode (DOMAIN.md section 4), kept on the episode."""

from __future__ import annotations

from homeward.obligations.facts import child_facts
from homeward.obligations.protocol_source import active_protocol, home_authority
from homeward.protocol.facts import ChildFacts
from homeward.protocol.routing import RhiRouting, route_return_interview
from homeward.reference.models import Authority

from .models import Episode


def episode_rhi_routing(episode: Episode, *, child: ChildFacts | None = None) -> RhiRouting:
    version = active_protocol().version_for(episode.reported_at)
    return route_return_interview(
        child=child or child_facts(episode.child), home_authority=home_authority(), policy=version,
        missing_since=episode.missing_since, exceptional=episode.rhi_exceptional,
    )


def episode_assign_rhi_responsibility(episode: Episode, *, child: ChildFacts | None = None) -> RhiRouting:
    routing = episode_rhi_routing(episode, child=child)
    authority = Authority.objects.filter(code=routing.authority).first()
    Episode.objects.filter(pk=episode.pk).update(
        rhi_authority=authority, rhi_out_of_area=routing.out_of_area, rhi_chargeable=routing.chargeable
    )
    episode.rhi_authority = authority
    episode.rhi_out_of_area = routing.out_of_area
    episode.rhi_chargeable = routing.chargeable
    return routing
