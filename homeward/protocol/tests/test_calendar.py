"""Calendar: elapsed hours, end of day, working days and out of hours (DOMAIN.md section 3)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from homeward.protocol.calendar import (
    LONDON,
    Calendar,
    at_local_time,
    local_date,
    require_aware,
)
from homeward.protocol.policy import Duration
from homeward.protocol.tests.builders import BANK_HOLIDAYS, ldt, utc

CAL = Calendar(BANK_HOLIDAYS)


def test_the_holidays_package_gives_the_bank_holidays_of_england_and_wales() -> None:
    assert {date(2026, 4, 3), date(2026, 4, 6)} <= BANK_HOLIDAYS  # Good Friday, Easter Monday
    assert {date(2026, 12, 25), date(2026, 12, 28)} <= BANK_HOLIDAYS  # Boxing Day substitute
    assert date(2026, 12, 26) in BANK_HOLIDAYS  # a Saturday, listed all the same
    assert date(2027, 1, 1) in BANK_HOLIDAYS
    assert date(2026, 3, 17) not in BANK_HOLIDAYS  # St Patrick's Day is Northern Ireland's


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 4, 2), True),  # Maundy Thursday
        (date(2026, 4, 3), False),  # Good Friday
        (date(2026, 4, 4), False),  # Saturday
        (date(2026, 4, 5), False),  # Easter Sunday
        (date(2026, 4, 6), False),  # Easter Monday
        (date(2026, 4, 7), True),
        (date(2026, 12, 24), True),
        (date(2026, 12, 25), False),
        (date(2026, 12, 28), False),  # substitute for Boxing Day on a Saturday
        (date(2026, 12, 29), True),
        (date(2028, 2, 29), True),  # a Tuesday
    ],
)
def test_working_days_are_weekdays_less_bank_holidays(day: date, working: bool) -> None:
    assert CAL.is_working_day(day) is working


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        # DOMAIN.md: a Thursday 10:00 before Easter, +3 working days, is the next Thursday 10:00
        (ldt(2026, 4, 2, 10), 3, ldt(2026, 4, 9, 10)),
        (ldt(2026, 4, 2, 10), 1, ldt(2026, 4, 7, 10)),
        # starting on a bank holiday: the first working day after it
        (ldt(2026, 4, 3, 15, 30), 1, ldt(2026, 4, 7, 15, 30)),
        # Christmas 2026: 25 Dec (Fri), 28 Dec (Mon, substitute), 1 Jan 2027 (Fri)
        (ldt(2026, 12, 24, 15), 3, ldt(2026, 12, 31, 15)),
        (ldt(2026, 12, 24, 15), 5, ldt(2027, 1, 5, 15)),
        # across the spring clock change: same wall-clock time, one hour less elapsed
        (ldt(2026, 3, 27, 10), 5, ldt(2026, 4, 7, 10)),
        # across the autumn clock change
        (ldt(2026, 10, 23, 9, 15), 1, ldt(2026, 10, 26, 9, 15)),
        # 29 February 2028
        (ldt(2028, 2, 28, 10), 1, ldt(2028, 2, 29, 10)),
        (ldt(2028, 2, 28, 10), 3, ldt(2028, 3, 2, 10)),
        # late evening: the local date counts, not the UTC one
        (ldt(2026, 6, 12, 0, 30), 1, ldt(2026, 6, 15, 0, 30)),
        # zero working days: the instant itself
        (ldt(2026, 4, 4, 12), 0, ldt(2026, 4, 4, 12)),
    ],
)
def test_add_working_days_keeps_the_local_time_of_day(start: datetime, n: int, expected: datetime) -> None:
    result = CAL.add_working_days(start, n)
    assert result == expected
    assert result.utcoffset() == timedelta(0)


def test_add_working_days_across_the_spring_change_is_not_n_times_24_hours() -> None:
    start = ldt(2026, 3, 27, 10)  # Friday, GMT
    result = CAL.add_working_days(start, 1)  # Monday, BST
    assert result - start == timedelta(hours=71)


def test_add_working_days_refuses_negative_counts() -> None:
    with pytest.raises(ValueError, match="n: -1"):
        CAL.add_working_days(ldt(2026, 1, 5, 10), -1)


def test_without_bank_holidays_only_weekends_are_skipped() -> None:
    assert Calendar().add_working_days(ldt(2026, 4, 2, 10), 3) == ldt(2026, 4, 7, 10)


@pytest.mark.parametrize(
    ("start", "hours", "expected_local"),
    [
        # 72 h across the spring change (29 March 2026): 73 h on the wall clock
        (ldt(2026, 3, 27, 12), 72, ldt(2026, 3, 30, 13)),
        # 72 h across the autumn change (25 October 2026): 71 h on the wall clock
        (ldt(2026, 10, 23, 12), 72, ldt(2026, 10, 26, 11)),
        (ldt(2028, 2, 28, 20), 24, ldt(2028, 2, 29, 20)),
    ],
)
def test_hours_are_elapsed_hours(start: datetime, hours: int, expected_local: datetime) -> None:
    result = Duration(hours, "h").after(start, CAL)
    assert result == expected_local
    assert result - start == timedelta(hours=hours)  # aware subtraction is elapsed time
    assert Duration(hours // 24, "d").after(start, CAL) == result


def test_wall_clock_arithmetic_on_london_datetimes_would_be_wrong() -> None:
    # Python adds a timedelta to an aware datetime on its wall clock; the engine works in
    # UTC so that 72 hours stay 72 hours.
    start = ldt(2026, 10, 23, 12)
    assert start + timedelta(hours=72) != Duration(72, "h").after(start, CAL)


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        (ldt(2026, 1, 15, 10), utc(2026, 1, 15, 23, 59, 59)),  # GMT
        (ldt(2026, 6, 10, 22, 30), utc(2026, 6, 10, 22, 59, 59)),  # BST
        # 00:30 BST on 11 June is 23:30 UTC on 10 June: the local date is the 11th
        (ldt(2026, 6, 11, 0, 30), utc(2026, 6, 11, 22, 59, 59)),
        # the day the clocks go forward (23 hours long) and back (25 hours long)
        (ldt(2026, 3, 29, 0, 30), utc(2026, 3, 29, 22, 59, 59)),
        (ldt(2026, 10, 25, 0, 30), utc(2026, 10, 25, 23, 59, 59)),
        (ldt(2028, 2, 29, 12), utc(2028, 2, 29, 23, 59, 59)),
    ],
)
def test_end_of_day_is_235959_london_time(instant: datetime, expected: datetime) -> None:
    result = CAL.end_of_day(instant)
    assert result == expected
    assert result.astimezone(LONDON).time() == time(23, 59, 59)


@pytest.mark.parametrize(
    ("instant", "out"),
    [
        (ldt(2026, 4, 7, 9, 0), False),
        (ldt(2026, 4, 7, 8, 59, 59), True),
        (ldt(2026, 4, 7, 16, 59, 59), False),
        (ldt(2026, 4, 7, 17, 0), True),
        (ldt(2026, 4, 4, 12), True),  # Saturday
        (ldt(2026, 4, 3, 12), True),  # Good Friday
        (ldt(2026, 12, 28, 12), True),  # Boxing Day substitute
        (utc(2026, 7, 1, 8, 30), False),  # 09:30 BST
        (utc(2026, 1, 7, 8, 30), True),  # 08:30 GMT
    ],
)
def test_out_of_hours_is_outside_9_to_5_on_working_days(instant: datetime, out: bool) -> None:
    assert CAL.is_out_of_hours(instant) is out


def test_local_date_is_the_london_date() -> None:
    assert local_date(utc(2026, 6, 10, 23, 30)) == date(2026, 6, 11)
    assert local_date(utc(2026, 1, 10, 23, 30)) == date(2026, 1, 10)


def test_naive_datetimes_are_refused_with_the_name() -> None:
    naive = datetime(2026, 1, 1, 12)
    with pytest.raises(ValueError, match="as_of: naive datetime"):
        require_aware(naive, "as_of")
    with pytest.raises(ValueError, match="instant: naive"):
        CAL.end_of_day(naive)


def test_a_wall_clock_time_that_does_not_exist_is_read_with_the_earlier_offset() -> None:
    # Cairo goes from 00:00 to 01:00 on the last Friday of April (a weekday, unlike London)
    cairo = ZoneInfo("Africa/Cairo")
    result = at_local_time(date(2026, 4, 24), time(0, 30), cairo)
    assert result.astimezone(cairo).time() == time(1, 30)


def test_a_wall_clock_time_that_happens_twice_is_its_first_occurrence() -> None:
    result = at_local_time(date(2026, 10, 25), time(1, 30))
    assert result == utc(2026, 10, 25, 0, 30)  # 01:30 BST, not 01:30 GMT
