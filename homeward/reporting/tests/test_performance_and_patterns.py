"""Performance and patterns on known data, each figure worked out by hand."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from homeward.casework.interviews import InterviewRecord, rhi_record_interview, rhi_record_offer
from homeward.children.models import PhilomenaProfile
from homeward.reporting.patterns import normalise_place, patterns
from homeward.reporting.performance import performance

from .conftest import london

pytestmark = pytest.mark.django_db
FIRST, LAST = date(2025, 1, 1), date(2025, 3, 31)


@pytest.fixture
def quarter(make_child: Any, episode: Any, coordinator: Any) -> dict[str, Any]:
    a = make_child(external_id="A", placement={"authority": "941", "provider": "Oakfield House"})
    b = make_child(external_id="B", sex="male", date_of_birth=date(2008, 2, 1),
                   placement={"authority": "855", "provider": "Hill Farm"})
    c = make_child(external_id="C", legal_status="child_in_need", date_of_birth=date(2014, 6, 1))

    def offer(ep: Any, at: Any, outcome: str) -> None:
        rhi_record_offer(actor=coordinator, episode=ep, offered_at=at, method="Visit")
        rhi_record_interview(actor=coordinator, episode=ep, record=InterviewRecord(
            outcome=outcome, conducted_at=at, method="face_to_face" if outcome == "accepted" else "",
            seen_alone=True if outcome == "accepted" else None,
            push_factors=["conflict_at_home"] if outcome == "accepted" else [],
            pull_factors=["peers_or_partners"] if outcome == "accepted" else []))

    e = {
        "before": episode(b, london(2024, 12, 1, 10, 0), london(2024, 12, 1, 12, 0)),
        "a_jan": episode(a, london(2025, 1, 10, 10, 0), london(2025, 1, 10, 16, 0),
                         location_last_seen="Northampton bus station", found_location="The Railway Station."),
        "a_feb": episode(a, london(2025, 2, 20, 22, 0), london(2025, 2, 22, 22, 0),
                         location_last_seen="northampton  bus station", found_location="Abington Park"),
        "b_feb": episode(b, london(2025, 2, 5, 9, 0), london(2025, 2, 5, 12, 0), location_last_seen="Rugby"),
        "b_with_a": episode(b, london(2025, 2, 21, 10, 0), london(2025, 2, 21, 20, 0),
                            found_location="abington park", classification="absent"),
        "c_mar": episode(c, london(2025, 3, 15, 8, 0), london(2025, 3, 20, 8, 0), found_location="railway station"),
        "a_mar": episode(a, london(2025, 3, 28, 10, 0)),
    }
    offer(e["a_jan"], london(2025, 1, 11, 10, 0), "accepted")
    offer(e["a_feb"], london(2025, 2, 27, 22, 0), "declined")
    offer(e["c_mar"], london(2025, 3, 21, 8, 0), "no_contact")
    PhilomenaProfile.objects.create(child=a, known_associates="Jay (older male)\nKyle")
    PhilomenaProfile.objects.create(child=c, known_associates="kyle; Mo")
    return e


def test_performance_by_month_and_cohort(quarter: dict[str, Any], coordinator: Any) -> None:
    figures = performance(coordinator, first=FIRST, last=LAST)
    assert figures.months == ["2025-01", "2025-02", "2025-03"]
    assert figures.episodes_by_month == [1, 3, 2]
    assert figures.children_by_month == [1, 2, 2]
    assert (figures.episodes, figures.children, figures.episodes_per_child) == (6, 3, 2.0)
    # Offers owed, by month of return: the absence owes none; b's February return was never offered.
    jan, feb, mar = figures.rhi_by_month
    assert (jan.owed, jan.offered_in_time, jan.accepted, jan.median_hours_to_offer) == (1, 1, 1, 18.0)
    assert (feb.owed, feb.offered_in_time, feb.offered_late, feb.not_offered, feb.declined,
            feb.median_hours_to_offer) == (2, 0, 1, 1, 1, 120.0)
    assert (mar.owed, mar.offered_in_time, mar.no_contact, mar.median_hours_to_offer) == (1, 1, 1, 24.0)
    total = figures.rhi_total
    assert (total.owed, total.offered_in_time, total.offered_late, total.not_offered) == (4, 2, 1, 1)
    assert (total.median_hours_to_offer, total.percent_in_time, total.percent_accepted) == (24.0, 50.0, 33.3)
    cohorts = {d: {s.value: (s.episodes, s.children) for s in series} for d, series in figures.cohorts.items()}
    assert cohorts["legal_status"] == {"looked_after": ([1, 3, 1], [1, 2, 1]), "child_in_need": ([0, 0, 1], [0, 0, 1])}
    assert cohorts["placement"] == {"in_area": ([1, 1, 1], [1, 1, 1]), "out_of_area": ([0, 2, 0], [0, 1, 0]),
                                    "not_looked_after": ([0, 0, 1], [0, 0, 1])}
    assert cohorts["age_band"] == {"10-12": ([0, 0, 1], [0, 0, 1]), "13-15": ([1, 1, 1], [1, 1, 1]),
                                   "16-17": ([0, 2, 0], [0, 1, 0])}
    assert cohorts["sex"] == {"male": ([0, 2, 0], [0, 1, 0]), "female": ([1, 1, 2], [1, 1, 2])}
    # Third episodes in 90 days: b's on 21 February (1 December, 5 February), a's on 28 March
    # (10 January, 20 February).
    assert figures.repeat_children_by_month == [0, 1, 1]
    assert [(r.child, r.episodes) for r in figures.repeat_children] == [
        (quarter["b_with_a"].child_id, [quarter["b_with_a"].pk]), (quarter["a_mar"].child_id, [quarter["a_mar"].pk])]
    # 6 h, 48 h, 3 h, 10 h, 120 h; one still missing.
    assert [b.count for b in figures.hours_missing] == [1, 2, 1, 1, 0]
    assert (figures.still_missing, figures.median_hours_missing) == (1, 10.0)


def test_patterns_factors_places_and_network(quarter: dict[str, Any], coordinator: Any) -> None:
    found = patterns(coordinator, first=FIRST, last=LAST)
    factors = {(f.kind, f.code): (f.by_month, f.episodes) for f in found.factors}
    assert factors == {("push", "conflict_at_home"): ([1, 0, 0], [quarter["a_jan"].pk]),
                       ("pull", "peers_or_partners"): ([1, 0, 0], [quarter["a_jan"].pk])}
    places = {p.key: (p.last_seen, p.found, sorted(p.episodes)) for p in found.places}
    assert places == {
        "northampton bus station": (2, 0, sorted([quarter["a_jan"].pk, quarter["a_feb"].pk])),
        "abington park": (0, 2, sorted([quarter["a_feb"].pk, quarter["b_with_a"].pk])),
        "railway station": (0, 2, sorted([quarter["a_jan"].pk, quarter["c_mar"].pk])),
    }
    a, b, c = (quarter[k].child_id for k in ("a_jan", "b_feb", "c_mar"))
    edges = {(e.source, e.target): (sorted(e.episodes), e.places, e.associates) for e in found.edges}
    assert edges == {
        (min(a, b), max(a, b)): (sorted([quarter["a_feb"].pk, quarter["b_with_a"].pk]), ["abington park"], []),
        (min(a, c), max(a, c)): ([], [], ["kyle"]),
    }
    assert sorted(n.child for n in found.nodes) == sorted([a, b, c])


def test_places_compare_without_case_punctuation_or_a_leading_the() -> None:
    assert normalise_place("The Railway Station.") == normalise_place("railway   station") == "railway station"
