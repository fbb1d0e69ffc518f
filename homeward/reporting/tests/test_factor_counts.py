"""The coded factors counted in the database (`factor_counts`, issue 11) are what reading every
interview and risk analysis in Python found before (the reference below is the loop patterns
used), on data made to catch the corners: a code named twice in one list, a risk named by two
analyses of one episode, lists that are empty, null or not lists at all, other actions' detail,
episodes starting either side of a London month's first midnight, and episodes outside the
period or cancelled."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from datetime import date, timedelta
from typing import Any

import pytest

from homeward.children.models import Child
from homeward.episodes.models import Episode, EpisodeAction
from homeward.interviews.models import ReturnInterview
from homeward.reference.models import Authority
from homeward.reporting.factor_counts import factor_hits
from homeward.reporting.history import month_key
from homeward.reporting.patterns import patterns
from homeward.reporting.performance import episodes_starting

from .conftest import london

pytestmark = pytest.mark.django_db
FIRST, LAST = date(2025, 1, 1), date(2025, 3, 31)
CODES = ["family_conflict", "peer_pressure", "substance_use", "exploitation", "school"]
ODD_LISTS: list[Any] = [{}, "family_conflict", 7]


def _codes(rng: random.Random) -> Any:
    if rng.random() < 0.1:
        return rng.choice(ODD_LISTS)
    codes = rng.sample(CODES, rng.randint(0, 3))
    return codes + codes[:1] if codes and rng.random() < 0.2 else codes


def _world(rng: random.Random) -> None:
    home = Authority.objects.get(code="941")
    for i in range(25):
        child = Child.objects.create(external_id=f"F{i}", given_name="A", family_name=f"B{i}",
                                     date_of_birth=date(2010, 1, 1), sex="female", legal_status="none",
                                     responsible_authority=home)
        for _ in range(rng.randint(1, 4)):
            # Some start in the last hour of a London month, some just after its first midnight.
            when = rng.choice([london(2025, 1, 31, 23, 30), london(2025, 2, 1, 0, 15), london(2024, 12, 31, 23, 0),
                               london(2025, 3, 31, 23, 45), london(2025, 4, 1, 0, 5)]) + timedelta(days=rng.choice(
                                   [0, 0, 3, 17, 40]))
            status = "cancelled" if rng.random() < 0.1 else "returned"
            episode = Episode.objects.create(
                child=child, reported_at=when, reported_by="police", missing_since=when, classification="missing",
                status=status, found_at=when + timedelta(hours=5), cancelled_at=when if status == "cancelled" else None)
            if rng.random() < 0.8:
                ReturnInterview.objects.create(episode=episode, push_factors=_codes(rng), pull_factors=_codes(rng))
            for _ in range(rng.randint(0, 2)):
                detail: Any = {"immediate_risks": _codes(rng)} if rng.random() < 0.9 else {}
                EpisodeAction.objects.create(episode=episode, action="risk_analysis", at=when, detail=detail)
            if rng.random() < 0.3:
                EpisodeAction.objects.create(episode=episode, action="police_informed", at=when,
                                             detail={"immediate_risks": ["school"]})


def _reference(episodes: Any) -> dict[tuple[str, str], tuple[list[int], Counter[str]]]:
    """The loop `_factor_trends` ran before issue 11: every interview and analysis read (a
    value that is not a list, which the services never store, naming nothing)."""
    period = episodes.order_by().values("pk")
    hits: dict[str, dict[Any, dict[int, str]]] = {kind: defaultdict(dict) for kind in ("push", "pull", "risk")}
    for episode_id, since, push, pull in ReturnInterview.objects.filter(episode__in=period).values_list(
            "episode_id", "episode__missing_since", "push_factors", "pull_factors"):
        for kind, codes in (("push", push or []), ("pull", pull or [])):
            for code in codes if isinstance(codes, list) else []:
                hits[kind][code][episode_id] = month_key(since)
    for episode_id, since, detail in EpisodeAction.objects.filter(episode__in=period, action="risk_analysis") \
            .values_list("episode_id", "episode__missing_since", "detail"):
        codes = detail.get("immediate_risks")
        for code in codes if isinstance(codes, list) else []:
            hits["risk"][str(code)][episode_id] = month_key(since)
    return {(kind, str(code)): (sorted(named), Counter(named.values()))
            for kind, by_code in hits.items() for code, named in by_code.items()}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_factor_counts_are_those_of_reading_every_row(seed: int, coordinator: Any) -> None:
    _world(random.Random(seed))
    episodes = episodes_starting(coordinator, FIRST, LAST)
    expected = _reference(episodes)
    found = {(h.kind, h.code): (h.episodes, h.by_month) for h in factor_hits(episodes)}
    assert found == expected
    assert expected  # the data names codes in the period
    trends = patterns(coordinator, first=FIRST, last=LAST).factors
    assert [(t.kind, t.code, t.total) for t in trends] == sorted(
        ((kind, code, len(ids)) for (kind, code), (ids, _) in expected.items()),
        key=lambda t: (("push", "pull", "risk").index(t[0]), -t[2], t[1]))
    months = ["2025-01", "2025-02", "2025-03"]
    assert all(t.by_month == [expected[(t.kind, t.code)][1].get(m, 0) for m in months] for t in trends)


@pytest.mark.parametrize("seed", [1, 2])
def test_a_page_reads_only_each_codes_first_episodes(seed: int, coordinator: Any) -> None:
    """Asked for each code's first episodes (the page links 20), factor_hits gives those only,
    by id, and counts by month as ever: the months add up to all the code's episodes."""
    _world(random.Random(seed))
    episodes = episodes_starting(coordinator, FIRST, LAST)
    expected = _reference(episodes)
    found = {(h.kind, h.code): (h.episodes, h.by_month) for h in factor_hits(episodes, listed=2)}
    assert found == {key: (ids[:2], months) for key, (ids, months) in expected.items()}
    assert any(len(ids) > 2 for ids, _ in expected.values())
    assert all(sum(months.values()) == len(ids) for ids, months in expected.values())
