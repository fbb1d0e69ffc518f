"""Serializer fields shared by the v1 endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.dateparse import parse_datetime
from rest_framework import serializers

from homeward.common.converters import MAX_ID
from homeward.common.errors import DomainValidationError
from homeward.common.timeutil import instant_problem


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 date-time that must carry its offset: a bare local time is ambiguous
    twice a year, and partner systems run in other zones."""

    default_error_messages = {
        "invalid": "Give an ISO 8601 date-time with its offset, for example 2026-11-20T23:15:00+00:00.",
        "naive": "Give the time with its offset, for example 2026-11-20T23:15:00+00:00 or ...Z.",
        "bounds": "{problem}",
    }

    def to_internal_value(self, value: Any) -> datetime:
        if not isinstance(value, str):
            self.fail("invalid")
        try:
            parsed = parse_datetime(value.strip())
        except ValueError:
            parsed = None
        if parsed is None:
            self.fail("invalid")
        assert parsed is not None
        if parsed.tzinfo is None:
            self.fail("naive")
        # Issue 14, item 10: year 1 or an offset past +-15:59 was a 500, not a 400.
        problem = instant_problem(parsed)
        if problem:
            self.fail("bounds", problem=problem)
        return parsed


def query_text(request: Any, name: str) -> str | None:
    """A query parameter's value, or None when it is not given. Given empty (`?as_of=`) is a 400
    naming it: the OpenAPI description says a given parameter has a value, and a partner whose
    template left it blank should hear so rather than get an answer to another question."""
    raw = request.query_params.get(name)
    if raw is None:
        return None
    if not raw.strip():
        raise DomainValidationError.single(name, "Give a value, or leave the parameter out.")
    return str(raw)


def query_choice(request: Any, name: str, values: Any) -> str | None:
    """One of a list of values from the query string, or None when not given."""
    raw = query_text(request, name)
    if raw is not None and raw not in values:
        raise DomainValidationError.single(name, f"Use one of {', '.join(values)}.")
    return raw




def query_number(request: Any, name: str, *, minimum: int = 1, maximum: int | None = None,
                 message: str = "") -> int | None:
    """A whole number from the query string within its bounds (homeward.api.schema.QUERY_INTEGERS
    describes the same), or None when not given."""
    raw = query_text(request, name)
    if raw is None:
        return None
    text = raw.strip()
    # Eighteen digits at most: int() of thousands of digits is refused by Python itself (a 500).
    valid = text.isascii() and text.isdigit() and len(text) <= 18
    if not valid or not minimum <= int(text) <= (maximum if maximum is not None else MAX_ID):
        bounds = f"from {minimum} to {maximum if maximum is not None else MAX_ID}"
        raise DomainValidationError.single(name, message or f"Give a whole number {bounds}.")
    return int(text)


def query_instant(request: Any, name: str) -> datetime | None:
    """An aware date-time from the query string, or None when absent; a bad one is a 400
    naming the parameter."""
    raw = query_text(request, name)
    if raw is None:
        return None
    try:
        return AwareDateTimeField().to_internal_value(raw)
    except serializers.ValidationError as exc:
        detail = exc.detail[0] if isinstance(exc.detail, list) else exc.detail
        raise DomainValidationError.single(name, str(detail)) from exc
