"""Recording a new child when reporting one missing: only what is needed at 2 a.m."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

from homeward.children.models import LegalStatus, Sex
from homeward.reference.selectors import authority_list

from .fields import GovukDateField


def authority_choices(blank: str | None = None) -> list[tuple[str, str]]:
    choices = [(a.code, f"{a.name} ({a.code})") for a in authority_list()]
    return ([("", blank)] if blank is not None else []) + choices


class NewChildForm(forms.Form):
    given_name = forms.CharField(label="Given name", max_length=100,
                                 error_messages={"required": "Enter the child's given name"})
    family_name = forms.CharField(label="Family name", max_length=100,
                                  error_messages={"required": "Enter the child's family name"})
    date_of_birth = GovukDateField(label="Date of birth", help_text="For example, 17 5 2011",
                                   required_message="Enter the child's date of birth")
    sex = forms.ChoiceField(label="Sex", choices=Sex.choices, widget=forms.RadioSelect,
                            error_messages={"required": "Select the child's sex, or 'Not known'"})
    # Optional here: a child placed here by another authority, or not yet on the case system,
    # has none to give at 2 a.m.; it is added later from the child's page.
    external_id = forms.CharField(
        label="Case-system id (optional)", max_length=40, required=False,
        help_text="The child's number in the council's case system (LCS, Mosaic, CareFirst). Leave it blank "
                  "if you do not know it: it can be added later",
    )
    legal_status = forms.ChoiceField(
        label="Legal status", choices=LegalStatus.choices, widget=forms.RadioSelect,
        error_messages={"required": "Select the child's legal status"},
    )
    responsible_authority = forms.ChoiceField(
        label="Responsible authority", help_text="The council that looks after the child, or where the child lives",
        error_messages={"required": "Select the responsible authority"},
    )
    placement_authority = forms.ChoiceField(
        label="Council area the child is placed in", required=False,
        help_text="Only for a looked-after child",
    )
    placement_provider = forms.CharField(
        label="Placement (foster carer or children's home)", required=False, max_length=200,
        help_text="Only for a looked-after child",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responsible_authority"].choices = authority_choices()  # type: ignore[attr-defined]
        self.fields["responsible_authority"].initial = settings.HOMEWARD_AUTHORITY
        self.fields["placement_authority"].choices = authority_choices("Not placed")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("placement_provider") and not cleaned.get("placement_authority"):
            self.add_error("placement_authority", "Select the council area the child is placed in")
        return cleaned


class CaseSystemIdForm(forms.Form):
    external_id = forms.CharField(
        label="Case-system id", max_length=40,
        help_text="The child's number in the council's case system (LCS, Mosaic, CareFirst)",
        error_messages={"required": "Enter the child's case-system id"},
    )
