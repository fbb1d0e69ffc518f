"""Records the origin of every web request for the audit entries services write."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .context import origin, origin_from_request


class AuditOriginMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        channel = "api" if request.path.startswith("/api/") else "web"
        with origin(origin_from_request(request, channel)):
            return self.get_response(request)
