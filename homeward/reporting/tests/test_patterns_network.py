"""The network and places of `patterns`, found by grouping on the normalised place and entry,
are what comparing every pair of episodes and of Philomena profiles finds (the reference
below is the all-pairs comparison patterns used before issue 11), link by link and in order."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import replace
from datetime import date, datetime, timedelta
from itertools import combinations
from typing import Any

import pytest
from django.utils import timezone

from homeward.children.models import Child, PhilomenaProfile
from homeward.episodes.models import Episode
from homeward.reference.models import Authority
from homeward.reporting.history import period_bounds
from homeward.reporting.patterns import (
    LINKED_AT_MOST,
    _entries,
    normalise_place,
    patterns,
    patterns_and_shared,
    patterns_shown,
)

from .conftest import london

pytestmark = pytest.mark.django_db
FIRST, LAST = date(2025, 1, 1), date(2025, 3, 31)
PLACES = ["Abington Park", "abington park.", "The Railway Station", "railway  station", "Rugby", "",
          "Kingsthorpe shops", "A friend's flat", "Daventry"]
NAMES = ["Jay", "jay", "Kyle", "Mo", "The Den", "Park", "Big M", ""]


def _world(rng: random.Random) -> None:
    home = Authority.objects.get(code="941")
    children = [Child.objects.create(external_id=f"N{i}", given_name=f"G{i}", family_name=f"F{i}",
                                     date_of_birth=date(2010, 1, 1), sex="female", legal_status="none",
                                     responsible_authority=home) for i in range(30)]
    for child in children:
        when = london(2024, 12, 20, 9, 0) + timedelta(hours=rng.randint(0, 24 * 100))
        count = rng.randint(1, 5)
        for number in range(count):
            # Only a child's last episode may still be open.
            length = rng.choice([None, 2, 10, 30, 80, 300] if number == count - 1 else [2, 10, 30, 80, 300])
            Episode.objects.create(
                child=child, reported_at=when, reported_by="police", missing_since=when, classification="missing",
                status="open" if length is None else "returned", location_last_seen=rng.choice(PLACES),
                found_location=rng.choice(PLACES) if length is not None else "",
                found_at=None if length is None else when + timedelta(hours=length),
                cancelled_at=None)
            when += timedelta(hours=rng.randint(1, 24 * 20))
        if rng.random() < 0.7:
            PhilomenaProfile.objects.create(
                child=child, known_associates="\n".join(rng.sample(NAMES, rng.randint(0, 3))),
                places_frequented="; ".join(rng.sample(PLACES, rng.randint(0, 3))))


def _reference(together: timedelta) -> tuple[list[tuple[Any, ...]], dict[str, tuple[int, int, list[int], str]]]:
    """The links and places as every pair was compared before (patterns.py before issue 11)."""
    start, end = period_bounds(FIRST, LAST)
    episodes = list(Episode.objects.exclude(status="cancelled").filter(missing_since__gte=start, missing_since__lt=end)
                    .order_by("missing_since", "id"))
    edges: dict[tuple[int, int], dict[str, list[Any]]] = {}

    def edge(a: int, b: int) -> dict[str, list[Any]]:
        return edges.setdefault((min(a, b), max(a, b)), {"episodes": [], "places": [], "associates": [],
                                                         "frequented": []})

    now = timezone.now()
    spans = [(e, e.missing_since, e.found_at or now,
              {normalise_place(e.location_last_seen or ""), normalise_place(e.found_location or "")} - {""})
             for e in episodes]
    spans.sort(key=lambda s: s[1])
    for i, (a, a_start, a_end, a_places) in enumerate(spans):
        for b, b_start, _, b_places in spans[i + 1:]:
            if b_start > max(a_end, a_start + together):
                break
            if a.child_id == b.child_id or not a_places & b_places:
                continue
            link = edge(a.child_id, b.child_id)
            link["episodes"].extend(pk for pk in (a.pk, b.pk) if pk not in link["episodes"])
            link["places"].extend(p for p in sorted(a_places & b_places) if p not in link["places"])
    profiles = {p.child_id: p for p in PhilomenaProfile.objects.filter(child_id__in={e.child_id for e in episodes})}
    # An entry more than LINKED_AT_MOST children name is listed as shared, never as links.
    naming: Counter[str] = Counter()
    for p in profiles.values():
        naming.update(f"a:{e}" for e in _entries(p.known_associates))
        naming.update(f"f:{e}" for e in _entries(p.places_frequented))
    for a_id, b_id in combinations(sorted(profiles), 2):
        associates = sorted(e for e in _entries(profiles[a_id].known_associates) & _entries(
            profiles[b_id].known_associates) if naming[f"a:{e}"] <= LINKED_AT_MOST)
        frequented = sorted(e for e in _entries(profiles[a_id].places_frequented) & _entries(
            profiles[b_id].places_frequented) if naming[f"f:{e}"] <= LINKED_AT_MOST)
        if associates or frequented:
            link = edge(a_id, b_id)
            link["associates"].extend(associates)
            link["frequented"].extend(frequented)
    links = sorted(((key, v["episodes"], v["places"], v["associates"], v["frequented"]) for key, v in edges.items()),
                   key=lambda e: (-(len(e[1]) // 2 + len(e[3]) + len(e[4])), e[0]))
    places: dict[str, tuple[int, int, list[int], str]] = {}
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for e in episodes:
        for index, text in enumerate((e.location_last_seen, e.found_location)):
            key = normalise_place(text)
            if key:
                seen, found, listed, _ = places.get(key, (0, 0, [], ""))
                places[key] = (seen + (index == 0), found + (index == 1),
                               listed + ([e.pk] if e.pk not in listed else []), "")
                spellings[key][text.strip()] += 1
    return links, {k: (*v[:3], spellings[k].most_common(1)[0][0]) for k, v in places.items() if v[0] + v[1] >= 2}


@pytest.mark.parametrize(("seed", "hours"), [(1, 24), (2, 24), (3, 72), (4, 1)])
def test_links_and_places_are_those_of_comparing_every_pair(seed: int, hours: int, coordinator: Any) -> None:
    _world(random.Random(seed))
    found = patterns(coordinator, first=FIRST, last=LAST, together_hours=hours)
    links, places = _reference(timedelta(hours=hours))
    assert [((e.source, e.target), e.episodes, e.places, e.associates, e.places_frequented)
            for e in found.edges] == links
    assert len(links) > 10
    assert {p.key: (p.last_seen, p.found, p.episodes, p.label) for p in found.places} == places
    linked = sorted({c for link in links for c in link[0]})
    assert [n.child for n in found.nodes] == linked


def test_an_open_episode_links_with_every_later_one_at_its_place(coordinator: Any) -> None:
    """Still missing, an episode runs until now: every later episode at its place overlaps it."""
    home = Authority.objects.get(code="941")
    children = [Child.objects.create(external_id=f"O{i}", given_name="G", family_name=f"F{i}",
                                     date_of_birth=date(2010, 1, 1), sex="male", legal_status="none",
                                     responsible_authority=home) for i in range(4)]
    start: datetime = london(2025, 1, 2, 9, 0)
    for index, child in enumerate(children):
        since = start + timedelta(days=20 * index)
        Episode.objects.create(child=child, reported_at=since, reported_by="police", missing_since=since,
                               classification="missing", status="open" if index == 0 else "returned",
                               location_last_seen="Rugby", found_at=None if index == 0 else since + timedelta(hours=1))
    found = patterns(coordinator, first=FIRST, last=LAST)
    assert sorted((e.source, e.target) for e in found.edges) == [(children[0].pk, c.pk) for c in children[1:]]


def test_an_entry_many_children_name_is_listed_as_shared_not_as_every_link(coordinator: Any) -> None:
    home = Authority.objects.get(code="941")
    children = [Child.objects.create(external_id=f"S{i}", given_name="G", family_name=f"F{i}",
                                     date_of_birth=date(2010, 1, 1), sex="male", legal_status="none",
                                     responsible_authority=home) for i in range(LINKED_AT_MOST + 1)]
    for index, child in enumerate(children):
        since = london(2025, 1, 2, 9, 0) + timedelta(days=index)
        Episode.objects.create(child=child, reported_at=since, reported_by="police", missing_since=since,
                               classification="missing", status="returned", found_at=since + timedelta(hours=1))
        # All name 'Big M'; the first two also 'Dee'.
        PhilomenaProfile.objects.create(child=child, known_associates="Big M" + ("\nDee" if index < 2 else ""))
    found, [shared] = patterns_and_shared(coordinator, first=FIRST, last=LAST)
    assert (shared.kind, shared.key, shared.children) == ("associate", "big m", [c.pk for c in children])
    assert len(shared.episodes) == len(children)
    assert [(e.source, e.target, e.associates) for e in found.edges] == [(children[0].pk, children[1].pk, ["dee"])]


def test_a_place_too_busy_to_say_who_was_together_is_listed_as_shared(coordinator: Any) -> None:
    """Fourteen children last seen at "home address" within hours of each other are not 91
    pairs of friends: the place links none of them; two found at the station are linked."""
    home = Authority.objects.get(code="941")
    children = [Child.objects.create(external_id=f"H{i}", given_name="G", family_name=f"F{i}",
                                     date_of_birth=date(2010, 1, 1), sex="male", legal_status="none",
                                     responsible_authority=home) for i in range(LINKED_AT_MOST + 2)]
    for index, child in enumerate(children):
        since = london(2025, 2, 2, 9, 0) + timedelta(minutes=30 * index)
        Episode.objects.create(child=child, reported_at=since, reported_by="police", missing_since=since,
                               classification="missing", status="returned", found_at=since + timedelta(hours=2),
                               location_last_seen="Home address",
                               found_location="Rugby station" if index < 2 else "")
    found, shared = patterns_and_shared(coordinator, first=FIRST, last=LAST)
    assert [(e.source, e.target, e.places) for e in found.edges] == [(children[0].pk, children[1].pk,
                                                                      ["rugby station"])]
    assert [(s.kind, s.key, s.children) for s in shared] == [("place", "home address", [c.pk for c in children])]


@pytest.mark.parametrize("seed", [1, 5])
def test_the_page_builds_only_the_strongest_links_and_the_places_named_most(seed: int, coordinator: Any) -> None:
    """`patterns_shown` (the page) builds the first few of each list, as the whole report ranks
    them, with the first few episodes or children of each, and says how many there are in all."""
    _world(random.Random(seed))
    # More children than link two by two, at one place within hours and naming one associate
    # and one place frequented: the shared list has each kind.
    home = Authority.objects.get(code="941")
    for index in range(LINKED_AT_MOST + 2):
        child = Child.objects.create(external_id=f"B{index}", given_name="G", family_name=f"B{index}",
                                     date_of_birth=date(2010, 1, 1), sex="male", legal_status="none",
                                     responsible_authority=home)
        since = london(2025, 3, 2, 9, 0) + timedelta(minutes=10 * index)
        Episode.objects.create(child=child, reported_at=since, reported_by="police", missing_since=since,
                               classification="missing", status="returned", found_at=since + timedelta(hours=1),
                               location_last_seen="Home address")
        PhilomenaProfile.objects.create(child=child, known_associates="Big Sal", places_frequented="The Old Mill")
    whole, shared = patterns_and_shared(coordinator, first=FIRST, last=LAST)
    assert len(whole.edges) > 6 and len(whole.places) > 3 and len(shared) > 2
    assert any(s.kind == "place" for s in shared) and any(s.kind != "place" for s in shared)
    for edges, places, entries in ((5, 3, 2), (len(whole.edges) + 1, len(whole.places) + 1, len(shared) + 1)):
        page = patterns_shown(coordinator, first=FIRST, last=LAST, edges=edges, places=places, shared=entries,
                              listed=2)
        assert page.found.edges == whole.edges[:edges]
        in_picture = {c for e in whole.edges[:edges] for c in (e.source, e.target)}
        assert page.found.nodes == [n for n in whole.nodes if n.child in in_picture]
        assert page.found.places == [replace(p, episodes=p.episodes[:2], children=set()) for p in whole.places[:places]]
        assert page.place_sizes == {p.key: (len(p.episodes), len(p.children)) for p in whole.places[:places]}
        assert page.shared == [replace(s, children=s.children[:2], episodes=s.episodes[:2]) for s in shared[:entries]]
        assert all(s.named_by == len(s.children) for s in shared)
        assert (page.edges, page.nodes, page.places, page.shared_count) == (
            len(whole.edges), len(whole.nodes), len(whole.places), len(shared))
        assert page.found.factors == [replace(f, episodes=f.episodes[:2]) for f in whole.factors]
        assert page.found.consultations == whole.consultations
