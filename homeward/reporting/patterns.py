"""Patterns for the missing co-ordinator and the MACE panel (DOMAIN.md section 8, seed 002:
"map problems and patterns"). Each item carries the episode ids behind it, so a page can
link to them.

- Push and pull factors: the coded factors of return interviews, counted month by month
  (the month of the episode's `missing_since`, Europe/London); immediate risks (seed 004)
  the same way from children's services' risk analyses, an episode counted once for each
  risk however many analyses name it.
- Places: where children were last seen and where they were found, normalised (case,
  punctuation, spaces and a leading "the" ignored), with the places that recur.
- Network: children are linked when (a) their episodes overlap in time, or start within
  `together_hours` of each other, and share a place (last seen or found), or (b) their
  Philomena profiles name the same associate or the same place frequented. Links of kind
  (a) carry the episodes behind them; of kind (b) the shared entries.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import combinations

from django.utils import timezone

from homeward.accounts.models import User
from homeward.children.models import PhilomenaProfile
from homeward.episodes.models import Episode, EpisodeAction
from homeward.episodes.risk_analysis import RISK_ANALYSIS_LISTS, risk_analysis_codes
from homeward.interviews.models import ReturnInterview
from homeward.reference.selectors import coded_labels

from .history import initials, month_key, months_between
from .performance import episodes_starting

_PUNCTUATION = re.compile(r"[^\w\s]")
_SPACES = re.compile(r"\s+")
_LEADING = re.compile(r"^(the|a|an)\s+")
_ENTRY_SPLIT = re.compile(r"[\n;,]+")


def normalise_place(text: str) -> str:
    """A place as compared: 'The Railway Station.' and 'railway  station' are the same."""
    cleaned = _SPACES.sub(" ", _PUNCTUATION.sub(" ", text.lower())).strip()
    return _LEADING.sub("", cleaned)


@dataclass(frozen=True)
class FactorTrend:
    kind: str  # "push" or "pull" (return interviews), or "risk" (immediate risks, risk analyses)
    code: str
    label: str
    by_month: list[int]
    total: int
    episodes: list[int]


@dataclass
class Place:
    key: str
    label: str
    last_seen: int = 0
    found: int = 0
    episodes: list[int] = field(default_factory=list)
    children: set[int] = field(default_factory=set)

    @property
    def total(self) -> int:
        return self.last_seen + self.found


@dataclass(frozen=True)
class NetworkNode:
    child: int
    initials: str
    episodes: list[int]


@dataclass
class NetworkEdge:
    source: int
    target: int
    episodes: list[int] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    associates: list[str] = field(default_factory=list)
    places_frequented: list[str] = field(default_factory=list)

    @property
    def weight(self) -> int:
        return len(self.episodes) // 2 + len(self.associates) + len(self.places_frequented)


@dataclass(frozen=True)
class Patterns:
    first: date
    last: date
    months: list[str]
    factors: list[FactorTrend]
    places: list[Place]
    nodes: list[NetworkNode]
    edges: list[NetworkEdge]


def _factor_trends(episodes: list[Episode], months: list[str]) -> list[FactorTrend]:
    month_of = {e.pk: month_key(e.missing_since) for e in episodes}
    interviews = ReturnInterview.objects.filter(episode_id__in=list(month_of)).order_by("episode_id")
    named: dict[str, list[tuple[int, list[str]]]] = {
        "push": [(i.episode_id, i.push_factors or []) for i in interviews],
        "pull": [(i.episode_id, i.pull_factors or []) for i in interviews],
        # Seed 004's immediate risks, coded in children's services' risk analysis while missing.
        "risk": [(a.episode_id, risk_analysis_codes(a.detail)["immediate_risks"])
                 for a in EpisodeAction.objects.filter(episode_id__in=list(month_of), action="risk_analysis")
                 .order_by("episode_id", "at", "id")],
    }
    out = []
    for kind, list_name in (("push", "push_factors"), ("pull", "pull_factors"),
                            ("risk", RISK_ANALYSIS_LISTS["immediate_risks"])):
        labels = coded_labels(list_name)
        hits: dict[str, set[int]] = defaultdict(set)
        for episode_id, codes in named[kind]:
            for code in codes:
                hits[code].add(episode_id)
        for code in sorted(hits, key=lambda c: (-len(hits[c]), c)):
            counts = Counter(month_of[e] for e in hits[code])
            out.append(FactorTrend(kind=kind, code=code, label=labels.get(code, code),
                                   by_month=[counts.get(m, 0) for m in months], total=len(hits[code]),
                                   episodes=sorted(hits[code])))
    return out


def _places(episodes: list[Episode], min_count: int) -> list[Place]:
    places: dict[str, Place] = {}
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for episode in episodes:
        for attribute, text in (("last_seen", episode.location_last_seen), ("found", episode.found_location)):
            key = normalise_place(text or "")
            if not key:
                continue
            place = places.setdefault(key, Place(key=key, label=text.strip()))
            setattr(place, attribute, getattr(place, attribute) + 1)
            if episode.pk not in place.episodes:
                place.episodes.append(episode.pk)
            place.children.add(episode.child_id)
            spellings[key][text.strip()] += 1
    for key, place in places.items():
        place.label = spellings[key].most_common(1)[0][0]
    recurring = [p for p in places.values() if p.total >= min_count]
    return sorted(recurring, key=lambda p: (-p.total, p.key))


def _entries(text: str) -> set[str]:
    return {normalise_place(part) for part in _ENTRY_SPLIT.split(text or "") if normalise_place(part)}


def _network(episodes: list[Episode], together: timedelta) -> tuple[list[NetworkNode], list[NetworkEdge]]:
    by_child: dict[int, list[Episode]] = defaultdict(list)
    for episode in episodes:
        by_child[episode.child_id].append(episode)
    edges: dict[tuple[int, int], NetworkEdge] = {}

    def edge(a: int, b: int) -> NetworkEdge:
        key = (min(a, b), max(a, b))
        return edges.setdefault(key, NetworkEdge(source=key[0], target=key[1]))

    now = timezone.now()
    spans = [(e, e.missing_since, e.found_at or now,
              {normalise_place(e.location_last_seen or ""), normalise_place(e.found_location or "")} - {""})
             for e in episodes]
    spans.sort(key=lambda s: s[1])
    for i, (a, a_start, a_end, a_places) in enumerate(spans):
        for b, b_start, _, b_places in spans[i + 1:]:
            if b_start > max(a_end, a_start + together):
                break
            if a.child_id == b.child_id:
                continue
            shared = a_places & b_places
            if not shared:
                continue
            link = edge(a.child_id, b.child_id)
            link.episodes.extend(pk for pk in (a.pk, b.pk) if pk not in link.episodes)
            link.places.extend(p for p in sorted(shared) if p not in link.places)
    profiles = {p.child_id: p for p in PhilomenaProfile.objects.filter(child_id__in=list(by_child))}
    for a_id, b_id in combinations(sorted(profiles), 2):
        one, other = profiles[a_id], profiles[b_id]
        associates = sorted(_entries(one.known_associates) & _entries(other.known_associates))
        frequented = sorted(_entries(one.places_frequented) & _entries(other.places_frequented))
        if associates or frequented:
            link = edge(a_id, b_id)
            link.associates.extend(associates)
            link.places_frequented.extend(frequented)
    linked = {c for key in edges for c in key}
    nodes = [
        NetworkNode(child=child_id, initials=initials(eps[0].child.given_name, eps[0].child.family_name),
                    episodes=[e.pk for e in eps])
        for child_id, eps in sorted(by_child.items()) if child_id in linked
    ]
    return nodes, sorted(edges.values(), key=lambda e: (-e.weight, e.source, e.target))


def patterns(user: User, *, first: date, last: date, min_place_count: int = 2,
             together_hours: int = 24) -> Patterns:
    """Patterns among the episodes starting on Europe/London dates `first` to `last`."""
    months = months_between(first, last)
    episodes = list(episodes_starting(user, first, last))
    nodes, edges = _network(episodes, timedelta(hours=together_hours))
    return Patterns(first=first, last=last, months=months, factors=_factor_trends(episodes, months),
                    places=_places(episodes, min_place_count), nodes=nodes, edges=edges)
