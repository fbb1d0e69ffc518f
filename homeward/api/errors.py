"""Every API error as application/problem+json; bad input names each field at fault."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from homeward.common.errors import DomainValidationError, NotFound, PermissionDenied

PROBLEM = "application/problem+json"


def _flatten(detail: Any, prefix: str = "") -> list[dict[str, str]]:
    """DRF's nested error dicts and lists as a flat list of {field, message}."""
    if isinstance(detail, dict):
        out: list[dict[str, str]] = []
        for key, value in detail.items():
            name = prefix if key == "non_field_errors" else (f"{prefix}.{key}" if prefix else str(key))
            out.extend(_flatten(value, name))
        return out
    if isinstance(detail, list):
        out = []
        for index, value in enumerate(detail):
            if isinstance(value, dict):
                out.extend(_flatten(value, f"{prefix}[{index}]"))
            else:
                out.extend(_flatten(value, prefix))
        return out
    return [{"field": prefix or "body", "message": str(detail)}]


def problem(status_code: int, title: str, detail: str = "", errors: list[dict[str, str]] | None = None) -> Response:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status_code}
    if detail:
        body["detail"] = detail
    if errors is not None:
        body["errors"] = errors
    return Response(body, status=status_code, content_type=PROBLEM)


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainValidationError):
        errors = [{"field": e.field, "message": e.message} for e in exc.errors]
        return problem(400, "Invalid input", "Nothing was stored.", errors)
    if isinstance(exc, PermissionDenied):
        return problem(403, "Forbidden", str(exc))
    if isinstance(exc, (NotFound, Http404)):
        return problem(404, "Not found")
    if isinstance(exc, exceptions.ValidationError):
        return problem(400, "Invalid input", "Nothing was stored.", _flatten(exc.detail))
    response = exception_handler(exc, context)
    if response is None:
        return None
    titles = {
        status.HTTP_401_UNAUTHORIZED: "Unauthorized",
        status.HTTP_403_FORBIDDEN: "Forbidden",
        status.HTTP_404_NOT_FOUND: "Not found",
        status.HTTP_405_METHOD_NOT_ALLOWED: "Method not allowed",
    }
    detail = response.data.get("detail", "") if isinstance(response.data, dict) else ""
    out = problem(response.status_code, titles.get(response.status_code, "Error"), str(detail))
    for header in ("WWW-Authenticate", "Allow", "Retry-After"):
        if header in response:
            out[header] = response[header]
    return out
