"""Importing historical episodes: row-level errors, all or nothing, duplicates skipped,
through the service, the command (with its progress bar) and the API (with a job)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from homeward.audit.models import AuditEntry
from homeward.casework.episodes import episode_report
from homeward.episodes.models import Episode
from homeward.imports.models import ImportJob, ImportStatus
from homeward.imports.services import import_jobs_run_pending, import_missing
from homeward.notifications.models import Notification
from homeward.obligations.models import StoredObligation

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
HEADER = "CHILD,DOB,MISSING,MIS_START,MIS_END\n"


@pytest.fixture
def children(make_child: Any) -> list[Any]:
    return [make_child(external_id="MOS1"), make_child(external_id="MOS2", date_of_birth=date(2010, 1, 2))]


def test_an_ssda903_file_is_imported_at_local_midnight(children: list[Any], coordinator: Any) -> None:
    content = HEADER + ("MOS1,17/05/2011,M,02/06/2024,04/06/2024\n"
                        "MOS2,02/01/2010,A,10/01/2025,10/01/2025\n"
                        "MOS2,02/01/2010,M,28/03/2025,\n")
    result = import_missing(actor=coordinator, content=content, fmt="ssda903", source="missing.csv")
    assert (result.ok, result.created, result.skipped_open, result.total_rows) == (True, 2, 1, 3)
    assert [w.field for w in result.warnings] == ["rows[4]"]
    first = Episode.objects.get(child=children[0])
    assert first.missing_since == datetime(2024, 6, 2, tzinfo=LONDON)
    assert first.found_at == datetime(2024, 6, 4, tzinfo=LONDON)
    assert (first.reported_by, first.status, first.whereabouts_known) == ("other", "returned", False)
    away = Episode.objects.get(child=children[1])
    assert (away.whereabouts_known, away.classification) == (True, "absent")
    # Written through the services: chronology and audit follow. The follow-up of a historical
    # episode belonged to the old system: it owes nothing now and nobody is told of it.
    assert first.imported_from == "missing.csv, row 2"
    assert not StoredObligation.objects.filter(episode=first).exists()
    assert not Notification.objects.filter(episode=first).exists()
    assert first.chronology.filter(kind="found").exists()
    assert AuditEntry.objects.filter(object_type="episode_import").count() == 1
    # The same file again: every row is already recorded.
    again = import_missing(actor=coordinator, content=content, fmt="ssda903")
    assert (again.created, again.skipped_duplicates) == (0, 2)


def test_any_error_imports_nothing_and_every_error_is_named(children: list[Any], coordinator: Any) -> None:
    content = HEADER + ("MOS1,17/05/2011,M,02/06/2024,04/06/2024\n"
                        "NOBODY,17/05/2011,M,02/06/2024,04/06/2024\n"
                        "MOS2,03/01/2010,X,2024-06-02,01/06/2024\n"
                        "MOS1,17/05/2011,M,03/06/2024,05/06/2024\n")
    result = import_missing(actor=coordinator, content=content, fmt="ssda903")
    assert Episode.objects.count() == 0
    assert result.created == 0
    assert [(e.row, e.column) for e in result.errors] == [
        (4, "MISSING"), (4, "MIS_START"), (3, "CHILD"), (5, "MIS_START")]
    assert "overlaps row 2" in result.errors[-1].message


def test_a_case_system_export_keeps_times_and_police_references(children: list[Any], coordinator: Any) -> None:
    content = ("external_id,date_of_birth,missing_since,found_at,type,police_force,police_reference,"
               "location_last_seen,found_location,risk_level\n"
               "MOS1,2011-05-17,2024-06-02 00:30,2024-06-02T08:15:00+01:00,M,northamptonshire,NP-1,"
               "Bus station,Park,high\n")
    result = import_missing(actor=coordinator, content=content, fmt="case_system")
    assert result.ok and result.created == 1
    episode = Episode.objects.get()
    assert episode.missing_since == datetime(2024, 6, 1, 23, 30, tzinfo=ZoneInfo("UTC"))
    assert (episode.police_reference, episode.risk_level, episode.found_location) == ("NP-1", "high", "Park")
    assert import_missing(actor=coordinator, content=content, fmt="case_system").skipped_duplicates == 1


def test_a_file_may_name_forces_as_partners_name_them(children: list[Any], coordinator: Any) -> None:
    content = ("external_id,date_of_birth,missing_since,found_at,type,police_force,police_reference\n"
               "MOS1,2011-05-17,2024-06-02 00:30,2024-06-02 08:15,M,Northamptonshire Police,NP-1\n"
               "MOS2,2010-01-02,2024-07-02 00:30,2024-07-02 08:15,M,west midlands police,WM-1\n"
               "MOS2,2010-01-02,2024-08-02 00:30,2024-08-02 08:15,M,Gotham City Police,GC-1\n")
    result = import_missing(actor=coordinator, content=content, fmt="case_system")
    assert [(e.row, e.column) for e in result.errors] == [(4, "police_force")]
    assert "'Gotham City Police' is not a known police force" in result.errors[0].message
    result = import_missing(actor=coordinator, content=content.rsplit("MOS2,2010-01-02,2024-08", 1)[0],
                            fmt="case_system")
    assert result.ok and result.created == 2
    assert sorted(Episode.objects.values_list("police_force__code", flat=True)) == ["northamptonshire",
                                                                                     "west-midlands"]


def test_history_is_imported_for_a_child_who_is_missing_now(children: list[Any], coordinator: Any) -> None:
    now_missing = episode_report(actor=coordinator, child=children[0], reported_at=timezone.now(),
                                 last_seen_at=timezone.now() - timedelta(days=2), reported_by="police").episode
    content = HEADER + ("MOS1,17/05/2011,M,02/06/2024,04/06/2024\n"
                        f"MOS1,17/05/2011,M,01/01/2025,{timezone.localdate():%d/%m/%Y}\n")
    result = import_missing(actor=coordinator, content=content, fmt="ssda903")
    # The earlier episode sits in the child's past; the one running into today overlaps
    # the episode open now and is named for fixing, so nothing is written.
    assert result.created == 0
    assert [(e.row, e.column) for e in result.errors] == [(3, "MIS_START")]
    assert f"overlaps episode {now_missing.pk}" in result.errors[0].message
    result = import_missing(actor=coordinator, content=HEADER + "MOS1,17/05/2011,M,02/06/2024,04/06/2024\n",
                            fmt="ssda903")
    assert (result.ok, result.created) == (True, 1)
    history = Episode.objects.get(child=children[0], imported_from__startswith="file")
    assert (history.status, history.found_at) == ("returned", datetime(2024, 6, 4, tzinfo=LONDON))
    assert history.chronology.filter(kind="found").exists()
    now_missing.refresh_from_db()
    assert now_missing.status == "open"


def test_a_case_system_header_must_be_known(coordinator: Any) -> None:
    result = import_missing(actor=coordinator, content="external_id,when\nX,1\n", fmt="case_system")
    assert [(e.row, e.column) for e in result.errors] == [(1, "")]
    assert "missing column(s) date_of_birth" in result.errors[0].message and "unknown column(s) when" in \
        result.errors[0].message


def test_the_command_shows_progress_and_refuses_a_bad_file(children: list[Any], coordinator: Any,
                                                           tmp_path: Any) -> None:
    good = tmp_path / "good.csv"
    good.write_text(HEADER + "MOS1,17/05/2011,M,02/06/2024,04/06/2024\n", encoding="utf-8")
    out, err = StringIO(), StringIO()
    call_command("import-missing", str(good), "--user", coordinator.username, "--dry-run", stdout=out, stderr=err)
    assert "1 episode(s) would be imported (dry run)" in out.getvalue()
    assert Episode.objects.count() == 0
    call_command("import-missing", str(good), "--user", coordinator.username, stdout=out, stderr=StringIO())
    assert Episode.objects.count() == 1
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "MOS1,17/05/2011,M,31/02/2024,\n", encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import-missing", str(bad), "--user", coordinator.username, stdout=StringIO(), stderr=err)
    assert "rows[2].MIS_START" in err.getvalue()


def test_the_api_imports_or_lists_row_errors(children: list[Any], api: Any) -> None:
    def upload(text: str, **extra: Any) -> Any:
        return api.post("/api/v1/imports/ssda903-missing", {
            "file": SimpleUploadedFile("missing.csv", text.encode(), content_type="text/csv"), **extra,
        }, format="multipart")

    bad = upload(HEADER + "MOS1,17/05/2011,Q,02/06/2024,04/06/2024\n")
    assert bad.status_code == 400 and bad["Content-Type"] == "application/problem+json"
    assert bad.json()["errors"] == [{"field": "rows[2].MISSING", "message": bad.json()["errors"][0]["message"]}]
    good = upload(HEADER + "MOS1,17/05/2011,M,02/06/2024,04/06/2024\n")
    assert good.status_code == 201, good.content
    assert (good.json()["status"], good.json()["created"], good.json()["percent"]) == ("succeeded", 1, 100)
    progress = api.get(f"/api/v1/imports/{good.json()['id']}")
    assert progress.status_code == 200 and progress.json()["created"] == 1


def test_a_large_file_is_queued_for_the_worker(children: list[Any], api: Any, settings: Any) -> None:
    settings.HOMEWARD_IMPORT_SYNC_ROWS = 1
    rows = "MOS1,17/05/2011,M,02/06/2024,04/06/2024\nMOS2,02/01/2010,M,02/06/2024,04/06/2024\n"
    answer = api.post("/api/v1/imports/ssda903-missing", {
        "file": SimpleUploadedFile("big.csv", (HEADER + rows).encode(), content_type="text/csv"),
    }, format="multipart")
    assert answer.status_code == 202 and answer["Location"] == f"/api/v1/imports/{answer.json()['id']}"
    assert answer.json()["status"] == "queued" and Episode.objects.count() == 0
    assert import_jobs_run_pending() == 1
    job = ImportJob.objects.get(pk=answer.json()["id"])
    assert (job.status, job.created, job.processed_rows, job.percent) == (ImportStatus.SUCCEEDED, 2, 2, 100)
    assert Episode.objects.count() == 2


def test_only_those_who_keep_the_records_may_import(api_for: Any, make_user: Any) -> None:
    manager = api_for(make_user("team_manager"))
    answer = manager.post("/api/v1/imports/ssda903-missing", {
        "file": SimpleUploadedFile("m.csv", HEADER.encode(), content_type="text/csv")}, format="multipart")
    assert answer.status_code == 403


def test_a_formula_or_control_character_as_the_child_id_is_a_row_error(children: list[Any], coordinator: Any) -> None:
    """Issue 14, item 6: such an id is named as the column at fault, never matched."""
    content = HEADER + ('"=HYPERLINK(""http://evil.example"")",17/05/2011,M,02/06/2024,04/06/2024\n'
                        "@SUM(A1),17/05/2011,M,02/06/2024,04/06/2024\n")
    result = import_missing(actor=coordinator, content=content, fmt="ssda903")
    assert [(e.row, e.column) for e in result.errors] == [(2, "CHILD"), (3, "CHILD")]
    assert all("formula" in e.message for e in result.errors)
    assert Episode.objects.count() == 0
