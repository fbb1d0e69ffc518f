"""Pages of the API's lists: `count`, `next`, `previous`, `results` (API.md).

A page reads one row more than it shows, to know whether there is a next page, and counts at
most COUNT_CAP rows: an exact count over a million episodes or ten million obligations took
seconds and grew with history (issue 11). Beyond the cap `count` is COUNT_CAP and
`count_capped` says so; every page is still reachable through `next`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db.models import Value
from django.db.models.expressions import RawSQL
from rest_framework.exceptions import NotFound
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from .v1.fields import query_number

MAX_PAGE = 10**6
COUNT_CAP = 10_000


class Pagination(BasePagination):
    page_size = 50
    page_size_query_param = "page_size"
    page_query_param = "page"
    max_page_size = 500
    # Counted on the last page too (not only known from it): the same statements on every page,
    # whatever the size of the list.
    always_count = False

    def get_page_size(self, request: Any) -> int:
        # A page size out of bounds is a 400 naming it, not quietly the default (issue 14).
        return query_number(request, "page_size", minimum=1, maximum=self.max_page_size) or self.page_size

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> list[Any]:
        number = query_number(request, "page", minimum=1, maximum=MAX_PAGE,
                              message=f"Give the page's number, a whole number from 1 to {MAX_PAGE}.") or 1
        size = self.get_page_size(request)
        start = (number - 1) * size
        rows = list(queryset[start:start + size + 1])
        if number > 1 and not rows:
            raise NotFound("There is no such page.")
        self.request, self.number = request, number
        self.has_next, rows = len(rows) > size, rows[:size]
        self.count, self.count_capped = _capped_count(queryset, start + len(rows),
                                                      full=self.has_next or self.always_count)
        return rows

    def _link(self, number: int) -> str:
        url = self.request.build_absolute_uri()
        if number == 1:
            return str(remove_query_param(url, self.page_query_param))
        return str(replace_query_param(url, self.page_query_param, number))

    def get_paginated_response(self, data: Any) -> Response:
        return Response({
            "count": self.count,
            "count_capped": self.count_capped,
            "next": self._link(self.number + 1) if self.has_next else None,
            "previous": self._link(self.number - 1) if self.number > 1 else None,
            "results": data,
        })

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["count", "results"],
            "properties": {
                "count": {"type": "integer", "description": f"How many there are, counted up to {COUNT_CAP}."},
                "count_capped": {"type": "boolean", "description": f"True when there are more than {COUNT_CAP}."},
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {"name": self.page_query_param, "required": False, "in": "query",
             "description": "The page's number, from 1.", "schema": {"type": "integer"}},
            {"name": self.page_size_query_param, "required": False, "in": "query",
             "description": f"Rows per page, at most {self.max_page_size}.", "schema": {"type": "integer"}},
        ]


class CountedPagination(Pagination):
    """Pages whose count (up to COUNT_CAP) comes in the page's own statement, a subquery of the
    same filter in the same order: one statement whether the list has one page or many, so a
    list costs as many queries in a small authority as in a national service (issue 11). For
    querysets only."""

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> list[Any]:
        number = query_number(request, "page", minimum=1, maximum=MAX_PAGE,
                              message=f"Give the page's number, a whole number from 1 to {MAX_PAGE}.") or 1
        size = self.get_page_size(request)
        start = (number - 1) * size
        rows = list(self.counted(queryset)[start:start + size + 1])
        if number > 1 and not rows:
            raise NotFound("There is no such page.")
        self.request, self.number = request, number
        self.has_next, rows = len(rows) > size, rows[:size]
        if not self.has_next:
            # A last page knows: everything before it and on it.
            self.count, self.count_capped = start + len(rows), False
        else:
            total = rows[0].listed_count
            self.count, self.count_capped = min(total, COUNT_CAP), total > COUNT_CAP
        return rows

    @staticmethod
    def counted(queryset: Any) -> Any:
        """The queryset with `listed_count`: how many rows it has, up to COUNT_CAP + 1."""
        # The subquery is Django's own SQL for the queryset, its values passed as parameters.
        # Unordered: a count needs no order, and ordered, PostgreSQL fetched and sorted every row
        # counted (the 3,000 open episodes of a national service: 7.1 ms, unordered 0.6 ms from
        # the open episodes' partial index alone; episodes graded high: 127 -> 65 ms).
        try:
            capped, params = queryset.order_by().values("pk")[:COUNT_CAP + 1].query.sql_with_params()
        except EmptyResultSet:  # nothing can match (a role that sees no child): no statement at all
            return queryset.annotate(listed_count=Value(0))
        count_sql = f"SELECT COUNT(*) FROM ({capped}) AS capped"  # noqa: S608
        return queryset.annotate(listed_count=RawSQL(count_sql, params))  # noqa: S611


def _capped_count(queryset: Any, seen: int, *, full: bool) -> tuple[int, bool]:
    """How many rows there are, up to COUNT_CAP (and whether there are more). A last page
    already knows: everything before it and on it."""
    if not full:
        return seen, False
    # Counted in the order the page reads, so that the database walks the same index and stops at
    # the cap; unordered, it may choose to read a whole table to find a few thousand rows.
    total = len(queryset) if isinstance(queryset, Sequence) else queryset[:COUNT_CAP + 1].count()
    return min(total, COUNT_CAP), total > COUNT_CAP
