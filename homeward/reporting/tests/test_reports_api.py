"""The reports API: who may read and export, the formats, refusal of a table that breaks
the DfE rules, and the audit of every export."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from homeward.accounts.roles import Role
from homeward.audit.models import AuditEntry, AuditNamed
from homeward.audit.selectors import naming_child
from homeward.casework.interviews import InterviewRecord, rhi_record_interview, rhi_record_offer

from .conftest import london

pytestmark = pytest.mark.django_db
OVERSIGHT = {"coordinator", "mct_admin", "team_manager", "service_leader", "senior_manager", "admin"}
ENDPOINTS = ["/api/v1/reports/weekly", "/api/v1/reports/performance", "/api/v1/reports/patterns",
             "/api/v1/reports/ssda903/missing?year=2025", "/api/v1/reports/annex-a", "/api/v1/reports/ssd-missing"]


@pytest.mark.parametrize("role", sorted(Role.values))
def test_oversight_roles_read_and_export_others_may_not(role: str, make_user: Any, api_for: Any) -> None:
    client = api_for(make_user(role, organisation="Oakfield" if role == "placement_provider" else ""))
    for path in ENDPOINTS:
        answer = client.get(path)
        assert answer.status_code == (200 if role in OVERSIGHT else 403), (role, path, answer.content)


@pytest.fixture
def data(make_child: Any, episode: Any, coordinator: Any) -> dict[str, Any]:
    child = make_child(external_id="A1")
    first = episode(child, london(2024, 6, 2, 0, 30), london(2024, 6, 3, 10, 0))
    rhi_record_offer(actor=coordinator, episode=first, offered_at=london(2024, 6, 3, 12, 0), method="Visit")
    rhi_record_interview(actor=coordinator, episode=first, record=InterviewRecord(
        outcome="accepted", conducted_at=london(2024, 6, 4, 12, 0), method="face_to_face", seen_alone=True))
    second = episode(child, london(2024, 9, 1, 20, 0), london(2024, 9, 2, 8, 0), whereabouts_known=True)
    return {"child": child, "first": first, "second": second}


def test_the_ssda903_table_as_csv_audited(data: dict[str, Any], api: Any) -> None:
    answer = api.get("/api/v1/reports/ssda903/missing?year=2025")
    assert answer.status_code == 200 and answer["Content-Type"] == "text/csv; charset=utf-8"
    assert answer.content.decode().splitlines() == ["CHILD,DOB,MISSING,MIS_START,MIS_END",
                                                    "A1,17/05/2011,M,02/06/2024,03/06/2024",
                                                    "A1,17/05/2011,A,01/09/2024,02/09/2024"]
    # One entry for the file, naming the child it carries in a row of their own with their
    # episodes (ADR 0017), which the child's access log finds.
    entry = AuditEntry.objects.filter(action="export", object_type="ssda903_missing").get()
    assert entry.child_id is None and entry.detail["rows"] == 2 and entry.detail["named"]["children"] == 1
    named = AuditNamed.objects.get(entry=entry)
    assert (named.child_id, named.records) == (data["child"].pk, f"{data['first'].pk},{data['second'].pk}")
    assert list(AuditEntry.objects.filter(naming_child(data["child"].pk), action="export")) == [entry]


def test_a_table_that_breaks_the_rules_is_refused_naming_the_episodes(data: dict[str, Any], clashing_episode: Any,
                                                                      api: Any) -> None:
    clash = clashing_episode(data["child"], london(2024, 6, 2, 20, 0), london(2024, 6, 5, 8, 0))
    answer = api.get("/api/v1/reports/ssda903/missing?year=2025")
    assert answer.status_code == 400 and answer["Content-Type"] == "application/problem+json"
    assert [e["field"] for e in answer.json()["errors"]] == [f"episode:{clash.pk}"]
    assert answer.json()["errors"][0]["message"].startswith("Rule 574:")
    assert not AuditEntry.objects.filter(action="export").exists()
    assert api.get("/api/v1/reports/ssda903/missing?year=twenty").json()["errors"][0]["field"] == "year"


def test_the_ssd_extract_and_annex_a(data: dict[str, Any], api: Any) -> None:
    ssd = api.get("/api/v1/reports/ssd-missing")
    rows = list(csv.reader(io.StringIO(ssd.content.decode())))
    assert rows == [
        ["miss_table_id", "miss_person_id", "miss_missing_episode_start_date", "miss_missing_episode_type",
         "miss_missing_episode_end_date", "miss_missing_rhi_offered", "miss_missing_rhi_accepted"],
        [str(data["first"].pk), "A1", "2024-06-02 00:30:00", "M", "2024-06-03 10:00:00", "Y", "Y"],
        # Away with whereabouts known: classified missing, so an offer was owed and not made.
        [str(data["second"].pk), "A1", "2024-09-01 20:00:00", "A", "2024-09-02 08:00:00", "N", "NA"],
    ]
    annex = api.get("/api/v1/reports/annex-a?as_of=2025-03-31")
    assert annex.status_code == 200
    sheet = load_workbook(io.BytesIO(annex.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[1][0:2] == ["A1", "b) Female"] and values[1][3:] == [1, 1, "a) Yes", "a) Yes"]
    # One entry a file, naming the child it carries in a row of their own (ADR 0017): their
    # episodes in the SSD table, the child themself in Annex A's list of children.
    exports = {e.object_type: e for e in AuditEntry.objects.filter(action="export")}
    assert set(exports) == {"ssd_missing", "annex_a_list_8"}
    assert exports["ssd_missing"].detail["rows"] == 2 and exports["annex_a_list_8"].detail["rows"] == 1
    assert all(e.child_id is None and e.detail["named"]["children"] == 1 for e in exports.values())
    child = data["child"]
    assert AuditNamed.objects.get(entry=exports["ssd_missing"], child=child).records == \
        f"{data['first'].pk},{data['second'].pk}"
    assert AuditNamed.objects.get(entry=exports["annex_a_list_8"], child=child).records == str(child.pk)
    assert set(AuditEntry.objects.filter(naming_child(child.pk), action="export")) == set(exports.values())


def test_weekly_performance_and_patterns_as_json(data: dict[str, Any], api: Any) -> None:
    weekly = api.get("/api/v1/reports/weekly?as_of=2024-06-03T12:00:00%2B01:00").json()
    assert weekly["counts"]["returned_last_7_days"] == 1
    assert weekly["returned_last_7_days"][0]["episode"] == data["first"].pk
    figures = api.get("/api/v1/reports/performance?from=2024-06-01&to=2024-09-30").json()
    assert figures["months"] == ["2024-06", "2024-07", "2024-08", "2024-09"]
    assert figures["episodes_by_month"] == [1, 0, 0, 1]
    assert figures["rhi_total"]["percent_in_time"] == 50.0
    found = api.get("/api/v1/reports/patterns?from=2024-06-01&to=2024-09-30").json()
    assert set(found) == {"first", "last", "months", "factors", "places", "nodes", "edges", "consultations"}
    assert api.get("/api/v1/reports/performance?from=2024-09-01&to=2024-06-01").status_code == 400
