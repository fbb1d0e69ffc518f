"""The SSDA903 export's entry in the audit log is written beside the export (PostgreSQL, no
transaction open, another connection allowed): on a connection of its own, on the export's
snapshot, committed only when the file is clean; what the caller sees is as when it is written
after the export (test_reports_api)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

import homeward.audit.services as audit_services
from homeward.audit.models import AuditEntry, AuditNamed
from homeward.reporting.ssda903 import ExportedRows, ssda903_missing_export

from .conftest import london
from .test_reports_api import data

pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("reference_data_loaded", "reference_data_after_flush")]
__all__ = ["data"]  # the fixture, shared with test_reports_api


@pytest.fixture
def beside(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Two connections a report; the threads the audit log's entry was written on."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite writes the entry after the export, on its one connection")
    monkeypatch.setenv("HOMEWARD_REPORT_CONNECTIONS", "2")
    threads: list[str] = []
    appended = audit_services._append

    def recorded(entries: list[AuditEntry], **kwargs: Any) -> None:
        threads.extend(threading.current_thread().name for entry in entries if entry.action == "export")
        appended(entries, **kwargs)

    monkeypatch.setattr(audit_services, "_append", recorded)
    return threads


def test_the_entry_is_written_beside_the_export_and_kept(data: dict[str, Any], api: Any, beside: list[str]) -> None:
    answer = api.get("/api/v1/reports/ssda903/missing?year=2025")
    assert answer.status_code == 200
    assert answer.content.decode().splitlines() == ["CHILD,DOB,MISSING,MIS_START,MIS_END",
                                                    "A1,17/05/2011,M,02/06/2024,03/06/2024",
                                                    "A1,17/05/2011,A,01/09/2024,02/09/2024"]
    assert len(beside) == 1 and beside[0].startswith("report-write"), "written on the worker's connection"
    entry = AuditEntry.objects.filter(action="export", object_type="ssda903_missing").get()
    # The request's origin went with the write to the worker's thread.
    assert (entry.channel, entry.remote_addr) == ("api", "127.0.0.1")
    assert entry.detail["rows"] == 2 and entry.detail["named"]["children"] == 1
    named = AuditNamed.objects.get(entry=entry)
    assert (named.child_id, named.records) == (data["child"].pk, f"{data['first'].pk},{data['second'].pk}")


def test_a_refused_table_leaves_no_entry(data: dict[str, Any], clashing_episode: Any, api: Any,
                                         beside: list[str]) -> None:
    clash = clashing_episode(data["child"], london(2024, 6, 2, 20, 0), london(2024, 6, 5, 8, 0))
    answer = api.get("/api/v1/reports/ssda903/missing?year=2025")
    assert answer.status_code == 400
    assert [e["field"] for e in answer.json()["errors"]] == [f"episode:{clash.pk}"]
    assert beside, "the entry was begun beside the export"
    assert not AuditEntry.objects.filter(action="export").exists()
    assert not AuditNamed.objects.exists()


def test_an_entry_that_cannot_be_written_fails_the_export(data: dict[str, Any], coordinator: Any,
                                                          beside: list[str]) -> None:
    def failing(exported: ExportedRows) -> None:
        raise RuntimeError(f"the audit log refused {exported.rows} rows")

    with pytest.raises(RuntimeError, match="refused 2 rows"):
        ssda903_missing_export(coordinator, year=2025, audit=failing)


def test_the_entry_names_the_rows_of_the_files_snapshot(data: dict[str, Any], coordinator: Any,
                                                        beside: list[str]) -> None:
    seen: list[ExportedRows] = []

    def counted(exported: ExportedRows) -> None:
        assert exported.named_sql is not None
        with connection.cursor() as cursor:
            cursor.execute(*exported.named_sql)
            seen.append(ExportedRows(rows=exported.rows, named=sorted(cursor.fetchall())))

    export = ssda903_missing_export(coordinator, year=2025, audit=counted)
    assert export.clean and export.rows == 2
    assert seen == [ExportedRows(rows=2, named=sorted([(data["first"].pk, data["child"].pk),
                                                       (data["second"].pk, data["child"].pk)]))]
