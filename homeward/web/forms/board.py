"""The filters and order of the 'Missing now' board (issue 11): at national scale an authority
has thousands of children missing at once, so the board filters, sorts and pages."""

from __future__ import annotations

from typing import Any

from django import forms

from homeward.accounts.models import Team
from homeward.episodes.models import MissingFrom, RiskLevel

SORTS = (("hours", "Longest missing first"), ("risk", "Highest risk first"), ("next_due", "Next duty due first"))


class BoardFilterForm(forms.Form):
    """Risk, team, who the child is allocated to, where missing from, in or out of area, only
    overdue; and the order. All optional GOV.UK selects (GET)."""

    risk = forms.ChoiceField(label="Risk", required=False,
                             error_messages={"invalid_choice": "Select a risk from the list"})
    team = forms.ChoiceField(label="Child's team", required=False,
                             error_messages={"invalid_choice": "Select a team from the list"})
    missing_from = forms.ChoiceField(label="Missing from", required=False,
                                     error_messages={"invalid_choice": "Select where from the list"})
    # Whose case the child is: a list of every worker of a nation would be no use as a menu.
    owner = forms.ChoiceField(label="Allocated to", required=False, choices=[
        ("", "Anyone or no one"), ("me", "Me"), ("my_team", "My team"), ("none", "No allocated worker")],
        error_messages={"invalid_choice": "Select who the child is allocated to from the list"})
    area = forms.ChoiceField(label="Placed", required=False, choices=[
        ("", "In or out of area"), ("in", "In area"), ("out", "Out of area")],
        error_messages={"invalid_choice": "Select in or out of area from the list"})
    overdue = forms.ChoiceField(label="Duties", required=False, choices=[
        ("", "Any"), ("yes", "Something overdue")],
        error_messages={"invalid_choice": "Select from the list"})
    sort = forms.ChoiceField(label="Order", required=False, choices=SORTS,
                             error_messages={"invalid_choice": "Select an order from the list"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["risk"].choices = [("", "Any risk"), *RiskLevel.choices]  # type: ignore[attr-defined]
        self.fields["team"].choices = [("", "Every team")] + [  # type: ignore[attr-defined]
            (str(pk), name) for pk, name in Team.objects.filter(archived_at__isnull=True).order_by("name")
            .values_list("pk", "name")
        ]
        self.fields["missing_from"].choices = [("", "Anywhere"), *MissingFrom.choices]  # type: ignore[attr-defined]

    def clean_team(self) -> int | None:
        value = self.cleaned_data.get("team")
        return int(value) if value else None
