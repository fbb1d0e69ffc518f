"""The statutory returns never export a row without the child's id: children recorded
without a case-system id are listed for fixing instead (reporting.child_ids)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from homeward.audit.models import AuditEntry
from homeward.casework.children import child_update
from homeward.reporting.annex_a import annex_a_problems, annex_a_rows
from homeward.reporting.ssd import ssd_missing
from homeward.reporting.ssda903 import ssda903_missing

from .conftest import london

pytestmark = pytest.mark.django_db
PLACEMENT = {"authority": "941", "provider": "Oakfield House", "started_on": date(2019, 6, 1)}


@pytest.fixture
def without_ids(make_child: Any, episode: Any) -> dict[str, Any]:
    """Two looked-after children without ids, each missing once in 2024-25 on overlapping
    days (they must not be read as one child's overlapping episodes), and one with an id."""
    first = make_child(external_id="", external_id_required=False, given_name="Kai", placement=PLACEMENT)
    second = make_child(external_id="", external_id_required=False, given_name="Lou", placement=PLACEMENT)
    known = make_child(external_id="K1", placement=PLACEMENT)
    return {
        "first": first, "second": second, "known": known,
        "first_episode": episode(first, london(2024, 6, 1, 22, 0), london(2024, 6, 4, 9, 0)),
        "second_episode": episode(second, london(2024, 6, 2, 22, 0), london(2024, 6, 3, 9, 0)),
        "known_episode": episode(known, london(2024, 7, 1, 22, 0), london(2024, 7, 2, 9, 0)),
    }


def test_ssda903_lists_each_episode_of_a_child_without_an_id_and_nothing_else(
    without_ids: dict[str, Any], coordinator: Any,
) -> None:
    table = ssda903_missing(coordinator, year=2025)
    assert not table.clean
    assert sorted((p.episode, p.rule) for p in table.problems) == sorted([
        (without_ids["first_episode"].pk, "CHILD"), (without_ids["second_episode"].pk, "CHILD")])
    assert all("no case-system id" in p.message for p in table.problems)
    # Once the ids are recorded the table is clean: the two children never overlapped.
    child_update(actor=coordinator, child=without_ids["first"], external_id="K2")
    child_update(actor=coordinator, child=without_ids["second"], external_id="K3")
    table = ssda903_missing(coordinator, year=2025)
    assert table.clean and sorted(r.child_ref for r in table.rows) == ["K1", "K2", "K3"]


def test_ssd_and_annex_a_list_the_children_to_fix(without_ids: dict[str, Any], coordinator: Any) -> None:
    ssd = ssd_missing(coordinator)
    assert [p.child for p in ssd.problems] == sorted([without_ids["first"].pk, without_ids["second"].pk])
    assert not ssd.clean and len(ssd.rows) == 3
    problems = annex_a_problems(annex_a_rows(coordinator, as_of=date(2025, 3, 31)))
    assert [p.field for p in problems] == [f"child:{pk}" for pk in sorted([without_ids["first"].pk,
                                                                          without_ids["second"].pk])]
    for child in (without_ids["first"], without_ids["second"]):
        child_update(actor=coordinator, child=child, external_id=f"ID{child.pk}")
    assert ssd_missing(coordinator).clean
    assert annex_a_problems(annex_a_rows(coordinator, as_of=date(2025, 3, 31))) == []


def test_the_api_refuses_each_export_naming_the_children(without_ids: dict[str, Any], api: Any) -> None:
    before = AuditEntry.objects.filter(action="export").count()
    first = without_ids["first"].pk
    for path in ("/api/v1/reports/ssda903/missing?year=2025", "/api/v1/reports/ssd-missing",
                 "/api/v1/reports/annex-a?as_of=2025-03-31"):
        response = api.get(path)
        assert response.status_code == 400, path
        assert response["Content-Type"] == "application/problem+json"
        fields = [e["field"] for e in response.json()["errors"]]
        assert f"child:{first}" in fields or f"episode:{without_ids['first_episode'].pk}" in fields, path
    assert AuditEntry.objects.filter(action="export").count() == before


def test_the_statutory_page_lists_the_children_and_offers_no_download(
    without_ids: dict[str, Any], coordinator: Any,
) -> None:
    web = Client()
    web.force_login(coordinator)
    first = without_ids["first"]
    body = web.get("/reports/statutory?year=2025").content.decode()
    assert "Fix these before ssd_missing can be exported" in body
    assert f'href="/children/{first.pk}/case-system-id">Add the case-system id of {first.full_name}</a>' in body
    assert 'href="/reports/statutory/ssd_missing.csv"' not in body
    assert web.get("/reports/statutory/ssd_missing.csv").status_code == 302
    annex = web.get("/reports/statutory/annex-a-list-8.xlsx?as_of_day=31&as_of_month=3&as_of_year=2025")
    assert annex.status_code == 400
    assert f"Add the case-system id of {first.full_name}" in annex.content.decode()
