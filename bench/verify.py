"""Checking a generated database against the application: each episode's stored obligations
and obligation state are what `obligations_refresh` would store at the build instant (the
application's own facts, read back from the rows, through `planned_rows`), and who conducts its
return interview is what routing says."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from homeward.casework.routing import episode_rhi_routing
from homeward.episodes.models import Episode, EpisodeStatus
from homeward.obligations.models import EpisodeObligationState, StoredObligation
from homeward.obligations.rows import STORED_FIELDS, planned_rows
from homeward.obligations.services import HORIZON, RENEW_AFTER


def _row(obligation: StoredObligation) -> tuple[object, ...]:
    return tuple(getattr(obligation, name) for name in STORED_FIELDS)


def episode_mismatches(episode: Episode, now: datetime) -> list[str]:
    """What differs between the episode's stored rows and the application's answer at `now`."""
    problems: list[str] = []
    wanted = {(r.code, r.instance): _row(r) for r in planned_rows(episode, now=now, through=now + HORIZON)}
    stored = {(r.code, r.instance): _row(r) for r in StoredObligation.objects.filter(episode=episode)}
    for key in sorted(set(wanted) | set(stored)):
        if key not in stored:
            problems.append(f"episode {episode.pk}: {key[0]} #{key[1]} is owed but not stored")
        elif key not in wanted:
            problems.append(f"episode {episode.pk}: {key[0]} #{key[1]} is stored but not owed")
        elif wanted[key] != stored[key]:
            fields = [name for name, a, b in zip(STORED_FIELDS, wanted[key], stored[key], strict=True) if a != b]
            problems.append(f"episode {episode.pk}: {key[0]} #{key[1]} differs in {', '.join(fields)}: "
                            + "; ".join(f"{name} engine {a!r} stored {b!r}"
                                        for name, a, b in zip(STORED_FIELDS, wanted[key], stored[key], strict=True)
                                        if a != b))
    is_open = episode.status == EpisodeStatus.OPEN and not episode.imported_from
    state = EpisodeObligationState.objects.filter(episode=episode).first()
    expected = (now + RENEW_AFTER if is_open else None, now + HORIZON if is_open else None)
    if state is None:
        problems.append(f"episode {episode.pk}: no obligation state")
    elif (state.valid_until, state.exact_until) != expected:
        problems.append(f"episode {episode.pk}: obligation state {state.valid_until}, {state.exact_until}; "
                        f"refresh gives {expected[0]}, {expected[1]}")
    routing = episode_rhi_routing(episode)
    kept = (episode.rhi_authority.code if episode.rhi_authority else None, episode.rhi_out_of_area,
            episode.rhi_neighbouring, episode.rhi_chargeable)
    if kept != (routing.authority, routing.out_of_area, routing.neighbouring, routing.chargeable):
        problems.append(f"episode {episode.pk}: return interview routing {kept}, routing gives {routing}")
    return problems


def mismatches(now: datetime, episodes: Iterable[Episode] | None = None) -> tuple[int, list[str]]:
    """(episodes checked, problems) over `episodes`, or every episode."""
    everything = Episode.objects.select_related("child", "rhi_authority").order_by("id")
    chosen = episodes if episodes is not None else everything
    checked = 0
    problems: list[str] = []
    for episode in chosen:
        checked += 1
        problems += episode_mismatches(episode, now)
    return checked, problems
