"""Time helpers: the database holds UTC; people see Europe/London."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

LONDON = ZoneInfo("Europe/London")

# Dates and instants Homeward accepts from people and partner systems (issue 14, item 10: year
# 1 overflowed on the way to UTC, a 500). PostgreSQL's offsets stop at +-15:59.
MIN_YEAR = 1900
MAX_YEAR = 2999
MAX_OFFSET_MINUTES = 15 * 60 + 59


def year_problem(year: int) -> str:
    """Why a year is refused ('' when it is fine)."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        return f"Give a year from {MIN_YEAR} to {MAX_YEAR}."
    return ""


def instant_problem(instant: datetime) -> str:
    """Why an aware date-time is refused ('' when it is fine)."""
    offset = instant.utcoffset()
    if offset is not None and abs(offset.total_seconds()) > MAX_OFFSET_MINUTES * 60:
        return "Give an offset from -15:59 to +15:59, for example +00:00 or +01:00."
    return year_problem(instant.year)


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
