"""The report pages through Django's test client, on the reporting tests' hand-worked data:
the figures shown, the downloads (audited once), who may see them, the import."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from homeward.audit.models import AuditEntry
from homeward.reporting.tests import conftest as reporting_fixtures
from homeward.reporting.tests import test_performance_and_patterns as quarter_data
from homeward.reporting.tests import test_weekly as week_data

pytestmark = pytest.mark.django_db

# The reporting tests' fixtures: episodes recorded through the services at known instants.
episode = reporting_fixtures.episode
week = week_data.week
quarter = quarter_data.quarter


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
    entry = AuditEntry.objects.get(action="export", object_type="weekly_report")
    assert entry.user_id == coordinator.pk
    assert week["open_long"].pk in entry.detail["episodes"]


def test_a_wrong_date_shows_the_error_summary(web: Client) -> None:
    response = web.get("/reports/weekly", {**WEEKLY_QUERY, "as_of_month": "13"})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'class="govuk-error-summary"' in body
    assert 'href="#id_as_of_day">As of must be a real date' in body


@pytest.mark.parametrize("path", ["/reports", "/reports/weekly", "/reports/weekly.pdf", "/reports/performance",
                                  "/reports/patterns", "/reports/statutory", "/reports/statutory/ssd_missing.csv",
                                  "/reports/statutory/ssda903-missing.csv?year=2025",
                                  "/reports/statutory/annex-a-list-8.xlsx", "/reports/import"])
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
    return [[re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", cell)).strip()
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


def test_a_period_that_ends_before_it_starts_is_an_error(web: Client) -> None:
    response = web.get("/reports/performance", {**PERIOD, "from_date_year": "2026"})
    assert 'href="#id_from_date_day">The start of the period must be on or before its end' in response.content.decode()
