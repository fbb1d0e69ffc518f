"""The report pages' forms: an instant, a period, a collection year, an import file."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from homeward.imports.models import ImportFormat
from homeward.web.forms.fields import GovukBooleanField, GovukDateField, GovukDateTimeField

MAX_MONTHS = 60


def default_period(today: date) -> tuple[date, date]:
    """The twelve calendar months to today: from the first of the month eleven months back."""
    months = today.year * 12 + today.month - 1 - 11
    return date(months // 12, months % 12 + 1, 1), today


def collection_year_of(day: date) -> int:
    """The SSDA903 collection year (its end) that `day` falls in: 1 April to 31 March."""
    return day.year + 1 if day.month >= 4 else day.year


class WeeklyForm(forms.Form):
    as_of = GovukDateTimeField(label="As of", required=False,
                               help_text="The seven days up to this time. Leave blank for now. "
                                         "For example, 10 3 2025 and 07:00")


class PeriodForm(forms.Form):
    from_date = GovukDateField(label="From", required=False, help_text="For example, 1 1 2025")
    to_date = GovukDateField(label="To", required=False, help_text="For example, 31 3 2025")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("from_date"), data.get("to_date")
        if first and last:
            if first > last:
                self.add_error("from_date", "The start of the period must be on or before its end")
            elif (last.year - first.year) * 12 + last.month - first.month >= MAX_MONTHS:
                self.add_error("from_date", f"Choose a period of at most {MAX_MONTHS} months")
        return data

    def period(self, today: date) -> tuple[date, date]:
        """The period asked for, with the default for what was left blank."""
        default_first, default_last = default_period(today)
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        last = data.get("to_date") or default_last
        first = data.get("from_date") or default_period(last)[0]
        if first > last:  # only the end was given, before the default start
            first = default_first
        return first, last


class CollectionYearForm(forms.Form):
    year = forms.TypedChoiceField(label="Collection year", coerce=int, choices=())

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = collection_year_of(today)
        self.fields["year"].choices = [  # type: ignore[attr-defined]
            (year, f"1 April {year - 1} to 31 March {year}") for year in range(current, current - 6, -1)
        ]


class AnnexAForm(forms.Form):
    as_of = GovukDateField(label="Twelve months ending", required=False,
                           help_text="Leave blank for today. For example, 31 3 2025")


class ImportForm(forms.Form):
    file = forms.FileField(label="Upload a file", help_text="A CSV file (UTF-8), up to 50 MB",
                           error_messages={"required": "Select a CSV file", "empty": "The selected file is empty"})
    format = forms.ChoiceField(label="What is in the file?", choices=ImportFormat.choices,
                               widget=forms.RadioSelect, initial=ImportFormat.SSDA903,
                               error_messages={"required": "Select what is in the file"})
    dry_run = GovukBooleanField(label="Check the file only, import nothing", required=False,
                                help_text="Every row is checked and the result shown; no episode is written")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["format"].choice_hints = {  # type: ignore[attr-defined]
            ImportFormat.SSDA903: "The DfE Missing table: CHILD, DOB, MISSING, MIS_START, MIS_END",
            ImportFormat.CASE_SYSTEM: "external_id, date_of_birth, missing_since, type, and optional columns",
        }
