"""Who conducts the return interview for an episode (DOMAIN.md section 4), kept on the episode."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from homeward.episodes.models import Episode
from homeward.obligations.facts import child_facts
from homeward.obligations.protocol_source import active_protocol, home_authority
from homeward.protocol.facts import ChildFacts
from homeward.protocol.routing import RhiRouting, route_return_interview
from homeward.reference.models import Authority
from homeward.reference.selectors import authority_get


def episode_rhi_routing(episode: Episode, *, child: ChildFacts | None = None) -> RhiRouting:
    version = active_protocol().version_for(episode.reported_at)
    return route_return_interview(
        child=child or child_facts(episode.child), home_authority=home_authority(), policy=version,
        missing_since=episode.missing_since, exceptional=episode.rhi_exceptional,
    )


def _rhi_values(episode: Episode, routing: RhiRouting, known: Iterable[Authority]) -> dict[str, Any]:
    # The authority row is read again only when neither the episode nor `known` holds it.
    current = episode.rhi_authority if episode.rhi_authority_id is not None else None
    authority = next((a for a in (current, *known) if a is not None and a.code == routing.authority), None)
    return {"rhi_authority": authority or authority_get(routing.authority), "rhi_out_of_area": routing.out_of_area,
            "rhi_neighbouring": routing.neighbouring, "rhi_chargeable": routing.chargeable}


def episode_assign_rhi_responsibility(episode: Episode, *, child: ChildFacts | None = None) -> RhiRouting:
    """Keep on the episode who conducts its return interview; written only when it changes."""
    routing = episode_rhi_routing(episode, child=child)
    values = _rhi_values(episode, routing, ())
    if any(getattr(episode, name) != value for name, value in values.items()):
        Episode.objects.filter(pk=episode.pk).update(**values)
        for name, value in values.items():
            setattr(episode, name, value)
    return routing


def episode_rhi_responsibility_set(episode: Episode, *, child: ChildFacts,
                                   known: Iterable[Authority] = ()) -> RhiRouting:
    """The same answer for an episode not yet saved (a report), set on it before its insert so
    that no update follows; `known`: authority rows the caller has read (the child's own)."""
    routing = episode_rhi_routing(episode, child=child)
    for name, value in _rhi_values(episode, routing, known).items():
        setattr(episode, name, value)
    return routing
