"""The report pages in the browser: each one checked with axe-core (WCAG 2.2 AA, zero
violations) and kept as a screenshot; the charts are inline SVG with a text alternative;
an import uploaded through the page."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from homeward.casework.episodes import episode_record_found, episode_report
from homeward.children.services import PlacementInput, child_create
from homeward.web.forms.reports import collection_year_of

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def recorded(demo_people: Any) -> dict[str, Any]:
    """Two children missing together from the same bus station ten days ago; one missing now."""
    coordinator = demo_people["coordinator"]
    now = timezone.now()
    children = [
        child_create(actor=coordinator, external_id=ref, given_name=given, family_name=family,
                     date_of_birth=date(2011, 5, 17), sex=sex, legal_status="looked_after",
                     responsible_authority="941", placement=PlacementInput(authority=area, provider="Hill House"),
                     team="Children in Care North")
        for ref, given, family, sex, area in [("MOS5001", "Ella", "Morgan", "female", "855"),
                                              ("MOS5002", "Sam", "Reid", "male", "941")]
    ]
    since = now - timedelta(days=10)
    episodes = []
    for child, found_location in zip(children, ("Bus station", "the bus station."), strict=True):
        episode = episode_report(actor=coordinator, child=child, reported_at=since + timedelta(hours=1),
                                 reported_by="placement_provider", last_seen_at=since, classification="missing",
                                 location_last_seen="Northampton bus station", risk_level="medium").episode
        episode_record_found(actor=coordinator, episode=episode, found_at=since + timedelta(hours=30),
                             found_location=found_location)
        episodes.append(episode)
    open_episode = episode_report(actor=coordinator, child=children[0], reported_at=now - timedelta(hours=2),
                                  reported_by="placement_provider", last_seen_at=now - timedelta(hours=3),
                                  classification="missing", risk_level="high").episode
    return {"children": children, "episodes": episodes, "open": open_episode}


def test_every_report_page_passes_axe_and_shows_its_figures(visit: Any, recorded: dict[str, Any]) -> None:
    tab = visit()
    page = tab.page
    tab.sign_in("coordinator")
    page.get_by_role("heading", name="Your work").wait_for()
    page.get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", name="Reports", level=1)).to_be_visible()
    tab.check("reports")

    page.get_by_role("link", name="Weekly report").click()
    expect(page.get_by_role("heading", name="Missing now (1)")).to_be_visible()
    expect(page.get_by_role("heading", name="High risk (1)")).to_be_visible()
    expect(page.get_by_role("link", name="Ella Morgan").first).to_have_attribute(
        "href", f"/episodes/{recorded['open'].pk}")
    tab.check("weekly report")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    assert download.value.suggested_filename.startswith("weekly-report-")

    tab.goto("/reports/performance")
    expect(page.locator("#total-episodes")).to_have_text("3")
    expect(page.locator("#total-children")).to_have_text("2")
    charts = page.get_by_role("img")
    assert charts.count() >= 8
    expect(page.get_by_role("img", name="Episodes and children missing each month")).to_be_visible()
    # Each duty of the protocol in a row: done in time or late, missed, not done, outstanding.
    duties = page.locator("#table-duties")
    expect(duties.get_by_role("columnheader", name="Missed")).to_be_visible()
    expect(duties.get_by_role("rowheader", name="Obtain the daily update from the carer")).to_be_visible()
    tab.check("performance")

    tab.goto("/reports/patterns")
    expect(page.locator("#table-places")).to_contain_text("Northampton bus station")
    network = page.get_by_role("img", name="Children linked by going missing together")
    expect(network).to_be_visible()
    assert network.locator("circle").count() == 2
    expect(page.locator("#table-edges")).to_contain_text("EM")
    expect(page.locator("#table-edges")).to_contain_text("SR")
    tab.check("patterns")

    tab.goto("/reports/statutory")
    expect(page.get_by_role("heading", name="SSDA903 Missing table")).to_be_visible()
    year = collection_year_of(timezone.localdate())
    with page.expect_download() as download:
        page.get_by_role("link", name="Download ssd_missing (CSV)").click()
    assert download.value.suggested_filename == "ssd_missing.csv"
    tab.check("statutory returns")
    assert page.get_by_label("Collection year").input_value() == str(year)

    assert not getattr(tab, "csp_violations", [])


def test_an_import_through_the_page_shows_its_result(visit: Any, recorded: dict[str, Any]) -> None:
    tab = visit()
    page = tab.page
    tab.sign_in("coordinator")
    page.get_by_role("heading", name="Your work").wait_for()
    tab.goto("/reports/import")
    tab.check("import form")
    page.get_by_role("button", name="Upload and check").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select a CSV file")
    tab.check("import form with an error")
    content = "CHILD,DOB,MISSING,MIS_START,MIS_END\nMOS5002,17/05/2011,M,02/06/2024,03/06/2024\n"
    page.set_input_files("#id_file", files=[{"name": "missing.csv", "mimeType": "text/csv",
                                             "buffer": content.encode()}])
    page.get_by_label("Check the file only, import nothing").check()
    page.get_by_role("button", name="Upload and check").click()
    expect(page.get_by_role("heading", name="The file is ready to import")).to_be_visible()
    tab.check("import checked")
    tab.goto("/reports/import")
    page.set_input_files("#id_file", files=[{"name": "missing.csv", "mimeType": "text/csv",
                                             "buffer": (content + "NOBODY,01/01/2012,M,02/06/2024,03/06/2024\n")
                                             .encode()}])
    page.get_by_role("button", name="Upload and check").click()
    expect(page.locator("#table-errors")).to_contain_text("Row 3, CHILD")
    tab.check("import refused")



def test_a_failed_import_with_many_problems_shows_the_first_and_offers_the_rest(
    visit: Any, recorded: dict[str, Any],
) -> None:
    """Issue 14, item 11: the page is bounded; every problem is a CSV download."""
    tab = visit()
    page = tab.page
    tab.sign_in("coordinator")
    page.get_by_role("heading", name="Your work").wait_for()
    tab.goto("/reports/import")
    rows = "".join(f"NOBODY{n},01/01/2012,M,02/06/2024,03/06/2024\n" for n in range(250))
    page.set_input_files("#id_file", files=[{"name": "missing.csv", "mimeType": "text/csv",
                                             "buffer": ("CHILD,DOB,MISSING,MIS_START,MIS_END\n" + rows).encode()}])
    page.get_by_role("button", name="Upload and check").click()
    expect(page.locator("#errors-shown")).to_contain_text("The first 100 of 250 problems")
    expect(page.locator("#table-errors tbody tr")).to_have_count(100)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download every problem (CSV)").click()
    assert download.value.suggested_filename.endswith("-problems.csv")
    tab.check("import refused, many problems")


def test_a_large_import_shows_its_progress_and_the_page_updates_itself(visit: Any, recorded: dict[str, Any],
                                                                       settings: Any) -> None:
    from homeward.imports.services import import_jobs_run_pending

    settings.HOMEWARD_IMPORT_SYNC_ROWS = 1
    tab = visit(javascript=False)
    page = tab.page
    tab.sign_in("coordinator")
    page.get_by_role("heading", name="Your work").wait_for()
    tab.goto("/reports/import")
    content = ("CHILD,DOB,MISSING,MIS_START,MIS_END\nMOS5002,17/05/2011,M,02/06/2024,03/06/2024\n"
               "MOS5002,17/05/2011,A,02/07/2024,03/07/2024\n")
    page.set_input_files("#id_file", files=[{"name": "missing.csv", "mimeType": "text/csv",
                                             "buffer": content.encode()}])
    page.get_by_role("button", name="Upload and check").click()
    expect(page.get_by_role("heading", name=re.compile(r"Import \d+: queued"))).to_be_visible()
    expect(page.locator("#import-percent")).to_have_text("0%")
    tab.check("import queued")
    # The same page with JavaScript on, for axe-core.
    checked = visit(name="import-queued-axe")
    checked.sign_in("coordinator")
    checked.page.get_by_role("heading", name="Your work").wait_for()
    checked.goto(page.url.removeprefix(checked.base_url))
    expect(checked.page.locator("#import-percent")).to_have_text("0%")
    checked.check("import queued")
    import_jobs_run_pending()
    # No script: the page's Refresh header brings the result within a few seconds.
    expect(page.get_by_role("heading", name="Episodes imported")).to_be_visible(timeout=10_000)
    expect(page.locator("#import-counts")).to_contain_text("2")
    tab.check("import done")


def test_the_performance_page_fits_a_phone(visit: Any, recorded: dict[str, Any]) -> None:
    tab = visit(width=375, height=740)
    page = tab.page
    tab.sign_in("coordinator")
    page.get_by_role("heading", name="Your work").wait_for()
    tab.goto("/reports/performance")
    expect(page.get_by_role("img", name="Episodes and children missing each month")).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    tab.check("phone performance")


@pytest.mark.parametrize("path", ["/reports/weekly", "/reports/patterns", "/reports/statutory"])
def test_the_other_report_pages_fit_a_phone(visit: Any, recorded: dict[str, Any], path: str) -> None:
    """Wide tables scroll in their own box; nothing in them (visually hidden link text
    included) may widen the page."""
    tab = visit(width=375, height=740)
    page = tab.page
    tab.sign_in("coordinator")
    page.get_by_role("heading", name="Your work").wait_for()
    tab.goto(path)
    page.get_by_role("heading", level=1).wait_for()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    tab.check(f"phone {path.rsplit('/', 1)[-1]}")
