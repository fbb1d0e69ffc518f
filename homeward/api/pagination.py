from typing import Any

from rest_framework.pagination import PageNumberPagination

from .v1.fields import query_number

MAX_PAGE = 10**6


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request: Any) -> int:
        # A page size out of bounds is a 400 naming it, not quietly the default (issue 14).
        return query_number(request, "page_size", minimum=1, maximum=self.max_page_size) or self.page_size

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> Any:
        query_number(request, "page", minimum=1, maximum=MAX_PAGE,
                     message=f"Give the page's number, a whole number from 1 to {MAX_PAGE}.")
        return super().paginate_queryset(queryset, request, view)
