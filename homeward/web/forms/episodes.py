"""Reporting an episode and recording what changes in it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from homeward.episodes.models import Classification, MissingFrom, ReportedBy, RiskLevel
from homeward.episodes.risk_analysis import RISK_ANALYSIS_HEADINGS, RISK_ANALYSIS_LISTS
from homeward.reference.selectors import police_force_choices

from .fields import GovukBooleanField, GovukDateTimeField, coded_checkboxes

DATETIME_HINT = "For example, 20 11 2026 and 23:15 (24-hour clock, UK time)"

RISK_ANALYSIS_HINTS = {
    "immediate_risks": "The risks this child faces while missing. Select all that apply",
    "push_factors": "What may have pushed the child away, as far as is known. Select all that apply",
    "pull_factors": "What may have drawn the child away, as far as is known. Select all that apply",
}

CLASSIFICATION_HINTS = {
    Classification.MISSING.value: "Whereabouts cannot be established, and the circumstances are out of "
                                  "character or the child may be at risk of harm",
    Classification.ABSENT.value: "Not where they are expected or required to be, with no apparent risk",
}


class _Radios(forms.ChoiceField):
    def __init__(self, *, label: str, choices: Any, required: bool = True, message: str = "", **kwargs: Any) -> None:
        super().__init__(label=label, choices=choices, required=required, widget=forms.RadioSelect,
                         error_messages={"required": message} if message else None, **kwargs)


class EpisodeReportForm(forms.Form):
    reported_at = GovukDateTimeField(label="When it was reported", help_text=DATETIME_HINT,
                                     required_message="Enter when the child was reported missing")
    reported_by = _Radios(label="Who reported it", choices=ReportedBy.choices,
                          message="Select who reported the child missing")
    reporter_name = forms.CharField(label="Name of the person who reported it", required=False, max_length=200)
    last_seen_at = GovukDateTimeField(label="When the child was last seen", required=False,
                                      help_text=DATETIME_HINT)
    location_last_seen = forms.CharField(label="Where the child was last seen", required=False, max_length=300)
    circumstances = forms.CharField(label="Circumstances", required=False, widget=forms.Textarea,
                                    help_text="What happened, who the child may be with, any immediate concerns")
    missing_from = _Radios(label="Missing from", choices=MissingFrom.choices, required=False)
    classification = _Radios(label="Classification", choices=Classification.choices,
                             message="Select missing or absent")
    whereabouts_known = GovukBooleanField(
        label="Whereabouts known (away from placement without authorisation)", required=False,
        help_text="For a looked-after child who is not where they should be, but it is known where they are",
    )
    risk_level = _Radios(label="Police risk grading", choices=RiskLevel.choices, required=False,
                         help_text="Leave blank if the police have not graded the risk yet")
    police_force = forms.ChoiceField(label="Police force", required=False)
    police_reference = forms.CharField(label="Police reference", required=False, max_length=60)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reported_at"].initial = timezone.now().replace(second=0, microsecond=0)
        self.fields["classification"].initial = Classification.MISSING
        self.fields["classification"].choice_hints = CLASSIFICATION_HINTS  # type: ignore[attr-defined]
        self.fields["police_force"].choices = [("", "Not known yet"), *police_force_choices()]  # type: ignore[attr-defined]


def _now() -> Any:
    return timezone.now().replace(second=0, microsecond=0)


class RegradeForm(forms.Form):
    risk_level = _Radios(label="New risk grading", choices=RiskLevel.choices, message="Select the risk grading")
    graded_at = GovukDateTimeField(label="When it was graded", help_text=DATETIME_HINT,
                                   required_message="Enter when the risk was graded")
    graded_by = forms.CharField(label="Graded by", required=False, max_length=200,
                                help_text="The officer or role, for example Inspector Shah, Northamptonshire Police")
    rationale = forms.CharField(label="Rationale", required=False, widget=forms.Textarea)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["graded_at"].initial = _now()


class ReclassifyForm(forms.Form):
    classification = _Radios(label="Classification", choices=Classification.choices,
                             message="Select missing or absent")
    at = GovukDateTimeField(label="When it changed", help_text=DATETIME_HINT,
                            required_message="Enter when the classification changed")
    rationale = forms.CharField(label="Rationale", required=False, widget=forms.Textarea)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["classification"].choice_hints = CLASSIFICATION_HINTS  # type: ignore[attr-defined]
        self.fields["at"].initial = _now()


WHEREABOUTS_UNKNOWN = "missing"
WHEREABOUTS_KNOWN = "away"
WHEREABOUTS_CHOICES = [(WHEREABOUTS_UNKNOWN, "Missing: whereabouts not known (M)"),
                       (WHEREABOUTS_KNOWN, "Away: whereabouts known (A)")]
WHEREABOUTS_HINTS = {
    WHEREABOUTS_UNKNOWN: "Nobody knows where the child is",
    WHEREABOUTS_KNOWN: "Not where they should be, but it is known where they are (away from placement "
                       "without authorisation)",
}


class WhereaboutsForm(forms.Form):
    """SSDA903's M or A: whether it is known where the child is, kept as a history."""

    whereabouts_known = _Radios(label="Is it known where the child is?", choices=WHEREABOUTS_CHOICES,
                                message="Select missing or away")
    at = GovukDateTimeField(label="When it changed", help_text=DATETIME_HINT,
                            required_message="Enter when it changed")
    rationale = forms.CharField(label="Rationale", required=False, widget=forms.Textarea,
                                help_text="For example, the police found her at a friend's address and she "
                                          "will not come back tonight")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["whereabouts_known"].choice_hints = WHEREABOUTS_HINTS  # type: ignore[attr-defined]
        self.fields["at"].initial = _now()

    def clean_whereabouts_known(self) -> bool:
        return self.cleaned_data.get("whereabouts_known") == WHEREABOUTS_KNOWN


class FoundForm(forms.Form):
    found_at = GovukDateTimeField(label="When the child was found or returned", help_text=DATETIME_HINT,
                                  required_message="Enter when the child was found or returned")
    found_location = forms.CharField(label="Where the child was found", required=False, max_length=300)
    found_by = forms.CharField(label="Found by", required=False, max_length=200,
                               help_text="For example, police, carer, or returned of their own accord")
    whereabouts = forms.CharField(label="Where the child was while missing", required=False, widget=forms.Textarea)
    with_whom = forms.CharField(label="Who the child was with", required=False, widget=forms.Textarea)
    condition = forms.CharField(label="The child's condition on return", required=False, widget=forms.Textarea,
                                help_text="How they looked and sounded, what they said, whether they were hungry")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["found_at"].initial = _now()


class CancelForm(forms.Form):
    reason = forms.CharField(label="Why is this episode being cancelled?", widget=forms.Textarea,
                             help_text="For example, reported in error: the child was at school",
                             error_messages={"required": "Enter why the episode is being cancelled"})


class ActionForm(forms.Form):
    """A simple recorded fact that completes an obligation: when it happened, and a note."""

    at = GovukDateTimeField(label="When it happened", help_text=DATETIME_HINT,
                            required_message="Enter when it happened")
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea)

    def __init__(self, *args: Any, action: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["at"].initial = _now()
        if action == "police_informed":
            self.fields["police_force"] = forms.ChoiceField(
                label="Police force", required=False,
                choices=[("", "As recorded on the episode"), *police_force_choices()],
            )
            self.fields["police_reference"] = forms.CharField(
                label="Police reference", required=False, max_length=60,
                help_text="Needed unless the episode already has one",
            )
        if action == "risk_analysis":
            for name, list_name in RISK_ANALYSIS_LISTS.items():
                self.fields[name] = coded_checkboxes(list_name, RISK_ANALYSIS_HEADINGS[name], RISK_ANALYSIS_HINTS[name])
            self.order_fields(["at", *RISK_ANALYSIS_LISTS, "note"])
