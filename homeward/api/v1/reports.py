"""Reports and statutory exports (DOMAIN.md section 8; ADR 0005): the weekly report,
performance and patterns as JSON; the SSDA903 Missing table and the SSD `ssd_missing`
extract as CSV; Annex A List 8's missing columns as a spreadsheet. Every export is audited."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from homeward.accounts.permissions import Capability, require
from homeward.api.errors import problem
from homeward.api.views import HomewardAPIView
from homeward.audit.services import audit_list_read, audit_named_read
from homeward.common.errors import DomainValidationError, FieldError
from homeward.common.timeutil import local_date, year_problem
from homeward.reporting.annex_a import annex_a_problems, annex_a_rows, annex_a_workbook
from homeward.reporting.named import exported_records, report_rows, weekly_rows
from homeward.reporting.patterns import patterns
from homeward.reporting.performance import performance
from homeward.reporting.ssd import ssd_missing, ssd_missing_csv
from homeward.reporting.ssda903 import ssda903_missing_export
from homeward.reporting.weekly import SECTIONS, WeeklyItem, weekly_report

from .fields import query_instant, query_number, query_text

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_MONTHS = 60


def _date(request: Request, name: str, default: date) -> date:
    raw = query_text(request, name)
    if raw is None:
        return default
    try:
        day = date.fromisoformat(raw.strip())
    except ValueError:
        raise DomainValidationError.single(name, "Give a date as YYYY-MM-DD.") from None
    problem = year_problem(day.year)  # issue 14, item 10: year 1 overflowed, a 500
    if problem:
        raise DomainValidationError.single(name, problem)
    return day


def _period(request: Request) -> tuple[date, date]:
    """`from` and `to` (inclusive dates); by default the twelve months to today."""
    today = local_date(timezone.now())
    last = _date(request, "to", today)
    first = _date(request, "from", (last.replace(day=1) - timedelta(days=1)).replace(day=1) - timedelta(days=334))
    errors = []
    if first > last:
        errors.append(FieldError("from", "The start of the period is after its end."))
    elif (last.year - first.year) * 12 + last.month - first.month >= MAX_MONTHS:
        errors.append(FieldError("from", f"Ask for at most {MAX_MONTHS} months at a time."))
    if errors:
        raise DomainValidationError(errors)
    return first, last


def _attachment(content: str | bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _plain(value: Any) -> Any:
    """A report's dataclasses as JSON-ready values, properties included."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        for name in ("percent_in_time", "percent_accepted", "total", "weight"):
            if hasattr(type(value), name):
                out[name] = getattr(value, name)
        return out
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        items = [_plain(v) for v in value]
        return sorted(items) if isinstance(value, set) else items
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def _audit_named(actor: Any, object_type: str, report: Any, request: Request) -> None:
    """The answer lists episode ids (and the children's): a read of each of those children's records."""
    audit_list_read(actor=actor, object_type=object_type, rows=report_rows(actor, report),
                    query=request.query_params.dict())


class WeeklyItemSerializer(serializers.Serializer):
    episode = serializers.IntegerField()
    child = serializers.IntegerField()
    missing_since = serializers.DateTimeField()
    found_at = serializers.DateTimeField(allow_null=True, help_text="Blank while missing at as_of.")
    risk_level = serializers.CharField()


class RepeatChildSerializer(serializers.Serializer):
    child = serializers.IntegerField()
    episodes = serializers.ListField(child=serializers.IntegerField(),
                                     help_text="The episodes in the window that met the repeat threshold.")


class WeeklyReportSerializer(serializers.Serializer):
    as_of = serializers.DateTimeField()
    window_start = serializers.DateTimeField(help_text="as_of less seven days; the window is (window_start, as_of].")
    missing_now = WeeklyItemSerializer(many=True)
    over_72_hours = WeeklyItemSerializer(many=True)
    high_risk = WeeklyItemSerializer(many=True)
    returned_last_7_days = WeeklyItemSerializer(many=True)
    rhi_due = WeeklyItemSerializer(many=True)
    rhi_overdue = WeeklyItemSerializer(many=True)
    repeat_missing_children = RepeatChildSerializer(many=True)
    counts = serializers.DictField(child=serializers.IntegerField())


def _weekly_item(item: WeeklyItem) -> dict[str, Any]:
    return {"episode": item.episode, "child": item.child, "missing_since": item.missing_since,
            "found_at": item.found_at, "risk_level": item.risk_level}


class WeeklyReportView(HomewardAPIView):
    @extend_schema(
        summary="The weekly oversight report",
        description="The seven days ending `as_of` (default now), over the children the caller may see. "
                    "See ADR 0005 for what each list means.",
        parameters=[OpenApiParameter("as_of", datetime)], responses=WeeklyReportSerializer,
        operation_id="report_weekly",
    )
    def get(self, request: Request) -> Response:
        actor = self.actor(request)
        require(actor, Capability.REPORT_READ)
        # No as_of: now, which the report reads from the index of live duties.
        report = weekly_report(actor, as_of=query_instant(request, "as_of"))
        body: dict[str, Any] = {"as_of": report.as_of, "window_start": report.window_start,
                                "counts": report.counts}
        for name in SECTIONS:
            body[name] = [_weekly_item(i) for i in getattr(report, name)]
        body["repeat_missing_children"] = [{"child": r.child, "episodes": list(r.episodes)}
                                           for r in report.repeat_missing_children]
        # The answer names children and their episodes: each child's read is audited.
        audit_list_read(actor=actor, object_type="weekly_report", query=request.query_params.dict(),
                        rows=weekly_rows(report))
        return Response(WeeklyReportSerializer(body).data)


PERIOD = [OpenApiParameter("from", date, description="First day (YYYY-MM-DD), Europe/London."),
          OpenApiParameter("to", date, description="Last day (YYYY-MM-DD), inclusive; default today.")]


class PerformanceView(HomewardAPIView):
    @extend_schema(
        summary="Performance figures by month and cohort",
        description="Return interviews offered in time and accepted, median hours to offer, episodes and "
                    "children by month and by cohort (legal status, placement in or out of area, age band, "
                    "sex), repeat-missing children, hours missing. Each series lists a value per month of "
                    "`months`. See `homeward.reporting.performance` and ADR 0005.",
        parameters=PERIOD, responses={200: OpenApiTypes.OBJECT}, operation_id="report_performance",
    )
    def get(self, request: Request) -> Response:
        actor = self.actor(request)
        require(actor, Capability.REPORT_READ)
        first, last = _period(request)
        figures = performance(actor, first=first, last=last)
        _audit_named(actor, "performance_report", figures, request)
        return Response(_plain(figures))


class PatternsView(HomewardAPIView):
    @extend_schema(
        summary="Patterns: push and pull factors, immediate risks, places, who goes missing together, "
                "consultations and referrals",
        description="Factor counts by month (`kind` push and pull from return interviews, risk for the "
                    "immediate risks of risk analyses, ADR 0010); recurring places where children were last "
                    "seen and found; a network of children (nodes) linked (edges) by episodes together at a "
                    "shared place or by shared associates and places frequented. Every item lists its episode "
                    "ids. `consultations`: per kind of consultation or referral (DOMAIN.md 5a), those considered "
                    "for the period's episodes, made, not made, made with an outcome and prompted, with "
                    "`by_month` counting those considered by the month the episode started (counts alone).",
        parameters=[*PERIOD, OpenApiParameter("together_hours", int, description="Default 24."),
                    OpenApiParameter("min_place_count", int, description="Default 2.")],
        responses={200: OpenApiTypes.OBJECT}, operation_id="report_patterns",
    )
    def get(self, request: Request) -> Response:
        actor = self.actor(request)
        require(actor, Capability.REPORT_READ)
        first, last = _period(request)
        options = {}
        for name, default, top in (("together_hours", 24, 24 * 14), ("min_place_count", 2, 1000)):
            given = query_number(request, name, minimum=1, maximum=top)
            options[name] = default if given is None else given
        found = patterns(actor, first=first, last=last, **options)
        _audit_named(actor, "patterns_report", found, request)
        return Response(_plain(found))


class Ssda903MissingView(HomewardAPIView):
    @extend_schema(
        summary="The SSDA903 Missing table for a collection year",
        description="`text/csv` in the DfE layout (CHILD, DOB, MISSING, MIS_START, MIS_END) when it meets the "
                    "DfE's Missing rules; otherwise 400 problem+json naming each offending episode "
                    "(`field` = `episode:<id>`, the rule's number in the message) and nothing is exported.",
        parameters=[OpenApiParameter("year", int, required=True,
                                     description="The year end: 2025 is 1 April 2024 to 31 March 2025.")],
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="The Missing table"),
                   400: OpenApiResponse(description="The episodes that break the DfE rules; nothing exported")},
        operation_id="report_ssda903_missing",
    )
    def get(self, request: Request) -> HttpResponse | Response:
        actor = self.actor(request)
        require(actor, Capability.STATUTORY_EXPORT)
        year = query_number(request, "year", minimum=2000, maximum=2100,
                            message="Give the collection year's end, e.g. 2025 for 2024-25.")
        if year is None:
            raise DomainValidationError.single("year", "Give the collection year's end, e.g. 2025 for 2024-25.")
        raw = str(year)
        # One entry for the file, naming each child it carries in a row of their own (ADR 0017),
        # written beside the export and kept only when the file is clean.
        table = ssda903_missing_export(actor, year=int(raw), audit=lambda exported: audit_named_read(
            actor=actor, action="export", object_type="ssda903_missing", object_id=raw, query={"year": raw},
            detail={"rows": exported.rows}, rows=exported.named, rows_sql=exported.named_sql))
        if not table.clean:
            return problem(400, "The Missing table breaks the DfE rules",
                           f"{len(table.problems)} problem(s) to fix before the {int(raw) - 1}-{raw[2:]} table "
                           "can be exported; nothing was exported.",
                           [{"field": p.field, "message": f"Rule {p.rule}: {p.message}"} for p in table.problems])
        return _attachment(table.csv, "text/csv; charset=utf-8", f"ssda903-missing-{raw}.csv")


class AnnexAView(HomewardAPIView):
    @extend_schema(
        summary="Ofsted Annex A List 8: missing columns per child in care",
        description="An .xlsx workbook: per child looked after in the twelve months ending `as_of` (a date, "
                    "default today), the number of missing (M) and away (A) episodes and whether a return "
                    "interview was offered and accepted after the last missing episode.",
        parameters=[OpenApiParameter("as_of", date)],
        responses={(200, XLSX): OpenApiResponse(OpenApiTypes.BINARY, description="The List 8 workbook"),
                   400: OpenApiResponse(description="Children without a case-system id (`field` = `child:<id>`); "
                                                    "nothing exported")},
        operation_id="report_annex_a",
    )
    def get(self, request: Request) -> HttpResponse | Response:
        actor = self.actor(request)
        require(actor, Capability.STATUTORY_EXPORT)
        as_of = _date(request, "as_of", local_date(timezone.now()))
        rows = annex_a_rows(actor, as_of=as_of)
        missing_ids = annex_a_problems(rows)
        if missing_ids:
            return problem(400, "Children without a case-system id",
                           f"{len(missing_ids)} child(ren) to give a case-system id before List 8 can be exported; "
                           "nothing was exported.",
                           [{"field": p.field, "message": p.message} for p in missing_ids])
        # One entry for the workbook, naming each child it carries in a row of their own (ADR 0017).
        audit_named_read(actor=actor, action="export", object_type="annex_a_list_8", object_id=as_of.isoformat(),
                         query={"as_of": as_of.isoformat()}, detail={"rows": len(rows)},
                         rows=exported_records(annex_a=rows))
        return _attachment(annex_a_workbook(rows, as_of=as_of), XLSX, f"annex-a-list-8-missing-{as_of}.xlsx")


class SsdMissingView(HomewardAPIView):
    @extend_schema(
        summary="The Standard Safeguarding Dataset's ssd_missing table",
        description="`text/csv`: miss_table_id, miss_person_id, miss_missing_episode_start_date, "
                    "miss_missing_episode_type, miss_missing_episode_end_date, miss_missing_rhi_offered, "
                    "miss_missing_rhi_accepted (Y, N, NA; blank while not known).",
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="The ssd_missing table"),
                   400: OpenApiResponse(description="Children without a case-system id (`field` = `child:<id>`); "
                                                    "nothing exported")},
        operation_id="report_ssd_missing",
    )
    def get(self, request: Request) -> HttpResponse | Response:
        actor = self.actor(request)
        require(actor, Capability.STATUTORY_EXPORT)
        table = ssd_missing(actor)
        if not table.clean:
            return problem(400, "Children without a case-system id",
                           f"{len(table.problems)} child(ren) to give a case-system id before ssd_missing can be "
                           "exported; nothing was exported.",
                           [{"field": p.field, "message": p.message} for p in table.problems])
        rows = table.rows
        # One entry for the file, naming each child it carries in a row of their own with their
        # episodes (ADR 0017).
        audit_named_read(actor=actor, action="export", object_type="ssd_missing", query={},
                         detail={"rows": len(rows)}, rows=exported_records(ssd=table))
        return _attachment(ssd_missing_csv(rows), "text/csv; charset=utf-8", "ssd_missing.csv")
