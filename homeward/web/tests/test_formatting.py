"""Times shown in Europe/London, durations in elapsed hours."""

from __future__ import annotations

from datetime import UTC, date, datetime

from homeward.web.formatting import date_text, datetime_text, duration_text, hours_between


def test_times_are_shown_in_london_as_people_read_them() -> None:
    assert datetime_text(datetime(2026, 11, 20, 23, 15, tzinfo=UTC)) == "Fri 20 Nov 2026, 23:15"
    assert datetime_text(datetime(2026, 7, 3, 22, 5, tzinfo=UTC)) == "Fri 3 Jul 2026, 23:05"
    assert datetime_text(None) == ""
    assert date_text(date(2011, 5, 7)) == "7 May 2011"


def test_hours_missing_are_elapsed_hours_across_a_clock_change() -> None:
    start = datetime(2026, 10, 24, 23, 0, tzinfo=UTC)
    assert hours_between(start, datetime(2026, 10, 27, 23, 0, tzinfo=UTC)) == 72
    assert duration_text(start, datetime(2026, 10, 27, 23, 0, tzinfo=UTC)) == "3 days"
    assert duration_text(start, datetime(2026, 10, 25, 4, 0, tzinfo=UTC)) == "5 hours"
    assert duration_text(start, datetime(2026, 10, 26, 1, 0, tzinfo=UTC)) == "1 day 2 hours"
    assert duration_text(start, datetime(2026, 10, 24, 23, 1, tzinfo=UTC)) == "1 minute"
