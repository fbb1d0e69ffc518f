"""Form fields that follow GOV.UK patterns: the date input (day, month, year) and a time.

Dates and times are typed in Europe/London and stored as UTC instants by the services.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from homeward.common.text import lower_first
from homeward.common.timeutil import LONDON, MAX_YEAR, MIN_YEAR, year_problem
from homeward.reference.selectors import coded_list

_TIME = re.compile(r"^\s*(\d{1,2})(?:[:.]?(\d{2}))?\s*(am|pm)?\s*$", re.IGNORECASE)


# GOV.UK date input: an error about one part (a missing year, a time that is not one)
# highlights that input alone; any other error highlights them all (`error_parts`).
DATE_PARTS = ["day", "month", "year"]


class _PartsWidget(forms.MultiWidget):
    """Inputs named <name>_day, <name>_month, <name>_year (and <name>_time)."""

    def __init__(self, parts: tuple[str, ...]) -> None:
        super().__init__(widgets={part: forms.TextInput() for part in parts})

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, datetime):
            local = value.astimezone(LONDON)
            return [local.day, local.month, local.year, f"{local:%H:%M}"]
        if isinstance(value, date):
            return [value.day, value.month, value.year]
        return [None] * len(self.widgets)


class _PartsField(forms.MultiValueField):
    parts: tuple[str, ...] = ("day", "month", "year")
    govuk_kind = "date"

    def __init__(self, *, label: str, required: bool = True, help_text: str = "", required_message: str = "",
                 **kwargs: Any) -> None:
        self.subject = label
        fields = tuple(forms.CharField(required=False) for _ in self.parts)
        super().__init__(
            fields=fields, require_all_fields=False, required=required, label=label, help_text=help_text,
            widget=_PartsWidget(self.parts), **kwargs,
        )
        self.error_messages["required"] = required_message or f"Enter {lower_first(label)}"

    def clean(self, value: Any) -> Any:
        # Missing parts get GOV.UK's messages rather than MultiValueField's generic one.
        values = [str(v or "").strip() for v in (value or [""] * len(self.parts))]
        if not any(values):
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return None
        return self.compress(values)

    def _date(self, day: str, month: str, year: str) -> date:
        named = dict(zip(("day", "month", "year"), (day, month, year), strict=True))
        missing = [name for name, part in named.items() if not part]
        if missing:
            raise ValidationError(f"{self.subject} must include a {' and '.join(missing)}",
                                  params={"parts": missing})
        not_numbers = [name for name, part in named.items() if not part.isdigit()]
        if not_numbers:
            raise ValidationError(f"{self.subject} must be a real date", params={"parts": not_numbers})
        if len(year) != 4:
            # GOV.UK's date input: a year such as "26" is asked for again in full.
            raise ValidationError(f"{self.subject} must include a year of 4 numbers",
                                  params={"parts": ["year"]})
        if year_problem(int(year)):
            raise ValidationError(f"{self.subject} must be in the years {MIN_YEAR} to {MAX_YEAR}",
                                  params={"parts": ["year"]})
        try:
            return date(int(year), int(month), int(day))
        except ValueError:
            raise ValidationError(f"{self.subject} must be a real date", params={"parts": DATE_PARTS}) from None


class GovukDateField(_PartsField):
    def compress(self, data_list: list[str]) -> date | None:
        if not data_list or not any(data_list):
            return None
        return self._date(*data_list[:3])


def parse_time(text: str) -> time | None:
    """'23:15', '2315', '11.15pm', '9am' -> a time; None when it is not one."""
    match = _TIME.match(text)
    if not match:
        return None
    hour, minute, meridiem = int(match.group(1)), int(match.group(2) or 0), (match.group(3) or "").lower()
    if meridiem:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


class GovukDateTimeField(_PartsField):
    """A GOV.UK date input and a time, read as Europe/London wall-clock time."""

    parts = ("day", "month", "year", "time")
    govuk_kind = "datetime"

    def compress(self, data_list: list[str]) -> datetime | None:
        if not data_list or not any(data_list):
            return None
        day = self._date(*data_list[:3])
        time_text = data_list[3] if len(data_list) > 3 else ""
        if not time_text:
            raise ValidationError(f"{self.subject} must include a time", params={"parts": ["time"]})
        at = parse_time(time_text)
        if at is None:
            raise ValidationError(f"Enter the time of {lower_first(self.subject)} as hours and minutes, "
                                  "for example 23:15", params={"parts": ["time"]})
        local = datetime.combine(day, at, tzinfo=LONDON)
        # The hour skipped when the clocks go forward does not exist.
        round_trip = local.astimezone(UTC).astimezone(LONDON)
        if (round_trip.hour, round_trip.minute) != (at.hour, at.minute):
            raise ValidationError(f"{self.subject}: {at:%H:%M} did not happen on that day in the UK "
                                  "(the clocks went forward)", params={"parts": ["time"]})
        return local


class GovukBooleanField(forms.BooleanField):
    """A single checkbox, shown as a GOV.UK checkbox with one item."""

    govuk_kind = "checkbox"


def coded_checkboxes(list_name: str, label: str, help_text: str = "") -> forms.MultipleChoiceField:
    """Checkboxes for the current items of a coded list (DOMAIN.md section 6), none required."""
    return forms.MultipleChoiceField(label=label, required=False, widget=forms.CheckboxSelectMultiple,
                                     help_text=help_text or "Select all that apply",
                                     choices=[(item.code, item.label) for item in coded_list(list_name)])
