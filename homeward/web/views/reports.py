"""Reports (DOMAIN.md section 8, ADR 0005): the weekly report (and its PDF), performance,
patterns, the statutory returns and the import of historical episodes.

The views only read the input and call `homeward.reporting` (and `homeward.imports`); every
figure comes from there. Every download is an export and is audited here, once (the
reporting functions do not audit; the API audits its own answers).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from homeward.accounts.models import User
from homeward.accounts.permissions import Capability, can, require
from homeward.audit.services import audit_list_read, audit_named_read, audit_record
from homeward.children.models import Child
from homeward.children.selectors import child_list_for_user
from homeward.common.errors import DomainValidationError
from homeward.common.text import csv_cell
from homeward.common.timeutil import local_date
from homeward.episodes.models import Episode
from homeward.episodes.selectors import episode_list_for_user
from homeward.imports.models import ImportStatus
from homeward.imports.selectors import import_job_get_for_user
from homeward.imports.services import import_job_create, import_job_run
from homeward.reporting.annex_a import annex_a_problems, annex_a_rows, annex_a_workbook
from homeward.reporting.history import initials
from homeward.reporting.named import episode_children, exported_records
from homeward.reporting.patterns import LINKED_AT_MOST, patterns_shown
from homeward.reporting.performance import Performance, performance
from homeward.reporting.ssd import ssd_missing, ssd_missing_csv, ssd_missing_problems
from homeward.reporting.ssda903 import collection_year, ssda903_missing_export
from homeward.reporting.statements import cycles_uncollected
from homeward.reporting.weekly import RepeatItem, WeeklyItem, WeeklyReport, weekly_report
from homeward.web import charts
from homeward.web.formatting import date_text, datetime_text
from homeward.web.forms.reports import (
    AnnexAForm,
    CollectionYearForm,
    ImportForm,
    PeriodForm,
    WeeklyForm,
    collection_year_of,
)

from .base import apply_domain_errors, page, person

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_IMPORT_BYTES = 50 * 1024 * 1024
IMPORT_REFRESH_SECONDS = 3

WEEKLY_SECTIONS = (
    ("missing_now", "Missing now", "Open at the time of the report."),
    ("over_72_hours", "Missing 72 hours or more", "Open 72 hours or more at some time in the seven days."),
    ("high_risk", "High risk", "Graded high risk while missing at some time in the seven days."),
    ("returned_last_7_days", "Returned in the last 7 days", "Found in the seven days."),
    ("rhi_due", "Return interviews to offer", "The offer of a return interview is due and not yet late."),
    ("rhi_overdue", "Return interviews overdue", "The offer of a return interview is late."),
)


def _attachment(content: str | bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _query_bound(request: HttpRequest, *prefixes: str) -> bool:
    return any(key.startswith(prefixes) for key in request.GET)


def _today() -> date:
    return local_date(timezone.now())


# Reports home --------------------------------------------------------------------------------


@page
def reports_index(request: HttpRequest) -> HttpResponse:
    user = person(request)
    require(user, Capability.REPORT_READ)
    return render(request, "web/reports/index.html", {
        "can_export": can(user, Capability.STATUTORY_EXPORT), "can_import": can(user, Capability.IMPORT),
    })


# Weekly report ------------------------------------------------------------------------------


@dataclass(frozen=True)
class WeeklyRow:
    episode: int
    child: Child | None
    missing_since: datetime
    found_at: datetime | None
    risk_level: str


def _episodes_by_id(user: User, ids: set[int]) -> dict[int, Episode]:
    out: dict[int, Episode] = {}
    wanted = sorted(ids)
    for start in range(0, len(wanted), 10_000):  # SQLite allows 32,766 parameters a statement
        out.update((e.pk, e) for e in episode_list_for_user(user).filter(pk__in=wanted[start:start + 10_000])
                   .select_related("child"))
    return out


# The report page lists the first WEEKLY_SHOWN of each list, with its count; the rest are a
# page away ("See all"), WEEKLY_PAGE at a time, so that a national service's thousands of live
# episodes never make one page of megabytes (issue 11). The PDF lists everything.
WEEKLY_SHOWN = 50
WEEKLY_PAGE = 100
REPEAT = "repeat_missing_children"


def _weekly_context(user: User, as_of: datetime | None, *, shown: int | None = None, section: str = "",
                    page_number: str | None = None) -> dict[str, Any]:
    """What the report page (or, with `shown` None, the PDF) shows: every list cut to its first
    `shown` rows, or the one list `section`, a page at a time. `named` pairs each episode shown
    with its child, for the audit log: the page names only the children it shows."""
    report: WeeklyReport = weekly_report(user, as_of=as_of)
    lists: dict[str, list[Any]] = {name: getattr(report, name) for name, _, _ in WEEKLY_SECTIONS}
    lists[REPEAT] = report.repeat_missing_children
    entries = None
    if section:
        entries = Paginator(lists[section], WEEKLY_PAGE).get_page(page_number)
        visible = {section: list(entries)}
    else:
        visible = {name: items if shown is None else items[:shown] for name, items in lists.items()}
    repeats: list[RepeatItem] = visible.get(REPEAT, [])
    ids = {i.episode for name, items in visible.items() if name != REPEAT for i in items}
    ids |= {pk for r in repeats for pk in r.episodes}
    episodes = _episodes_by_id(user, ids)

    def row(item: WeeklyItem) -> WeeklyRow:
        episode = episodes.get(item.episode)
        return WeeklyRow(episode=item.episode, child=episode.child if episode else None,
                         missing_since=item.missing_since, found_at=item.found_at, risk_level=item.risk_level)

    sections = [
        {"key": name, "heading": heading, "description": description,
         "rows": [row(i) for i in visible[name]], "count": report.counts[name],
         "more": not section and report.counts[name] > len(visible[name])}
        for name, heading, description in WEEKLY_SECTIONS if name in visible
    ]
    repeat = [
        {"child": episodes[r.episodes[0]].child if r.episodes and r.episodes[0] in episodes else None,
         "episodes": [(pk, episodes[pk].missing_since if pk in episodes else None) for pk in r.episodes]}
        for r in repeats
    ]
    named = sorted({(i.episode, i.child) for name, items in visible.items() if name != REPEAT for i in items}
                   | {(pk, r.child) for r in repeats for pk in r.episodes})
    return {"report": report, "sections": sections, "repeat": repeat, "show_repeat": REPEAT in visible,
            "repeat_count": report.counts[REPEAT], "repeat_more": not section and report.counts[REPEAT] > len(repeats),
            "episode_ids": sorted(ids), "named": named, "section": section, "entries": entries, "shown": shown}


def _weekly_as_of(request: HttpRequest) -> tuple[WeeklyForm, datetime | None]:
    """The form and the instant asked for (None: now)."""
    form = WeeklyForm(data=request.GET) if _query_bound(request, "as_of") else WeeklyForm()
    as_of = None
    if form.is_bound and form.is_valid() and form.cleaned_data["as_of"]:
        as_of = form.cleaned_data["as_of"]
    return form, as_of


@page
def weekly(request: HttpRequest) -> HttpResponse:
    user = person(request)
    require(user, Capability.REPORT_READ)
    form, as_of = _weekly_as_of(request)
    section = request.GET.get("section", "")
    if section and section not in {name for name, _, _ in WEEKLY_SECTIONS} | {REPEAT}:
        section = ""
    context = _weekly_context(user, as_of, shown=WEEKLY_SHOWN, section=section, page_number=request.GET.get("page"))
    as_of = context["report"].as_of
    audit_list_read(actor=user, object_type="weekly_report", rows=context["named"],
                    query={"as_of": as_of.isoformat(), **({"section": section} if section else {})})
    asked = request.GET.copy()
    for name in ("section", "page"):
        asked.pop(name, None)
    as_of_query = asked.urlencode() if form.is_bound and form.is_valid() else ""
    context.update({"form": form, "pdf_query": as_of_query, "as_of_query": as_of_query,
                    "query": "&".join(q for q in (as_of_query, f"section={section}" if section else "") if q)})
    return render(request, "web/reports/weekly.html", context)


@page
def weekly_pdf(request: HttpRequest) -> HttpResponse:
    """The same report as a PDF (WeasyPrint, as the Philomena profile); audited as an export."""
    from weasyprint import CSS, HTML

    user = person(request)
    require(user, Capability.REPORT_READ)
    form, as_of = _weekly_as_of(request)
    if form.is_bound and not form.is_valid():
        return redirect(f"{reverse('web:reports_weekly')}?{request.GET.urlencode()}")
    context = _weekly_context(user, as_of)
    as_of = context["report"].as_of
    context["printed_at"] = timezone.now()
    html = render_to_string("web/reports/weekly_pdf.html", context, request=request)
    stylesheet = finders.find("homeward/report-pdf.css")
    pdf = HTML(string=html).write_pdf(stylesheets=[CSS(filename=str(stylesheet))])
    audit_record(actor=user, action="export", object_type="weekly_report", object_id=as_of.isoformat(),
                 detail={"format": "pdf", "episodes": context["episode_ids"]})
    # And each child it names, so that "who looked at this child" finds the download too.
    audit_list_read(actor=user, action="export", object_type="weekly_report", rows=context["named"],
                    query={"as_of": as_of.isoformat(), "format": "pdf"})
    return _attachment(pdf, "application/pdf", f"weekly-report-{local_date(as_of).isoformat()}.pdf")


# Performance --------------------------------------------------------------------------------


def _period(request: HttpRequest) -> tuple[PeriodForm, date, date]:
    form = PeriodForm(data=request.GET) if _query_bound(request, "from_date", "to_date") else PeriodForm()
    first, last = form.period(_today())
    return form, first, last


def _performance_charts(figures: Performance) -> dict[str, Any]:
    months = [charts.month_label(m) for m in figures.months]
    period = f"{date_text(figures.first)} to {date_text(figures.last)}"
    rhi = figures.rhi_by_month
    cohort_charts = []
    for dimension, heading in (("legal_status", "Legal status"), ("placement", "Placement in or out of area"),
                               ("age_band", "Age"), ("sex", "Sex")):
        series = figures.cohorts.get(dimension, [])
        rows = [(s.label, float(sum(s.episodes))) for s in series]
        cohort_charts.append({
            "dimension": dimension, "heading": heading, "series": series,
            "rows": [(s.label, list(zip(s.episodes, s.children, strict=True)), sum(s.episodes)) for s in series],
            "chart": charts.hbar_chart(
                id=f"chart-cohort-{dimension}", title=f"Episodes by {heading.lower()}, {period}",
                description=", ".join(f"{label}: {int(value)}" for label, value in rows) or "No episodes.",
                rows=rows),
        })
    return {
        "month_labels": months,
        "episodes_chart": charts.bar_chart(
            id="chart-episodes", title=f"Episodes and children missing each month, {period}",
            description="; ".join(f"{m}: {e} episodes, {c} children" for m, e, c in
                                  zip(months, figures.episodes_by_month, figures.children_by_month, strict=True)),
            categories=months, series=[("Episodes", list(map(float, figures.episodes_by_month))),
                                       ("Children", list(map(float, figures.children_by_month)))]),
        "rhi_chart": charts.bar_chart(
            id="chart-rhi", title=f"Return interviews owed, offered in time and accepted, by month of return, {period}",
            description="; ".join(f"{m}: {r.owed} owed, {r.offered_in_time} offered in time, {r.accepted} accepted"
                                  for m, r in zip(months, rhi, strict=True)),
            categories=months, series=[("Owed", [float(r.owed) for r in rhi]),
                                       ("Offered in time", [float(r.offered_in_time) for r in rhi]),
                                       ("Accepted", [float(r.accepted) for r in rhi])]),
        "median_chart": charts.bar_chart(
            id="chart-median", title=f"Median hours from return to the offer of an interview, {period}",
            description="; ".join(f"{m}: {r.median_hours_to_offer if r.median_hours_to_offer is not None else 'none'}"
                                  for m, r in zip(months, rhi, strict=True)),
            categories=months, series=[("Median hours", [r.median_hours_to_offer for r in rhi])]),
        "cohort_charts": cohort_charts,
        "repeat_chart": charts.bar_chart(
            id="chart-repeat", title=f"Repeat-missing children each month, {period}",
            description="; ".join(f"{m}: {n}" for m, n in zip(months, figures.repeat_children_by_month, strict=True)),
            categories=months, series=[("Children", list(map(float, figures.repeat_children_by_month)))]),
        "hours_chart": charts.bar_chart(
            id="chart-hours", title=f"How long children were missing, episodes ending, {period}",
            description="; ".join(f"{b.label}: {b.count}" for b in figures.hours_missing),
            categories=[b.label for b in figures.hours_missing],
            series=[("Episodes", [float(b.count) for b in figures.hours_missing])]),
    }


# The performance page's table of repeat-missing children, a page at a time.
REPEAT_PAGE = 50


def _children(user: User, episode_ids: set[int]) -> dict[int, Child]:
    return {e.child_id: e.child for e in _episodes_by_id(user, episode_ids).values()}


@page
def performance_page(request: HttpRequest) -> HttpResponse:
    user = person(request)
    require(user, Capability.REPORT_READ)
    form, first, last = _period(request)
    # The page shows counts: it asks for no lists of the episodes behind them.
    figures = performance(user, first=first, last=last, listing=False)
    # The repeat-missing children a page at a time (a national service's year has tens of
    # thousands): the page names only those it shows (with their episodes); the rest are counts.
    entries = Paginator(figures.repeat_children, REPEAT_PAGE).get_page(request.GET.get("page"))
    shown = list(entries)
    children = _children(user, {pk for r in shown for pk in r.episodes})
    audit_list_read(actor=user, object_type="performance_report",
                    rows=[(pk, r.child) for r in shown for pk in r.episodes],
                    query={"from": first.isoformat(), "to": last.isoformat(),
                           **({"page": entries.number} if entries.number > 1 else {})})
    asked = request.GET.copy()
    asked.pop("page", None)
    context: dict[str, Any] = {"form": form, "figures": figures, "first": first, "last": last,
                               "rhi_rows": list(zip([charts.month_label(m) for m in figures.months],
                                                    figures.rhi_by_month, strict=True)),
                               "month_rows": list(zip([charts.month_label(m) for m in figures.months],
                                                      figures.episodes_by_month, figures.children_by_month,
                                                      figures.repeat_children_by_month, strict=True)),
                               "repeat_children": [(children.get(r.child), r.episodes) for r in shown],
                               "entries": entries, "query": asked.urlencode()}
    context.update(_performance_charts(figures))
    return render(request, "web/reports/performance.html", context)


# Patterns -----------------------------------------------------------------------------------


# The patterns page shows the strongest PATTERN_EDGES links (the picture and its table), the
# PATTERN_PLACES places named most often, and at most PATTERN_LINKS episode links in a cell,
# each with its count, so that a national service's year of episodes makes a page of a few
# hundred rows rather than hundreds of thousands of links (issue 11): only those are built
# (`patterns_shown`), with how many there are in all; the API answers in full.
PATTERN_EDGES = 200
PATTERN_PLACES = 100
PATTERN_LINKS = 20
PATTERN_SHARED = 50


def _path_to(name: str) -> str:
    """The path of the page `name` of one record, less the record's id: the patterns page links
    a few thousand episodes and children (5,330 at 100k episodes), and reversing the URL for
    each was most of drawing those links (issue 11)."""
    sentinel = "987654321"
    path = reverse(name, args=[int(sentinel)])
    if not path.endswith(sentinel):
        raise ValueError(f"{name}'s path does not end with the record's id: {path}")
    return path.removesuffix(sentinel)


def _links(episodes: list[int], total: int | None = None) -> dict[str, Any]:
    """The first PATTERN_LINKS episodes and how many more (of `total`, when only the first were read)."""
    count = len(episodes) if total is None else total
    return {"shown": episodes[:PATTERN_LINKS], "more": max(count - PATTERN_LINKS, 0)}


@page
@cycles_uncollected()  # the whole request: the report's objects are freed before it collects
def patterns_page(request: HttpRequest) -> HttpResponse:
    user = person(request)
    require(user, Capability.REPORT_READ)
    form, first, last = _period(request)
    report = patterns_shown(user, first=first, last=last, edges=PATTERN_EDGES, places=PATTERN_PLACES,
                            shared=PATTERN_SHARED, listed=PATTERN_LINKS)
    found = report.found
    period = f"{date_text(first)} to {date_text(last)}"
    months = [charts.month_label(m) for m in found.months]
    # The strongest links and their children only.
    shown_edges = found.edges
    nodes = {n.child: n for n in found.nodes}
    factor_charts: list[dict[str, Any]] = []
    for kind, heading, source in (("push", "Push factors", "return interviews"),
                                  ("pull", "Pull factors", "return interviews"),
                                  ("risk", "Immediate risks", "children's services' risk analyses")):
        trends = [f for f in found.factors if f.kind == kind]
        factor_charts.append({
            "kind": kind, "heading": heading, "source": source,
            "trends": [{"trend": t, "links": _links(t.episodes, t.total)} for t in trends],
            "chart": charts.hbar_chart(
                id=f"chart-{kind}", title=f"{heading} named in {source}, {period}",
                description=", ".join(f"{t.label}: {t.total}" for t in trends) or "None recorded.",
                rows=[(t.label, float(t.total)) for t in trends]),
        })
    # Each place with its first episodes: how many episodes and children in all, counted apart.
    places: list[dict[str, Any]] = [{"place": p, "links": _links(p.episodes, report.place_sizes[p.key][0]),
                                     "children": report.place_sizes[p.key][1]} for p in found.places]
    cut = report.edges > len(shown_edges)
    network = charts.network_chart(
        id="chart-network", title=f"Children linked by going missing together or by shared associates, {period}",
        description=(f"{report.nodes} children and {report.edges} links; "
                     + (f"the picture and the table after it show the {len(shown_edges)} strongest links."
                        if cut else "the table after the picture lists every link.")),
        nodes=[(n.child, n.initials, reverse("web:child", args=[n.child])) for n in nodes.values()],
        edges=[(e.source, e.target, e.weight) for e in shown_edges])
    edges = [{"source": nodes.get(e.source), "target": nodes.get(e.target), "edge": e} for e in shown_edges]
    shared_entries = report.shared
    wanted = [c for entry in shared_entries for c in entry.children[:PATTERN_LINKS]]
    # By initials, as the picture of the network names them.
    letters = {child.pk: initials(child.given_name, child.family_name) for child in _children_by_pk(user, wanted)}
    shared = [{"entry": entry, "children": [(c, letters.get(c, "Child")) for c in entry.children[:PATTERN_LINKS]],
               "more": max(entry.named_by - PATTERN_LINKS, 0)} for entry in shared_entries]
    # The page links each episode it shows and each child of the network it draws.
    shown = {pk for group in factor_charts for t in group["trends"] for pk in t["links"]["shown"]}
    shown |= {pk for p in places for pk in p["links"]["shown"]}
    shown |= {pk for e in shown_edges for pk in e.episodes} | {pk for n in nodes.values() for pk in n.episodes}
    shown |= {pk for entry in shared_entries for pk in entry.episodes[:PATTERN_LINKS]}
    audit_list_read(actor=user, object_type="patterns_report", rows=episode_children(user, shown),
                    query={"from": first.isoformat(), "to": last.isoformat()})
    return render(request, "web/reports/patterns.html", {
        "form": form, "first": first, "last": last, "found": found, "month_labels": months,
        "factor_charts": factor_charts, "network": network, "edges": edges, "places": places,
        "places_cut": report.places > len(places), "places_count": report.places, "edges_cut": cut,
        "edges_count": report.edges, "shared": shared, "shared_cut": report.shared_count > len(shared_entries),
        "shared_count": report.shared_count,
        "linked_at_most": LINKED_AT_MOST,
        "episode_path": _path_to("web:episode"), "child_path": _path_to("web:child"),
        "consultations": found.consultations,
        "consultation_chart": charts.hbar_chart(
            id="chart-consultations", title=f"Consultations and referrals considered, {period}",
            description=", ".join(f"{c.label}: {c.considered}" for c in found.consultations),
            rows=[(c.label, float(c.considered)) for c in found.consultations]),
    })


# Statutory returns --------------------------------------------------------------------------


def _year(request: HttpRequest) -> tuple[CollectionYearForm, int]:
    today = _today()
    form = CollectionYearForm(data=request.GET, today=today) if "year" in request.GET else CollectionYearForm(
        today=today, initial={"year": collection_year_of(today)})
    year = form.cleaned_data["year"] if form.is_bound and form.is_valid() else collection_year_of(today)
    return form, year


@page
def statutory(request: HttpRequest) -> HttpResponse:
    user = person(request)
    require(user, Capability.STATUTORY_EXPORT)
    form, year = _year(request)
    # The table as the download would export it: its number of rows and its problems.
    table = ssda903_missing_export(user, year=year)
    first, last = collection_year(year)
    annex_form = AnnexAForm()
    children = _children(user, {p.episode for p in table.problems})
    # The page says only whether the SSD table can be exported: its problems, not its rows.
    ssd_problems = ssd_missing_problems(user)
    return render(request, "web/reports/statutory.html", {
        "form": form, "year": year, "year_first": first, "year_last": last, "table": table,
        "problems": [(p, children.get(p.child)) for p in table.problems], "annex_form": annex_form,
        "ssd_problems": ssd_problems,
        "ssd_children_without_id": _children_by_pk(user, [p.child for p in ssd_problems]),
    })


def _children_by_pk(user: User, child_ids: list[int]) -> list[Child]:
    """Children listed for fixing, through the access choke point."""
    return list(child_list_for_user(user).filter(pk__in=child_ids).order_by("family_name", "given_name", "pk"))


@page
def statutory_ssda903(request: HttpRequest) -> HttpResponse:
    user = person(request)
    require(user, Capability.STATUTORY_EXPORT)
    _, year = _year(request)
    # One entry for the file, naming each child it carries in a row of their own (ADR 0017),
    # written beside the export and kept only when the file is clean.
    table = ssda903_missing_export(user, year=year, audit=lambda exported: audit_named_read(
        actor=user, action="export", object_type="ssda903_missing", object_id=str(year), query={"year": year},
        detail={"rows": exported.rows}, rows=exported.named, rows_sql=exported.named_sql))
    if not table.clean:
        # Never a file that breaks the DfE rules: back to the page, which lists what to fix.
        return redirect(f"{reverse('web:reports_statutory')}?year={year}")
    return _attachment(table.csv, "text/csv; charset=utf-8", f"ssda903-missing-{year}.csv")


@page
def statutory_annex_a(request: HttpRequest) -> HttpResponse:
    user = person(request)
    require(user, Capability.STATUTORY_EXPORT)
    form = AnnexAForm(data=request.GET) if _query_bound(request, "as_of") else AnnexAForm()
    if form.is_bound and not form.is_valid():
        return render(request, "web/reports/annex_a_error.html", {"form": form}, status=400)
    as_of = (form.cleaned_data.get("as_of") if form.is_bound else None) or _today()
    rows = annex_a_rows(user, as_of=as_of)
    missing_ids = annex_a_problems(rows)
    if missing_ids:
        # Never a row without the child's id: the page lists the children to fix.
        return render(request, "web/reports/annex_a_error.html", {
            "form": form, "as_of": as_of,
            "children_without_id": _children_by_pk(user, [p.child for p in missing_ids]),
        }, status=400)
    # One entry for the workbook, naming each child it carries in a row of their own (ADR 0017).
    audit_named_read(actor=user, action="export", object_type="annex_a_list_8", object_id=as_of.isoformat(),
                     query={"as_of": as_of.isoformat()}, detail={"rows": len(rows)},
                     rows=exported_records(annex_a=rows))
    return _attachment(annex_a_workbook(rows, as_of=as_of), XLSX, f"annex-a-list-8-missing-{as_of}.xlsx")


@page
def statutory_ssd(request: HttpRequest) -> HttpResponse:
    user = person(request)
    require(user, Capability.STATUTORY_EXPORT)
    table = ssd_missing(user)
    if not table.clean:
        return redirect(f"{reverse('web:reports_statutory')}#ssd")
    rows = table.rows
    # One entry for the file, naming each child it carries in a row of their own with their
    # episodes (ADR 0017).
    audit_named_read(actor=user, action="export", object_type="ssd_missing", query={}, detail={"rows": len(rows)},
                     rows=exported_records(ssd=table))
    return _attachment(ssd_missing_csv(rows), "text/csv; charset=utf-8", "ssd_missing.csv")


# Import -------------------------------------------------------------------------------------


@page
def import_upload(request: HttpRequest) -> HttpResponse:
    user = person(request)
    require(user, Capability.IMPORT)
    form = ImportForm(data=request.POST, files=request.FILES) if request.method == "POST" else ImportForm()
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = None
        if upload.size > MAX_IMPORT_BYTES:
            form.add_error("file", "The selected file must be smaller than 50 MB: split it")
        else:
            try:
                content = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                form.add_error("file", "The selected file must be a CSV file saved as UTF-8")
        if content is not None:
            try:
                job = import_job_create(actor=user, content=content, fmt=form.cleaned_data["format"],
                                        filename=upload.name or "", dry_run=form.cleaned_data["dry_run"])
            except DomainValidationError as exc:
                apply_domain_errors(form, exc, {})
            else:
                rows = max(content.count("\n") - 1, 0)
                if rows <= getattr(settings, "HOMEWARD_IMPORT_SYNC_ROWS", 1000):
                    import_job_run(job)
                return redirect("web:reports_import_job", job_id=job.pk)
    return render(request, "web/reports/import.html", {"form": form})


_ROW_FIELD = re.compile(r"^rows\[(\d+)\](?:\.(.+))?$")


def _where(field: str) -> str:
    """'rows[3].MIS_END' -> 'Row 3, MIS_END', as a spreadsheet shows the file."""
    match = _ROW_FIELD.match(field)
    if not match:
        return "The file" if field in ("", "file") else field
    return f"Row {match.group(1)}" + (f", {match.group(2)}" if match.group(2) else "")


RUNNING = (ImportStatus.QUEUED, ImportStatus.CHECKING, ImportStatus.WRITING)
IMPORT_PROBLEMS_SHOWN = 100


@page
def import_job(request: HttpRequest, job_id: int) -> HttpResponse:
    job = import_job_get_for_user(person(request), job_id)
    running = job.status in RUNNING
    refresh = running and request.GET.get("refresh") != "off"
    # A file of 300,000 bad rows made a page of 66 MB (issue 14, item 11): the page shows the
    # first IMPORT_PROBLEMS_SHOWN of each list with the count; the rest are downloaded as CSV
    # (`import_job_problems`) or read from the API's job.
    response = render(request, "web/reports/import_job.html", {
        "job": job, "running": running, "refresh": refresh, "refresh_seconds": IMPORT_REFRESH_SECONDS,
        "finished_at": datetime_text(job.finished_at), "shown_limit": IMPORT_PROBLEMS_SHOWN,
        "error_count": len(job.errors), "warning_count": len(job.warnings),
        "errors": [(_where(e.get("field", "")), e.get("message", "")) for e in job.errors[:IMPORT_PROBLEMS_SHOWN]],
        "warnings": [(_where(e.get("field", "")), e.get("message", ""))
                     for e in job.warnings[:IMPORT_PROBLEMS_SHOWN]],
    })
    if refresh:
        # The HTTP equivalent of <meta http-equiv="refresh">: no script needed, none inline.
        response["Refresh"] = str(IMPORT_REFRESH_SECONDS)
    return response



@page
def import_job_problems(request: HttpRequest, job_id: int) -> HttpResponse:
    """Every problem and row not imported of an import, as CSV: the page shows the first few."""
    job = import_job_get_for_user(person(request), job_id)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["kind", "where", "problem"])
    for kind, entries in (("error", job.errors), ("not imported", job.warnings)):
        for entry in entries:
            writer.writerow([kind, csv_cell(_where(entry.get("field", ""))), csv_cell(entry.get("message", ""))])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-problems.csv"'
    return response
