"""Time helpers: the database holds UTC; people see Europe/London."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

LONDON = ZoneInfo("Europe/London")


def now() -> datetime:
    return timezone.now()


def local_date(instant: datetime) -> date:
    """The calendar date in Europe/London on which an instant falls."""
    return instant.astimezone(LONDON).date()


def age_on(date_of_birth: date, on: date) -> int:
    """Completed years of age on a date (a birthday on 29 February counts from 1 March)."""
    years = on.year - date_of_birth.year
    if (on.month, on.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years
