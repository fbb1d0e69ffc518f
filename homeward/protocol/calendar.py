"""Time in the protocol: elapsed hours, end of day, working days, out of hours.

DOMAIN.md section 3: times are stored in UTC; "hours" are elapsed hours; "end of day" and
working days are in Europe/London, Monday to Friday, less the bank holidays of England and
Wales; "out of hours" is outside 09:00-17:00 on working days.

Bank holidays are passed in (a frozenset of dates) so that this module stays pure: the
Django side builds them with the `holidays` package. The caller must supply the holidays
of every year a computation can reach (the year of the episode and the next one is enough
for every shipped deadline).

Every function takes aware datetimes and returns aware datetimes in UTC. Elapsed time is
plain `timedelta` arithmetic on those, so 72 hours are 72 elapsed hours across a clock
change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")

#: Office hours on a working day, local time: [09:00, 17:00).
OFFICE_OPENS = time(9, 0)
OFFICE_CLOSES = time(17, 0)
END_OF_DAY = time(23, 59, 59)


def require_aware(value: datetime, name: str) -> datetime:
    """Return `value` in UTC, or raise ValueError naming `name` if it is naive."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name}: naive datetime {value.isoformat()}; pass an aware datetime")
    return value.astimezone(UTC)


def local_date(instant: datetime) -> date:
    """The calendar date of `instant` in Europe/London."""
    return require_aware(instant, "instant").astimezone(LONDON).date()


def at_local_time(day: date, clock: time, zone: ZoneInfo = LONDON) -> datetime:
    """The instant (UTC) at wall-clock time `clock` on `day` in `zone`.

    A wall-clock time that does not exist on that day (the hour skipped when clocks go
    forward) is read with the offset in force before the change, so it lands that much
    later (01:30 in a 01:00-02:00 gap is 02:30). A time that happens twice (the hour
    repeated when clocks go back) is its first occurrence. Europe/London changes its
    clocks on Sundays, which are never working days, so working-day deadlines never meet
    either case there; the rule is stated for completeness and tested on a zone that
    changes on a weekday.
    """
    naive = clock.replace(tzinfo=None, fold=0)
    return datetime.combine(day, naive, tzinfo=zone).astimezone(UTC)


@dataclass(frozen=True)
class Calendar:
    """Working days of England and Wales: Monday to Friday less `bank_holidays`."""

    bank_holidays: frozenset[date] = frozenset()

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.bank_holidays

    def add_working_days(self, instant: datetime, n: int) -> datetime:
        """The same local time of day on the n-th working day after `instant`'s local date.

        A Thursday 10:00 before Easter, plus 3 working days (Good Friday and Easter Monday
        are not), is the next Thursday 10:00. `n` = 0 is `instant` itself.
        """
        if n < 0:
            raise ValueError(f"n: {n} working days; must be 0 or more")
        utc = require_aware(instant, "instant")
        if n == 0:
            return utc
        local = utc.astimezone(LONDON)
        day = local.date()
        counted = 0
        while counted < n:
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return at_local_time(day, local.time())

    def end_of_day(self, instant: datetime) -> datetime:
        """23:59:59 Europe/London on `instant`'s local date, as a UTC instant."""
        return at_local_time(local_date(instant), END_OF_DAY)

    def is_out_of_hours(self, instant: datetime) -> bool:
        """True outside 09:00-17:00 local time on working days (17:00 itself is out)."""
        local = require_aware(instant, "instant").astimezone(LONDON)
        if not self.is_working_day(local.date()):
            return True
        return not (OFFICE_OPENS <= local.time() < OFFICE_CLOSES)
