"""The SSDA903 Missing export (`ssda903_missing_export`) is the table `ssda903_missing` builds
in Python and the bytes `ssda903_missing_csv` writes of it: the same rows, the same problems
(rules, episodes, messages), on PostgreSQL worked out by the database in one statement."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import connection, transaction

from homeward.casework.children import child_update
from homeward.children.models import Child, LegalStatusPeriod
from homeward.children.services import PlacementInput
from homeward.episodes.models import Episode
from homeward.reporting.ssda903 import MissingExport, ssda903_missing, ssda903_missing_csv, ssda903_missing_export

from .conftest import london
from .test_ssda903 import PLACEMENT, known, overlapping

pytestmark = pytest.mark.django_db
__all__ = ["known"]  # the fixture, shared with test_ssda903


def _same(user: Any, year: int) -> MissingExport:
    table = ssda903_missing(user, year=year)
    export = ssda903_missing_export(user, year=year)
    assert export.problems == table.problems
    assert export.rows == len(table.rows)
    assert export.csv == (ssda903_missing_csv(table) if table.clean else "")
    pairs = export.named
    if export.named_sql is not None:
        sql, params = export.named_sql
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            pairs = list(cursor.fetchall())
    assert sorted(pairs) == sorted((row.episode, row.child) for row in table.rows)
    return export


@pytest.mark.parametrize("year", [2024, 2025, 2026, 2027])
def test_the_export_is_the_table(known: dict[str, Any], coordinator: Any, year: int) -> None:
    export = _same(coordinator, year)
    assert export.clean


def test_an_empty_year_is_the_header_alone(coordinator: Any) -> None:
    export = _same(coordinator, 2025)
    assert export.csv == "CHILD,DOB,MISSING,MIS_START,MIS_END\r\n" and export.rows == 0


def test_the_export_finds_the_tables_problems(make_child: Any, episode: Any, coordinator: Any) -> None:
    overlapping(make_child(external_id="H8"), episode)
    # Open at the year end, from a placement that ended in the year (575).
    moved = make_child(external_id="P9", placement=PLACEMENT)
    episode(moved, london(2025, 3, 20, 10, 0), london(2025, 4, 3, 10, 0))
    child_update(actor=coordinator, child=moved, placement=PlacementInput(
        authority="941", provider="Another home", type="k2", postcode="NN1 1DE", started_on=date(2025, 3, 25)))
    # Still open while another begins (574, the earlier one open), as older data may hold.
    still = make_child(external_id="S1")
    open_one = episode(still, london(2024, 8, 1, 10, 0))
    later = episode(make_child(external_id="S2"), london(2024, 8, 3, 10, 0), london(2024, 8, 4, 10, 0))
    Episode.objects.filter(pk=later.pk).update(child=still)
    assert open_one.found_at is None
    # Found before it began (567) and begun before the child was born (586), behind the services' back.
    backwards = episode(make_child(external_id="R1"), london(2024, 10, 1, 10, 0), london(2024, 10, 2, 10, 0))
    Episode.objects.filter(pk=backwards.pk).update(found_at=london(2024, 9, 20, 10, 0))
    unborn = make_child(external_id="U1")
    episode(unborn, london(2024, 11, 1, 10, 0), london(2024, 11, 2, 10, 0))
    Child.objects.filter(pk=unborn.pk).update(date_of_birth=date(2024, 12, 1))
    # Ids that bar the export: blank, a formula, a control character.
    for ref in ("", "=1+2", "X\x01Y"):
        blank = make_child(external_id=f"B{len(ref)}")
        episode(blank, london(2024, 6, 1, 10, 0), london(2024, 6, 1, 12, 0))
        Child.objects.filter(pk=blank.pk).update(external_id=ref)
    export = _same(coordinator, 2025)
    assert {p.rule for p in export.problems} == {"574", "575", "567", "586", "CHILD"}
    assert export.csv == ""


def test_overlaps_are_compared_in_the_dfes_order_not_the_files(make_child: Any, episode: Any,
                                                               coordinator: Any) -> None:
    """A period inside another (as data recorded before Homeward refused overlaps may hold): in
    the file the longer one comes first (it starts first), in the DfE's order the shorter (it
    ends first), so rule 574 finds the longer one at fault, naming the shorter."""
    child = make_child(external_id="W1")
    longer = episode(child, london(2024, 7, 1, 10, 0), london(2024, 7, 20, 10, 0))
    inside = episode(child, london(2024, 7, 21, 10, 0), london(2024, 7, 22, 10, 0))
    Episode.objects.filter(pk=inside.pk).update(missing_since=london(2024, 7, 5, 10, 0),
                                                last_seen_at=london(2024, 7, 5, 10, 0),
                                                found_at=london(2024, 7, 10, 10, 0))
    # A child whose periods are in the same order both ways, with none at fault, beside it.
    episode(make_child(external_id="W2"), london(2024, 7, 1, 10, 0), london(2024, 7, 2, 10, 0))
    export = _same(coordinator, 2025)
    assert [(p.episode, p.rule) for p in export.problems] == [(longer.pk, "574")]
    assert f"episode {inside.pk}" in export.problems[0].message


def test_the_export_holds_only_the_children_the_person_may_see(known: dict[str, Any], make_user: Any) -> None:
    worker = make_user("social_worker", team="North")
    mine = Child.objects.get(external_id="B2")
    Child.objects.filter(pk=mine.pk).update(allocated_worker=worker)
    for year in (2025, 2026):
        export = _same(worker, year)
        assert export.clean and export.rows == 1
        assert export.csv.splitlines()[1].startswith("B2,")


def test_the_settings_of_its_statements_are_the_callers_again_after_it(known: dict[str, Any],
                                                                        coordinator: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's settings")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL DateStyle = 'ISO, DMY'")
        cursor.execute("SET LOCAL TimeZone = 'America/New_York'")
        _same(coordinator, 2025)
        cursor.execute("SELECT current_setting('DateStyle'), current_setting('enable_nestloop'), "
                       "current_setting('TimeZone')")
        assert cursor.fetchone() == ("ISO, DMY", "on", "America/New_York")


def test_ids_quoted_and_cut_periods_as_the_csv_module_writes_them(make_child: Any, episode: Any,
                                                                   coordinator: Any) -> None:
    # Ids the csv module quotes (a comma, a quote) and ones with a space and non-ASCII letters,
    # sorted as Python sorts them (by code point: '"' before ',', 'a' before 'Ä').
    for ref in ('Q,7', 'Q"8', "Zoë 9", "a1", "Ä2"):
        child = make_child(external_id=f"T{ref[-1]}")
        episode(child, london(2024, 6, 1, 10, 0), london(2024, 6, 2, 10, 0))
        Child.objects.filter(pk=child.pk).update(external_id=ref)
    # Born on 29 February 2008: 18 on 1 March 2026, which ends the period of care.
    leap = make_child(external_id="L1", date_of_birth=date(2008, 2, 29))
    episode(leap, london(2026, 2, 27, 10, 0), london(2026, 3, 5, 10, 0))
    # Statuses without a date (applied throughout) and two begun on one day (the later recorded
    # counts): looked after throughout, then on 1 January 2025 "none" recorded before
    # "looked_after" (still looked after), then on 1 February 2025 care ends.
    undated = make_child(external_id="N1")
    LegalStatusPeriod.objects.filter(child=undated).update(started_on=None)
    for status, day in (("none", date(2025, 1, 1)), ("looked_after", date(2025, 1, 1)),
                        ("none", date(2025, 2, 1))):
        LegalStatusPeriod.objects.create(child=undated, status=status, started_on=day)
    episode(undated, london(2024, 12, 30, 10, 0), london(2025, 2, 10, 10, 0))
    episode(undated, london(2025, 2, 12, 10, 0), london(2025, 2, 13, 10, 0))  # out of care: no row
    for year in (2025, 2026):
        export = _same(coordinator, year)
        assert export.clean
    assert "\r\n".join(['"Q""8",17/05/2011,M,01/06/2024,02/06/2024', '"Q,7",17/05/2011,M,01/06/2024,02/06/2024']) \
        in ssda903_missing_export(coordinator, year=2025).csv
    assert "L1,29/02/2008,M,27/02/2026,01/03/2026" in ssda903_missing_export(coordinator, year=2026).csv
    assert "N1,17/05/2011,M,30/12/2024,01/02/2025" in ssda903_missing_export(coordinator, year=2025).csv


def test_another_authoritys_child_and_a_cancelled_episode_have_no_row(known: dict[str, Any],
                                                                      coordinator: Any) -> None:
    csv = ssda903_missing_export(coordinator, year=2025).csv
    assert "D4," not in csv and "C3," not in csv and "01/05/2024" not in csv
