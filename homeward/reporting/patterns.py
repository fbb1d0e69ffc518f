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
  (a) carry the episodes behind them; of kind (b) the shared entries. An entry named by more
  than `LINKED_AT_MOST` children, or a place where more than that many episodes began within
  the hours that link them ("home address"), links none of them two by two: it is listed as
  shared, with its children (`SharedEntry`), since every pair of hundreds is no picture.
- Consultations and referrals (DOMAIN.md section 5a): per kind, those considered for the
  period's episodes, made, not made, made with an outcome and prompted, and how many were
  considered by the month the episode started: one SQL aggregate grouped by kind and month.
  Counts alone: they name no child.
- Nothing compares every pair (issue 11): episodes are grouped by normalised place and
  compared with the later ones of their own places only, profiles grouped by normalised
  entry; the period's episodes are read once, the columns needed, in chunks.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from itertools import combinations

from django.db.models import Count, Q, QuerySet, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from homeward.accounts.models import User
from homeward.children.models import Child, PhilomenaProfile
from homeward.common.timeutil import LONDON
from homeward.consultations.models import Consultation, ConsultationKind, Decision
from homeward.episodes.models import Episode
from homeward.episodes.risk_analysis import RISK_ANALYSIS_LISTS
from homeward.reference.selectors import coded_labels

from .factor_counts import factor_hits
from .history import initials, month_key, months_between
from .performance import episodes_starting
from .statements import EpochMicroseconds, cycles_uncollected

_PUNCTUATION = re.compile(r"[^\w\s]")
_SPACES = re.compile(r"\s+")
_LEADING = re.compile(r"^(the|a|an)\s+")
_ENTRY_SPLIT = re.compile(r"[\n;,]+")
# Philomena profiles that name one associate or place frequented link their children two by
# two up to this many children; more, and the entry is listed as shared (`SharedEntry`).
LINKED_AT_MOST = 12


@lru_cache(maxsize=65_536)
def normalise_place(text: str) -> str:
    """A place as compared: 'The Railway Station.' and 'railway  station' are the same.
    Remembered: a service's places and associates are named in the same words over and over."""
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
class SharedEntry:
    """An associate or place frequented that more than `LINKED_AT_MOST` children's Philomena
    profiles name, or a place where more than that many episodes began within the hours that
    link them: listed once with its children (each with their first episode of the period),
    not as a link between every two of them."""

    kind: str  # "associate", "place_frequented" or "place" (last seen or found)
    key: str
    children: list[int]
    episodes: list[int]


@dataclass(frozen=True)
class ConsultationTrend:
    """One kind of consultation or referral, over the decisions recorded for the period's
    episodes (by the month each episode started)."""

    kind: str
    label: str
    considered: int
    made: int
    not_made: int
    with_outcome: int
    prompted: int
    by_month: list[int]


@dataclass(frozen=True)
class Patterns:
    first: date
    last: date
    months: list[str]
    factors: list[FactorTrend]
    places: list[Place]
    nodes: list[NetworkNode]
    edges: list[NetworkEdge]
    consultations: list[ConsultationTrend] = field(default_factory=list)


def _consultation_trends(episodes: QuerySet[Episode], months: list[str]) -> list[ConsultationTrend]:
    """Every kind, each counted by the database: one aggregate grouped by kind and the month
    (Europe/London) the episode started, over the period's episodes (a subquery), so that a
    million episodes cost one statement and a few hundred rows, never a loop over history."""
    rows = (Consultation.objects.filter(episode__in=episodes.order_by().values("pk"))
            .annotate(month=TruncMonth("episode__missing_since", tzinfo=LONDON))
            .values("kind", "month").order_by()
            .annotate(considered=Count("id"),
                      made=Count("id", filter=Q(decision=Decision.MADE)),
                      not_made=Count("id", filter=Q(decision=Decision.NOT_MADE)),
                      with_outcome=Count("id", filter=Q(decision=Decision.MADE, outcome_at__isnull=False)),
                      prompted=Count("id", filter=~Q(prompted_by=[]))))
    totals: dict[str, Counter[str]] = defaultdict(Counter)
    by_month: dict[str, Counter[str]] = defaultdict(Counter)
    for row in rows:
        kind = row["kind"]
        for name in ("considered", "made", "not_made", "with_outcome", "prompted"):
            totals[kind][name] += row[name]
        by_month[kind][month_key(row["month"])] += row["considered"]
    return [ConsultationTrend(kind=kind, label=str(label), considered=totals[kind]["considered"],
                              made=totals[kind]["made"], not_made=totals[kind]["not_made"],
                              with_outcome=totals[kind]["with_outcome"], prompted=totals[kind]["prompted"],
                              by_month=[by_month[kind].get(m, 0) for m in months])
            for kind, label in ConsultationKind.choices]


def _factor_trends(episodes: QuerySet[Episode], months: list[str]) -> list[FactorTrend]:
    """Each coded factor's episodes and their months, counted in the database
    (`factor_counts.factor_hits`: the interviews' and risk analyses' codes of the period's
    episodes, unnested in SQL), most named first."""
    found = factor_hits(episodes)
    out: list[FactorTrend] = []
    for kind, list_name in (("push", "push_factors"), ("pull", "pull_factors"),
                            ("risk", RISK_ANALYSIS_LISTS["immediate_risks"])):
        labels = coded_labels(list_name)
        named = sorted((h for h in found if h.kind == kind), key=lambda h: (-len(h.episodes), h.code))
        out.extend(FactorTrend(kind=kind, code=h.code, label=labels.get(h.code, h.code),
                               by_month=[h.by_month.get(m, 0) for m in months], total=len(h.episodes),
                               episodes=h.episodes) for h in named)
    return out


@dataclass(frozen=True, slots=True)
class _Span:
    """An episode as the network compares it: when it ran, the places it names and where it
    stands in each place's list of episodes."""

    pk: int
    child: int
    start: int  # microseconds since the epoch: compared, never shown
    end: int
    places: tuple[tuple[str, int], ...]


class _Places:
    """Places as they are read, episode by episode (see `_places`)."""

    def __init__(self) -> None:
        self.places: dict[str, Place] = {}
        self.texts: dict[str, Counter[str]] = defaultdict(Counter)

    def add(self, pk: int, child_id: int, attribute: str, text: str, key: str, first: bool) -> None:
        """One naming of a place; `first`: the first of the episode's (it is listed once)."""
        place = self.places.get(key)
        if place is None:
            place = self.places[key] = Place(key=key, label=text.strip())
        if attribute == "last_seen":
            place.last_seen += 1
        else:
            place.found += 1
        if first:
            place.episodes.append(pk)
        place.children.add(child_id)
        self.texts[key][text] += 1

    def recurring(self, min_count: int) -> list[Place]:
        for key, place in self.places.items():
            # The spelling named most (as written, less outer spaces; the first seen of equals).
            spellings: Counter[str] = Counter()
            for text, count in self.texts[key].items():
                spellings[text.strip()] += count
            place.label = spellings.most_common(1)[0][0]
        recurring = [p for p in self.places.values() if p.total >= min_count]
        return sorted(recurring, key=lambda p: (-p.total, p.key))


def _entries(text: str) -> set[str]:
    return {key for part in _ENTRY_SPLIT.split(text or "") if (key := normalise_place(part))}


class _Network:
    """The links between children, built as the original all-pairs comparison found them, in
    the same order, but only among episodes that share a place (grouped by normalised place)
    and Philomena profiles that share an entry (grouped by normalised entry)."""

    def __init__(self) -> None:
        self.edges: dict[tuple[int, int], NetworkEdge] = {}
        self._episodes: dict[tuple[int, int], set[int]] = defaultdict(set)

    def edge(self, a: int, b: int) -> NetworkEdge:
        key = (min(a, b), max(a, b))
        return self.edges.setdefault(key, NetworkEdge(source=key[0], target=key[1]))

    def together(self, spans: list[_Span], together: timedelta) -> dict[str, set[int]]:
        """(a) Children whose episodes overlap in time, or start within `together` of each
        other, at a shared place. `spans` are in (start, id) order; each episode is compared
        with the later ones of its own places only, until they start after it has ended.

        A place is too busy to link an episode when more than `LINKED_AT_MOST` others there
        started within `together` of it (a place so common, as "home address", that being
        named there says nothing of who was together): returned, place by place, as the
        episodes (indexes of `spans`) it did not link, to be listed as shared."""
        window = round(together.total_seconds() * 1_000_000)
        at_place: dict[str, list[int]] = defaultdict(list)
        starts: dict[str, list[int]] = defaultdict(list)
        for index, span in enumerate(spans):
            for key, _ in span.places:
                at_place[key].append(index)
                starts[key].append(span.start)
        busy: dict[str, set[int]] = defaultdict(set)
        for key, times in starts.items():
            for position, start in enumerate(times):
                if bisect_right(times, start + window) - bisect_left(times, start - window) - 1 > LINKED_AT_MOST:
                    busy[key].add(at_place[key][position])
        # Each episode's places that are not too busy to link it, worked out once.
        free = [frozenset(key for key, _ in span.places if index not in busy.get(key, ()))
                for index, span in enumerate(spans)]
        for index, a in enumerate(spans):
            limit = max(a.end, a.start + window)
            later: set[int] = set()
            for key, where in a.places:
                if key not in free[index]:
                    continue
                group = at_place[key]
                for position in range(where + 1, len(group)):
                    other = group[position]
                    if spans[other].start > limit:
                        break
                    if key in free[other]:
                        later.add(other)
            for other in sorted(later):
                b = spans[other]
                if a.child == b.child:
                    continue
                shared = free[index] & free[other]
                link = self.edge(a.child, b.child)
                seen = self._episodes[(link.source, link.target)]
                for pk in (a.pk, b.pk):
                    if pk not in seen:
                        seen.add(pk)
                        link.episodes.append(pk)
                link.places.extend(p for p in sorted(shared) if p not in link.places)
        return {key: indexes for key, indexes in busy.items() if indexes}

    def profiles(self, profiles: list[tuple[int, str, str]]) -> list[tuple[str, str, list[int]]]:
        """(b) Children whose Philomena profiles name the same associate or place frequented,
        found through each entry's children, in child order as every pair was compared. An
        entry more than `LINKED_AT_MOST` children name links none of them: it is returned,
        (kind, entry, children), to be listed as shared (a town's name, or one man named by
        two hundred children, is a pattern of its own, not tens of thousands of links)."""
        associates: dict[tuple[int, int], set[str]] = defaultdict(set)
        frequented: dict[tuple[int, int], set[str]] = defaultdict(set)
        shared: list[tuple[str, str, list[int]]] = []
        for kind, target, column in (("associate", associates, 0), ("place_frequented", frequented, 1)):
            naming: dict[str, list[int]] = defaultdict(list)
            for child_id, *texts in sorted(profiles):
                for entry in _entries(texts[column]):
                    naming[entry].append(child_id)
            for entry, children in naming.items():
                if len(children) > LINKED_AT_MOST:
                    shared.append((kind, entry, children))
                    continue
                for one, other in combinations(children, 2):
                    target[(one, other)].add(entry)
        for pair in sorted(associates.keys() | frequented.keys()):
            link = self.edge(*pair)
            link.associates.extend(sorted(associates.get(pair, ())))
            link.places_frequented.extend(sorted(frequented.get(pair, ())))
        return shared


def patterns(user: User, *, first: date, last: date, min_place_count: int = 2,
             together_hours: int = 24) -> Patterns:
    """Patterns among the episodes starting on Europe/London dates `first` to `last`."""
    found, _shared = patterns_and_shared(user, first=first, last=last, min_place_count=min_place_count,
                                         together_hours=together_hours)
    return found


@cycles_uncollected()
def patterns_and_shared(user: User, *, first: date, last: date, min_place_count: int = 2,
                        together_hours: int = 24) -> tuple[Patterns, list[SharedEntry]]:
    """Patterns among the episodes starting on Europe/London dates `first` to `last`, and the
    places and entries too common to link children two by two (`SharedEntry`): the period's
    episodes read once, the columns needed, in chunks; places and links found by grouping on
    the normalised place or entry, never by comparing every pair."""
    months = months_between(first, last)
    episodes = episodes_starting(user, first, last)
    # An open episode runs until now: microseconds since the epoch, as the database gives the rest.
    now = Value((timezone.now() - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1))
    keys: dict[str, str] = {}
    counts: dict[str, int] = defaultdict(int)
    places = _Places()
    spans: list[_Span] = []
    by_child: dict[int, list[int]] = defaultdict(list)
    for pk, child_id, since, until, last_seen, found_location in (
        episodes.annotate(since_us=EpochMicroseconds("missing_since"),
                          until_us=Coalesce(EpochMicroseconds("found_at"), now))
        .values_list("pk", "child_id", "since_us", "until_us", "location_last_seen", "found_location")
        .iterator(chunk_size=5000)
    ):
        by_child[child_id].append(pk)
        named: dict[str, int] = {}
        for attribute, text in (("last_seen", last_seen), ("found", found_location)):
            key = keys.get(text or "")
            if key is None:
                key = keys[text or ""] = normalise_place(text or "")
            if key:
                new_here = key not in named
                places.add(pk, child_id, attribute, text, key, new_here)
                if new_here:
                    named[key] = counts[key]
                    counts[key] += 1
        spans.append(_Span(pk=pk, child=child_id, start=since, end=until, places=tuple(named.items())))
    network = _Network()
    busy = network.together(spans, timedelta(hours=together_hours))
    too_busy = [("place", key, sorted({spans[index].child for index in indexes})) for key, indexes in busy.items()]
    del spans
    shared = network.profiles(list(
        PhilomenaProfile.objects.filter(child__in=episodes.order_by().values("child_id")).order_by("child_id")
        .values_list("child_id", "known_associates", "places_frequented")))
    linked = sorted({c for key in network.edges for c in key})
    names = _names(episodes, linked)
    nodes = [NetworkNode(child=child_id, initials=initials(*names.get(child_id, ("", ""))), episodes=by_child[child_id])
             for child_id in linked]
    edges = sorted(network.edges.values(), key=lambda e: (-e.weight, e.source, e.target))
    found = Patterns(first=first, last=last, months=months, factors=_factor_trends(episodes, months),
                     places=places.recurring(min_place_count), nodes=nodes, edges=edges,
                     consultations=_consultation_trends(episodes, months))
    return found, [SharedEntry(kind=kind, key=key, children=children, episodes=[by_child[c][0] for c in children])
                   for kind, key, children in sorted([*too_busy, *shared], key=lambda s: (-len(s[2]), s[0], s[1]))]


def _names(episodes: QuerySet[Episode], children: list[int]) -> dict[int, tuple[str, str]]:
    """Given and family names of these children, all children of the period's episodes: read
    through a subquery of those episodes, not a list of tens of thousands of ids (Django
    prepared each id of such a list on its own, 2 s for a national year's 62,000)."""
    wanted = set(children)
    return {pk: (given, family) for pk, given, family in Child.objects.filter(
        pk__in=episodes.order_by().values("child_id")).values_list("pk", "given_name", "family_name")
        .iterator(chunk_size=10_000) if pk in wanted}
