"""Serializer fields shared by the v1 endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.dateparse import parse_datetime
from rest_framework import serializers

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


def query_instant(request: Any, name: str) -> datetime | None:
    """An aware date-time from the query string, or None when absent; a bad one is a 400
    naming the parameter."""
    raw = request.query_params.get(name)
    if not raw:
        return None
    try:
        return AwareDateTimeField().to_internal_value(raw)
    except serializers.ValidationError as exc:
        from homeward.common.errors import DomainValidationError

        detail = exc.detail[0] if isinstance(exc.detail, list) else exc.detail
        raise DomainValidationError.single(name, str(detail)) from exc
