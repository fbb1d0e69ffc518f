"""The report pages through Django's test client, on the reporting tests' hand-worked data:
the figures shown, the downloads (audited once), who may see them, the import."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from homeward.audit.models import AuditEntry, AuditNamed
from homeward.episodes.models import Episode
from homeward.imports.models import ImportJob, ImportStatus
from homeward.reporting.tests import conftest as reporting_fixtures
from homeward.reporting.tests import test_performance_and_patterns as quarter_data
from homeward.reporting.tests import test_reports_api as api_data
from homeward.reporting.tests import test_weekly as week_data
from homeward.web.views import reports as reports_views

pytestmark = pytest.mark.django_db

# The reporting tests' fixtures: episodes recorded through the services at known instants.
episode = reporting_fixtures.episode
clashing_episode = reporting_fixtures.clashing_episode
week = week_data.week
quarter = quarter_data.quarter
data = api_data.data


def text(response: Any) -> str:
    """The page's text with tags and runs of spaces removed, for asserting what is read."""
    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", body)


WEEKLY_QUERY = {"as_of_day": "10", "as_of_month": "3", "as_of_year": "2025", "as_of_time": "07:00"}


def test_the_weekly_report_page_lists_each_section_with_counts_and_links(web: Client, week: dict[str, Any]) -> None:
    response = web.get("/reports/weekly", WEEKLY_QUERY)
    assert response.status_code == 200
    page = text(response)
    for heading, count in [("Missing now", 2), ("Missing 72 hours or more", 2), ("High risk", 2),
                           ("Returned in the last 7 days", 5), ("Return interviews to offer", 1),
                           ("Return interviews overdue", 4), ("Repeat-missing children", 1)]:
        assert f"{heading} ({count})" in page, heading
    body = response.content.decode()
    for name in ("open_long", "open_high", "returned", "returned_recent", "long_found", "high_found"):
        assert f'href="/episodes/{week[name].pk}"' in body, name
    # Not known at 07:00 on 10 March.
    assert f'href="/episodes/{week["later"].pk}"' not in body
    assert "Mon 3 Mar 2025, 07:00 to Mon 10 Mar 2025, 07:00" in page


def test_the_weekly_report_as_a_pdf_is_audited_as_an_export(web: Client, week: dict[str, Any],
                                                            coordinator: Any) -> None:
    response = web.get("/reports/weekly.pdf", WEEKLY_QUERY)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert 'filename="weekly-report-2025-03-10.pdf"' in response["Content-Disposition"]
    entry = AuditEntry.objects.get(action="export", object_type="weekly_report", child__isnull=True)
    assert entry.user_id == coordinator.pk
    assert week["open_long"].pk in entry.detail["episodes"]
    # And one entry for each child it names, so "who looked at this child" finds the download.
    [child_entry] = AuditEntry.objects.filter(action="export", object_type="weekly_report",
                                              child_id=week["open_long"].child_id)
    assert child_entry.user_id == coordinator.pk and week["open_long"].pk in child_entry.detail["records"]


def test_a_wrong_date_shows_the_error_summary(web: Client) -> None:
    response = web.get("/reports/weekly", {**WEEKLY_QUERY, "as_of_month": "13"})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'class="govuk-error-summary"' in body
    assert 'href="#id_as_of_day">As of must be a real date' in body


@pytest.mark.parametrize("path", ["/reports", "/reports/weekly", "/reports/weekly.pdf", "/reports/performance",
                                  "/reports/patterns", "/reports/statutory", "/reports/statutory/ssd_missing.csv",
                                  "/reports/statutory/ssda903-missing.csv?year=2025",
                                  "/reports/statutory/annex-a-list-8.xlsx", "/reports/import", "/reports/import/1"])
def test_a_social_worker_gets_the_403_page(client_for: Any, make_user: Any, path: str) -> None:
    response = client_for(make_user("social_worker", team="Children in Care North")).get(path)
    assert response.status_code == 403
    assert "You cannot do this" in response.content.decode()


def test_the_reports_item_is_in_the_navigation_only_for_those_who_may_read_reports(
    web: Client, client_for: Any, make_user: Any,
) -> None:
    assert 'href="/reports"' in web.get("/").content.decode()
    worker = client_for(make_user("social_worker", team="Children in Care North"))
    assert 'href="/reports"' not in worker.get("/").content.decode()
    body = web.get("/reports/performance").content.decode()
    assert 'href="/reports" aria-current="true"' in body


PERIOD = {"from_date_day": "1", "from_date_month": "1", "from_date_year": "2025",
          "to_date_day": "31", "to_date_month": "3", "to_date_year": "2025"}


def _table(body: str, table_id: str) -> list[list[str]]:
    """The rows of a table on the page, each cell's text."""
    match = re.search(rf'<table class="govuk-table" id="{table_id}">(.*?)</table>', body, re.S)
    assert match, table_id
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", match.group(1), re.S)
    return [[html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", cell)).strip())
             for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)] for row in rows]


def test_the_performance_page_shows_the_hand_worked_figures_as_charts_and_tables(
    web: Client, quarter: dict[str, Any],
) -> None:
    response = web.get("/reports/performance", PERIOD)
    assert response.status_code == 200
    body = response.content.decode()
    assert _table(body, "table-episodes")[1:] == [["Jan 2025", "1", "1", "0"], ["Feb 2025", "3", "2", "1"],
                                                  ["Mar 2025", "2", "2", "1"]]
    rhi = _table(body, "table-rhi")[1:]
    assert rhi[0] == ["Jan 2025", "1", "1", "0", "0", "1", "0", "0", "18.0"]
    assert rhi[1] == ["Feb 2025", "2", "0", "1", "1", "0", "1", "0", "120.0"]
    assert rhi[2] == ["Mar 2025", "1", "1", "0", "0", "0", "0", "1", "24.0"]
    assert "2 of 4 (50.0%)" in text(response)
    assert _table(body, "table-cohort-legal_status")[1:] == [["Looked after", "1 (1)", "3 (2)", "1 (1)", "5"],
                                                             ["Child in need", "0 (0)", "0 (0)", "1 (1)", "1"]]
    assert [row[1] for row in _table(body, "table-hours")[1:]] == ["1", "2", "1", "1", "0", "1"]
    # Charts: inline SVG with a title and description, no style attribute anywhere (strict CSP).
    assert body.count('role="img"') >= 8
    assert 'aria-labelledby="chart-episodes-title chart-episodes-desc"' in body
    assert "style=" not in body and "<script>" not in body
    assert f'href="/episodes/{quarter["a_mar"].pk}"' in body


def test_the_performance_page_lists_the_repeat_missing_children_a_page_at_a_time(
    web: Client, quarter: dict[str, Any], monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(reports_views, "REPEAT_PAGE", 1)
    # The two repeat-missing children, in the order the report gives them: b's, then a's.
    b, a = quarter["b_with_a"], quarter["a_mar"]
    first = web.get("/reports/performance", PERIOD)
    body = first.content.decode()
    assert [row[1] for row in _table(body, "table-repeat")[1:]] == [f"Episode {b.pk}"]
    assert "Page 1 of 2 (2 children)" in text(first)
    assert _viewed("performance_report") == {b.child_id}
    link = re.search(r'href="\?([^"]*page=2)"', body)
    assert link, "Next"
    second = web.get(f"/reports/performance?{html.unescape(link.group(1))}")
    assert [row[1] for row in _table(second.content.decode(), "table-repeat")[1:]] == [f"Episode {a.pk}"]
    # The period asked for is kept: the counts are the same.
    assert _table(second.content.decode(), "table-episodes")[1:] == _table(body, "table-episodes")[1:]
    assert _viewed("performance_report") == {b.child_id, a.child_id}


def test_a_period_that_ends_before_it_starts_is_an_error(web: Client) -> None:
    response = web.get("/reports/performance", {**PERIOD, "from_date_year": "2026"})
    assert 'href="#id_from_date_day">The start of the period must be on or before its end' in response.content.decode()


def test_the_patterns_page_shows_factors_places_and_the_network(web: Client, quarter: dict[str, Any]) -> None:
    response = web.get("/reports/patterns", PERIOD)
    assert response.status_code == 200
    body = response.content.decode()
    push = _table(body, "table-push")
    assert push[1][1:5] == ["1", "0", "0", "1"]
    places = {row[0]: row[1:4] for row in _table(body, "table-places")[1:]}
    assert places["Northampton bus station"] == ["2", "0", "1"]
    assert places["Abington Park"] == ["0", "2", "2"]
    edges = _table(body, "table-edges")[1:]
    assert len(edges) == 2
    assert any("abington park" in row[1] for row in edges)
    assert any(row[2] == "kyle" for row in edges)
    for name in ("a_feb", "b_with_a"):
        assert f'href="/episodes/{quarter[name].pk}"' in body
    # The network: three children on a circle, two lines, and a text alternative.
    network = body[body.index('aria-labelledby="chart-network-title'):]
    network = network[:network.index("</svg>")]
    assert network.count("<circle") == 3 and network.count("<line") == 2
    assert "3 children and 2 links" in network
    assert "style=" not in body


def _viewed(object_type: str) -> set[int]:
    """The children a report page named in the audit log, one entry each (ADR 0009)."""
    return set(AuditEntry.objects.filter(object_type=object_type, action="view", child__isnull=False)
               .values_list("child_id", flat=True))


def test_the_weekly_page_shows_the_first_rows_of_each_list_and_the_rest_a_page_at_a_time(
    web: Client, week: dict[str, Any], monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(reports_views, "WEEKLY_SHOWN", 1)
    monkeypatch.setattr(reports_views, "WEEKLY_PAGE", 1)
    response = web.get("/reports/weekly", WEEKLY_QUERY)
    body, page = response.content.decode(), text(response)
    assert "Missing now (2)" in page and "The first 1 of 2. See all 2 in missing now" in page
    assert f'href="/episodes/{week["open_long"].pk}"' in body
    assert f'href="/episodes/{week["open_high"].pk}"' not in body
    # The children named on the page are audited, and no other: the first of each list.
    shown = {week[name].child_id for name in ("open_long", "long_found", "high_found", "returned_recent",
                                              "before_window")}
    assert _viewed("weekly_report") == shown
    link = re.search(r'href="\?([^"]*section=missing_now)"', body)
    assert link, "See all"
    second = web.get(f"/reports/weekly?{html.unescape(link.group(1))}&page=2")
    body = second.content.decode()
    assert "Missing now (2)" in text(second) and "Page 2 of 2" in text(second)
    assert f'href="/episodes/{week["open_high"].pk}"' in body and "Return interviews overdue" not in body
    assert week["open_high"].child_id in _viewed("weekly_report")


def test_the_patterns_page_shows_the_strongest_links_and_the_places_named_most(
    web: Client, quarter: dict[str, Any], monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(reports_views, "PATTERN_EDGES", 1)
    monkeypatch.setattr(reports_views, "PATTERN_PLACES", 1)
    monkeypatch.setattr(reports_views, "PATTERN_LINKS", 1)
    response = web.get("/reports/patterns", PERIOD)
    body, page = response.content.decode(), text(response)
    a, b, c = (quarter[k].child_id for k in ("a_jan", "b_feb", "c_mar"))
    assert len(_table(body, "table-edges")[1:]) == 1
    assert "The 1 strongest of 2 links" in page and "show the 1 strongest links" in page
    places = _table(body, "table-places")[1:]
    assert [row[0] for row in places] == ["Abington Park"] and places[0][4].endswith("and 1 more")
    assert "The 1 named most often of 3." in page
    network = body[body.index('aria-labelledby="chart-network-title'):]
    network = network[:network.index("</svg>")]
    assert network.count("<circle") == 2 and network.count("<line") == 1
    # Named on the page, so audited: the children of the link shown and of the episodes linked;
    # c, linked to a only by the link not shown, is not named.
    assert _viewed("patterns_report") == {a, b} and c not in _viewed("patterns_report")


def test_a_clean_ssda903_year_offers_the_download_audited_once(web: Client, data: dict[str, Any]) -> None:
    page = web.get("/reports/statutory", {"year": "2025"})
    assert page.status_code == 200
    assert 'href="/reports/statutory/ssda903-missing.csv?year=2025"' in page.content.decode()
    assert "2 rows" in text(page)
    download = web.get("/reports/statutory/ssda903-missing.csv", {"year": "2025"})
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert download.content.decode().splitlines() == ["CHILD,DOB,MISSING,MIS_START,MIS_END",
                                                      "A1,17/05/2011,M,02/06/2024,03/06/2024",
                                                      "A1,17/05/2011,A,01/09/2024,02/09/2024"]
    entry = AuditEntry.objects.get(action="export", object_type="ssda903_missing")
    assert entry.detail["rows"] == 2 and entry.detail["named"]["children"] == 1
    # And the child the file carries named, with its episodes (issue 14), in a row of their own
    # covered by the entry (ADR 0017).
    named = AuditNamed.objects.get(entry=entry, child=data["child"])
    assert named.records == f"{data['first'].pk},{data['second'].pk}"


def test_a_year_that_breaks_the_rules_lists_the_episodes_to_fix_and_exports_nothing(
    web: Client, data: dict[str, Any], clashing_episode: Any,
) -> None:
    clash = clashing_episode(data["child"], reporting_fixtures.london(2024, 6, 2, 20, 0),
                             reporting_fixtures.london(2024, 6, 5, 8, 0))
    page = web.get("/reports/statutory", {"year": "2025"})
    body = page.content.decode()
    assert "Fix these before the return can be exported" in body
    assert f'href="/episodes/{clash.pk}"' in body
    assert _table(body, "table-problems")[1][1] == "574"
    assert "ssda903-missing.csv" not in body
    refused = web.get("/reports/statutory/ssda903-missing.csv", {"year": "2025"})
    assert refused.status_code == 302
    assert not AuditEntry.objects.filter(action="export").exists()


def test_annex_a_and_ssd_downloads_are_audited(web: Client, data: dict[str, Any]) -> None:
    annex = web.get("/reports/statutory/annex-a-list-8.xlsx",
                    {"as_of_day": "31", "as_of_month": "3", "as_of_year": "2025"})
    assert annex.status_code == 200
    assert 'filename="annex-a-list-8-missing-2025-03-31.xlsx"' in annex["Content-Disposition"]
    ssd = web.get("/reports/statutory/ssd_missing.csv")
    assert ssd.content.decode().splitlines()[1].startswith(f"{data['first'].pk},A1,2024-06-02 00:30:00,M")
    # One entry a file, naming the child it carries in a row of their own (ADR 0017).
    assert sorted(AuditEntry.objects.filter(action="export").values_list("object_type", flat=True)) == \
        ["annex_a_list_8", "ssd_missing"]
    assert not AuditEntry.objects.filter(action="export", child__isnull=False).exists()
    assert sorted(AuditNamed.objects.filter(child=data["child"]).values_list("entry__object_type", "records")) == [
        ("annex_a_list_8", str(data["child"].pk)), ("ssd_missing", f"{data['first'].pk},{data['second'].pk}")]
    wrong = web.get("/reports/statutory/annex-a-list-8.xlsx", {"as_of_day": "31", "as_of_month": "2",
                                                               "as_of_year": "2025"})
    assert wrong.status_code == 400
    assert "must be a real date" in wrong.content.decode()


HEADER = "CHILD,DOB,MISSING,MIS_START,MIS_END\n"


def _upload(content: str, **extra: str) -> dict[str, Any]:
    return {"file": SimpleUploadedFile("missing.csv", content.encode(), content_type="text/csv"),
            "format": "ssda903", **extra}


def test_a_small_file_is_imported_at_once_and_the_result_shown(web: Client, make_child: Any) -> None:
    make_child(external_id="MOS1")
    response = web.post("/reports/import", _upload(HEADER + "MOS1,17/05/2011,M,02/06/2024,03/06/2024\n"),
                        follow=True)
    assert response.status_code == 200
    page = text(response)
    assert "Episodes imported" in page and "1 episode created" in page
    assert Episode.objects.filter(child__external_id="MOS1").count() == 1
    assert "Refresh" not in response


def test_a_dry_run_and_row_errors_write_nothing_and_list_each_row(web: Client, make_child: Any) -> None:
    make_child(external_id="MOS1")
    good = HEADER + "MOS1,17/05/2011,M,02/06/2024,03/06/2024\n"
    dry = web.post("/reports/import", _upload(good, dry_run="yes"), follow=True)
    assert "1 episode would be created" in text(dry)
    bad = web.post("/reports/import", _upload(good + "NOBODY,01/01/2012,M,02/06/2024,03/06/2024\n"), follow=True)
    body = bad.content.decode()
    assert "<title>Error: " in body and 'class="govuk-error-summary"' in body
    assert _table(body, "table-errors")[1] == ["Row 3, CHILD", "No child has the case-system id 'NOBODY'."]
    assert not Episode.objects.exists()


def test_a_missing_file_is_an_error_on_the_form(web: Client) -> None:
    body = web.post("/reports/import", {"format": "ssda903"}).content.decode()
    assert 'href="#id_file">Select a CSV file' in body


def test_a_large_file_is_queued_and_its_page_refreshes_itself_until_done(
    web: Client, make_child: Any, settings: Any,
) -> None:
    settings.HOMEWARD_IMPORT_SYNC_ROWS = 1
    make_child(external_id="MOS1")
    content = HEADER + "MOS1,17/05/2011,M,02/06/2024,03/06/2024\nMOS1,17/05/2011,M,02/07/2024,03/07/2024\n"
    response = web.post("/reports/import", _upload(content))
    job = ImportJob.objects.get()
    assert response["Location"] == f"/reports/import/{job.pk}"
    running = web.get(response["Location"])
    assert running["Refresh"] == "3"
    assert "0%" in text(running) and "<script" not in running.content.decode().split("</header>")[1].split(
        '<script type="module"')[0]
    assert "Refresh" not in web.get(response["Location"], {"refresh": "off"})
    from homeward.imports.services import import_jobs_run_pending

    import_jobs_run_pending()
    done = web.get(response["Location"])
    assert ImportJob.objects.get().status == ImportStatus.SUCCEEDED
    assert "Refresh" not in done and "2 episodes created" in text(done)


def test_the_default_period_is_the_twelve_calendar_months_to_today() -> None:
    from datetime import date

    from homeward.web.forms.reports import collection_year_of, default_period

    assert default_period(date(2026, 11, 25)) == (date(2025, 12, 1), date(2026, 11, 25))
    assert default_period(date(2026, 1, 31)) == (date(2025, 2, 1), date(2026, 1, 31))
    assert (collection_year_of(date(2025, 3, 31)), collection_year_of(date(2025, 4, 1))) == (2025, 2026)


def test_chart_geometry() -> None:
    from homeward.web import charts

    assert [charts.nice_top(v) for v in (0, 3, 7, 13, 120.5)] == [(1, 1), (3, 1), (8, 2), (15, 5), (125.0, 25.0)]
    chart = charts.bar_chart(id="c", title="t", description="d", categories=["a", "b"],
                             series=[("x", [2.0, None]), ("y", [1.0, 4.0])])
    assert [(b.label, b.height) for b in chart.bars] == [("a, x: 2", 103.0), ("a, y: 1", 51.5), ("b, y: 4", 206.0)]
    assert all(b.y + b.height == chart.baseline for b in chart.bars)
    network = charts.network_chart(id="n", title="t", description="d", size=400,
                                   nodes=[(1, "AB", ""), (2, "CD", ""), (3, "EF", ""), (4, "GH", "")],
                                   edges=[(1, 3, 1), (2, 9, 1)])
    # Four children on a circle of radius 160 about (200, 200), the first at the top; the
    # link to a child not drawn is left out.
    assert [(n.x, n.y) for n in network.nodes] == [(200.0, 40.0), (360.0, 200.0), (200.0, 360.0), (40.0, 200.0)]
    assert [(e.x1, e.y1, e.x2, e.y2) for e in network.edges] == [(200.0, 40.0, 200.0, 360.0)]


def test_a_team_manager_reads_and_exports_but_may_not_import(client_for: Any, make_user: Any) -> None:
    manager = client_for(make_user("team_manager", team="Children in Care North"))
    index = manager.get("/reports").content.decode()
    assert 'href="/reports/statutory"' in index and 'href="/reports/import"' not in index
    assert manager.get("/reports/statutory").status_code == 200
    assert manager.get("/reports/import").status_code == 403


def test_a_failed_import_page_shows_the_first_problems_and_offers_them_all_as_csv(web: Client) -> None:
    """Issue 14, item 11: 300,000 bad rows once made a page of 66 MB."""
    rows = "".join(f"NOBODY{n},17/05/2011,M,02/06/2024,03/06/2024\n" for n in range(450))
    response = web.post("/reports/import", _upload(HEADER + rows))
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.FAILED and len(job.errors) == 450
    page = web.get(response["Location"])
    body = page.content.decode()
    assert "450 problems in the file" in text(page)
    assert "The first 100 of 450 problems" in text(page)
    assert body.count("NOBODY") <= 100
    assert f'href="/reports/import/{job.pk}/problems.csv"' in body
    csv_file = web.get(f"/reports/import/{job.pk}/problems.csv")
    assert csv_file["Content-Type"].startswith("text/csv")
    lines = csv_file.content.decode().splitlines()
    assert lines[0] == "kind,where,problem" and len(lines) == 451


def test_a_short_list_of_problems_is_shown_whole_without_a_download(web: Client) -> None:
    response = web.post("/reports/import", _upload(HEADER + "NOBODY,17/05/2011,M,02/06/2024,03/06/2024\n"))
    body = web.get(response["Location"]).content.decode()
    assert "problems.csv" not in body and "See every problem" in body
