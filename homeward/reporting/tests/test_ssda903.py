"""The SSDA903 Missing table: DOMAIN.md section 8's rules on known data, and the export
checked with the DfE's own validation rules (csc-validator-be-903, in .venv-903)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from homeward.casework.children import child_update
from homeward.casework.episodes import episode_cancel
from homeward.children.models import Child
from homeward.children.services import PlacementInput
from homeward.reporting.ssda903 import ssda903_missing, ssda903_missing_csv
from tests.validators.tables import MISSING_RULES, validate

from .conftest import london, utc

pytestmark = pytest.mark.django_db
PLACEMENT = {"authority": "941", "provider": "Oakfield House", "type": "k2", "postcode": "NN4 8BT",
             "started_on": date(2019, 6, 1)}


@pytest.fixture
def known(make_child: Any, episode: Any, coordinator: Any) -> dict[str, Any]:
    """Looked-after children of the home authority and others, with episodes around the
    2024-25 collection year (1 April 2024 to 31 March 2025)."""
    a = make_child(external_id="A1", placement=PLACEMENT)
    b = make_child(external_id="B2", date_of_birth=date(2009, 11, 2), sex="male", placement=PLACEMENT)
    late_care = make_child(external_id="E5", legal_status_since=date(2024, 9, 1), placement=PLACEMENT)
    left_care = make_child(external_id="F6", placement=PLACEMENT)
    in_need = make_child(external_id="C3", legal_status="child_in_need")
    other_la = make_child(external_id="D4", responsible_authority="855", placement=PLACEMENT)
    child_update(actor=coordinator, child=left_care, legal_status="none", legal_status_since=date(2024, 12, 10))
    e = {
        # 00:30 BST on 2 June is 23:30 UTC on 1 June: the London date counts.
        "summer_midnight": episode(a, utc(2024, 6, 1, 23, 30), utc(2024, 6, 3, 9, 0)),
        "away": episode(a, london(2024, 9, 14, 16, 0), london(2024, 9, 14, 22, 0), whereabouts_known=True,
                        classification="absent"),
        # Found and gone again the same day, then still missing at the year end.
        "same_day": episode(a, london(2025, 3, 28, 1, 0), london(2025, 3, 28, 8, 0)),
        "across_year_end": episode(a, london(2025, 3, 28, 18, 0), london(2025, 4, 2, 9, 0)),
        "before_care": episode(late_care, london(2024, 8, 15, 10, 0), london(2024, 8, 15, 20, 0)),
        "in_care": episode(late_care, london(2024, 10, 1, 10, 0), london(2024, 10, 2, 20, 0)),
        "left_care_while_missing": episode(left_care, london(2024, 12, 5, 21, 0), london(2024, 12, 20, 12, 0)),
        "in_need": episode(in_need, london(2024, 7, 1, 10, 0), london(2024, 7, 1, 20, 0)),
        "other_la": episode(other_la, london(2024, 7, 1, 10, 0), london(2024, 7, 1, 20, 0)),
        # A child's episodes are reported in the order they happened (episodes never overlap).
        "last_year_only": episode(b, london(2024, 1, 10, 10, 0), london(2024, 1, 11, 10, 0)),
        "from_last_year": episode(b, london(2024, 3, 30, 20, 0), london(2024, 4, 2, 11, 0)),
        "cancelled": episode(b, london(2024, 5, 1, 10, 0), london(2024, 5, 1, 11, 0)),
        # 00:30 BST on 1 April 2025 is 23:30 UTC on 31 March: next year's.
        "next_year": episode(b, utc(2025, 3, 31, 23, 30), utc(2025, 4, 1, 5, 0)),
    }
    episode_cancel(actor=coordinator, episode=e["cancelled"], reason="Reported in error: was at school.")
    return e


def test_the_2024_25_table_follows_section_8(known: dict[str, Any], coordinator: Any) -> None:
    table = ssda903_missing(coordinator, year=2025)
    assert table.problems == []
    assert [r.as_csv() for r in table.rows] == [
        ["A1", "17/05/2011", "M", "02/06/2024", "03/06/2024"],
        ["A1", "17/05/2011", "A", "14/09/2024", "14/09/2024"],
        ["A1", "17/05/2011", "M", "28/03/2025", "28/03/2025"],
        ["A1", "17/05/2011", "M", "28/03/2025", ""],
        ["B2", "02/11/2009", "M", "30/03/2024", "02/04/2024"],
        ["E5", "17/05/2011", "M", "01/10/2024", "02/10/2024"],
        # Care ended on 10 December while the child was missing: the period ends with it.
        ["F6", "17/05/2011", "M", "05/12/2024", "10/12/2024"],
    ]
    assert ssda903_missing_csv(table).splitlines()[:2] == ["CHILD,DOB,MISSING,MIS_START,MIS_END",
                                                           "A1,17/05/2011,M,02/06/2024,03/06/2024"]


def test_an_episode_open_at_the_year_end_ends_in_the_next_years_table(known: dict[str, Any], coordinator: Any) -> None:
    table = ssda903_missing(coordinator, year=2026)
    assert [r.as_csv() for r in table.rows] == [
        ["A1", "17/05/2011", "M", "28/03/2025", "02/04/2025"],
        ["B2", "02/11/2009", "M", "01/04/2025", "01/04/2025"],
    ]


def overlapping(child: Any, episode: Any) -> tuple[Any, Any]:
    """Two overlapping episodes, as data recorded before Homeward refused overlaps may hold:
    the second's last-seen time moved inside the first, behind the services' back."""
    from homeward.episodes.models import Episode

    first = episode(child, london(2024, 7, 1, 10, 0), london(2024, 7, 5, 10, 0))
    second = episode(child, london(2024, 7, 5, 12, 0), london(2024, 7, 6, 10, 0))
    earlier = london(2024, 7, 3, 10, 0)
    Episode.objects.filter(pk=second.pk).update(missing_since=earlier, last_seen_at=earlier)
    return first, Episode.objects.get(pk=second.pk)


def test_overlapping_episodes_are_listed_for_fixing_not_exported(make_child: Any, episode: Any,
                                                                 coordinator: Any) -> None:
    first, second = overlapping(make_child(external_id="H8"), episode)
    table = ssda903_missing(coordinator, year=2025)
    assert [(p.episode, p.rule, p.field) for p in table.problems] == [(second.pk, "574", f"episode:{second.pk}")]
    assert f"episode {first.pk}" in table.problems[0].message


def test_an_open_period_from_a_placement_that_ended_is_a_problem(make_child: Any, episode: Any,
                                                                 coordinator: Any) -> None:
    child = make_child(external_id="P9", placement=PLACEMENT)
    episode(child, london(2025, 3, 20, 10, 0), london(2025, 4, 3, 10, 0))
    child_update(actor=coordinator, child=child, placement=PlacementInput(
        authority="941", provider="Another home", type="k2", postcode="NN1 1DE", started_on=date(2025, 3, 25)))
    rules = [p.rule for p in ssda903_missing(coordinator, year=2025).problems]
    assert rules == ["575"]


def test_the_export_passes_the_dfe_rules(known: dict[str, Any], coordinator: Any, tmp_path: Path) -> None:
    children = Child.objects.all()
    for year in (2025, 2026):
        table = ssda903_missing(coordinator, year=year)
        assert table.clean
        answer = validate(tmp_path, year=year, children=children, missing_csv=ssda903_missing_csv(table))
        assert "Missing" in answer["tables"]
        assert answer["missing_errors"] == [], answer["missing_errors"]
        assert [f for f in answer["failed"] if f["rule"] in MISSING_RULES] == []


def test_the_validator_catches_what_homeward_refuses(make_child: Any, episode: Any, coordinator: Any,
                                                      tmp_path: Path) -> None:
    """The check is real: the overlap Homeward refuses to export is the DfE's rule 574."""
    child = make_child(external_id="H8")
    overlapping(child, episode)
    table = ssda903_missing(coordinator, year=2025)
    answer = validate(tmp_path, year=2025, children=[child], missing_csv=ssda903_missing_csv(table))
    assert {e["rule"] for e in answer["missing_errors"]} == {"574"}


def test_the_demonstration_data_passes_the_dfe_rules(coordinator: Any, tmp_path: Path) -> None:
    """The demonstration, made as at 3 April 2025 so that children missing then were missing
    at the 2024-25 year end, exports clean tables for 2024-25 and 2025-26."""
    from homeward.demo.generator import DemoSize, demo_create

    counts = demo_create(size=DemoSize(), now=london(2025, 4, 3, 12, 0))
    assert counts["open"] > 0
    open_at_year_end = 0
    for year in (2025, 2026):
        table = ssda903_missing(coordinator, year=year)
        assert table.problems == []
        assert len(table.rows) > 20 if year == 2025 else table.rows
        open_at_year_end += sum(1 for r in table.rows if r.end is None) if year == 2025 else 0
        answer = validate(tmp_path, year=year, children=Child.objects.all(), missing_csv=ssda903_missing_csv(table))
        assert answer["missing_errors"] == [], answer["missing_errors"]
        assert [f for f in answer["failed"] if f["rule"] in MISSING_RULES] == []
    assert open_at_year_end > 0
