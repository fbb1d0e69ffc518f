"""How the pages show times, dates and durations: Europe/London, as people read them."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from homeward.common.timeutil import LONDON

# English names whatever the machine's locale (as the protocol's sentences), and no strftime: a
# worklist writes a few times a row (issue 11).
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def london(instant: datetime) -> datetime:
    return instant.astimezone(LONDON)


def datetime_text(instant: datetime | None) -> str:
    """'Fri 20 Nov 2026, 23:15' in Europe/London."""
    if instant is None:
        return ""
    local = london(instant)
    return (f"{_DAYS[local.weekday()]} {local.day} {_MONTHS[local.month - 1]} {local.year}, "
            f"{local.hour:02d}:{local.minute:02d}")


def date_text(day: date | None) -> str:
    """'20 Nov 2026'."""
    if day is None:
        return ""
    if isinstance(day, datetime):
        day = london(day).date()
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def hours_between(start: datetime, end: datetime) -> int:
    """Whole elapsed hours (a clock change does not change them)."""
    return max(0, int((end - start) / timedelta(hours=1)))


def duration_text(start: datetime, end: datetime) -> str:
    """'3 hours', '1 day 4 hours': elapsed time, for 'missing for'."""
    hours = hours_between(start, end)
    if hours < 1:
        minutes = max(0, int((end - start) / timedelta(minutes=1)))
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    days, rest = divmod(hours, 24)
    parts = []
    if days:
        parts.append(f"{days} day{'s' if days != 1 else ''}")
    if rest or not days:
        parts.append(f"{rest} hour{'s' if rest != 1 else ''}")
    return " ".join(parts)
