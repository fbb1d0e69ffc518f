"""GOV.UK date and date-time inputs: Europe/London wall-clock time, GOV.UK's error messages."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from django import forms

from homeward.web.forms.fields import GovukDateField, GovukDateTimeField, parse_time


class _Form(forms.Form):
    born = GovukDateField(label="Date of birth")
    seen = GovukDateTimeField(label="When the child was last seen", required=False)


def _form(**data: str) -> _Form:
    return _Form(data=data)


def test_a_date_is_read_from_day_month_and_year() -> None:
    form = _form(born_day="17", born_month="5", born_year="2011")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["born"] == date(2011, 5, 17)
    assert form.cleaned_data["seen"] is None


@pytest.mark.parametrize(("data", "message"), [
    ({}, "Enter date of birth"),
    ({"born_day": "17", "born_year": "2011"}, "Date of birth must include a month"),
    ({"born_day": "31", "born_month": "2", "born_year": "2011"}, "Date of birth must be a real date"),
    ({"born_day": "1", "born_month": "2", "born_year": "11"}, "Date of birth must include a year of 4 numbers"),
])
def test_a_date_missing_or_unreal_gets_the_govuk_message(data: dict[str, str], message: str) -> None:
    form = _form(**data)
    assert not form.is_valid()
    assert form.errors["born"] == [message]


def test_a_date_time_is_london_wall_clock_time_in_summer_and_winter() -> None:
    summer = _form(born_day="1", born_month="1", born_year="2011", seen_day="20", seen_month="7",
                   seen_year="2026", seen_time="23:15")
    winter = _form(born_day="1", born_month="1", born_year="2011", seen_day="20", seen_month="11",
                   seen_year="2026", seen_time="11.15pm")
    assert summer.is_valid() and winter.is_valid()
    assert summer.cleaned_data["seen"].astimezone(UTC) == datetime(2026, 7, 20, 22, 15, tzinfo=UTC)
    assert winter.cleaned_data["seen"].astimezone(UTC) == datetime(2026, 11, 20, 23, 15, tzinfo=UTC)


def test_the_hour_skipped_when_clocks_go_forward_is_refused() -> None:
    form = _form(born_day="1", born_month="1", born_year="2011", seen_day="29", seen_month="3",
                 seen_year="2026", seen_time="01:30")
    assert not form.is_valid()
    assert "clocks went forward" in form.errors["seen"][0]


def test_a_date_without_a_time_is_refused() -> None:
    form = _form(born_day="1", born_month="1", born_year="2011", seen_day="20", seen_month="11", seen_year="2026")
    assert form.errors["seen"] == ["When the child was last seen must include a time"]


@pytest.mark.parametrize(("text", "expected"), [
    ("23:15", time(23, 15)), ("2315", time(23, 15)), ("9am", time(9, 0)), ("12am", time(0, 0)),
    ("12.30pm", time(12, 30)), ("24:00", None), ("13pm", None), ("quarter past", None),
])
def test_times_are_read_as_people_type_them(text: str, expected: time | None) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize(("data", "marked", "linked"), [
    ({}, {"day", "month", "year", "time"}, "id_born_day"),  # nothing given: the whole date
    ({"born_day": "17", "born_year": "2011"}, {"month"}, "id_born_month"),
    ({"born_day": "17"}, {"month", "year"}, "id_born_month"),
    ({"born_day": "31", "born_month": "2", "born_year": "2011"}, {"day", "month", "year"}, "id_born_day"),
    ({"born_day": "1", "born_month": "2", "born_year": "11"}, {"year"}, "id_born_year"),
    ({"born_day": "1", "born_month": "Feb", "born_year": "2011"}, {"month"}, "id_born_month"),
])
def test_only_the_parts_in_error_are_marked_and_the_summary_links_to_the_first(
    data: dict[str, str], marked: set[str], linked: str,
) -> None:
    from homeward.web.templatetags.homeward import error_parts, first_input_id

    form = _form(**data)
    assert not form.is_valid()
    assert error_parts(form["born"]) == marked
    assert first_input_id(form["born"]) == linked


def test_a_time_in_error_marks_the_time_alone_and_a_valid_field_nothing() -> None:
    from homeward.web.templatetags.homeward import error_parts, first_input_id

    form = _form(born_day="17", born_month="5", born_year="2011", seen_day="29", seen_month="3",
                 seen_year="2026", seen_time="01:30")  # the clocks went forward at 01:00
    assert not form.is_valid()
    assert error_parts(form["seen"]) == {"time"}
    assert first_input_id(form["seen"]) == "id_seen_time"
    assert error_parts(form["born"]) == set()
