"""Serializer fields shared by the v1 endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.dateparse import parse_datetime
from rest_framework import serializers


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 date-time that must carry its offset: a bare local time is ambiguous
    twice a year, and partner systems run in other zones."""

    default_error_messages = {
        "invalid": "Give an ISO 8601 date-time with its offset, for example 2026-11-20T23:15:00+00:00.",
        "naive": "Give the time with its offset, for example 2026-11-20T23:15:00+00:00 or ...Z.",
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
        return parsed
