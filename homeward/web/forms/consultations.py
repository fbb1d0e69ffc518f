"""Consultations and referrals as decisions, their outcomes, and withdrawing a charge."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from homeward.consultations.models import ConsultationKind, Decision

from .episodes import DATETIME_HINT
from .fields import GovukDateTimeField


def _now() -> Any:
    return timezone.now().replace(second=0, microsecond=0)


class ConsultationForm(forms.Form):
    kind = forms.ChoiceField(label="Consultation or referral", choices=ConsultationKind.choices,
                             widget=forms.RadioSelect,
                             error_messages={"required": "Select the consultation or referral considered"})
    decision = forms.ChoiceField(label="Decision", choices=[(Decision.MADE, "Made"),
                                                            (Decision.NOT_MADE, "Not made")],
                                 widget=forms.RadioSelect,
                                 error_messages={"required": "Select whether it was made"})
    decided_at = GovukDateTimeField(label="When the decision was made", help_text=DATETIME_HINT,
                                    required_message="Enter when the decision was made")
    decided_by = forms.CharField(label="Who decided", required=False, max_length=200,
                                 help_text="Name and role. Leave blank if it was you")
    reason = forms.CharField(label="Reason", widget=forms.Textarea,
                             help_text="Why it was, or was not, made",
                             error_messages={"required": "Enter the reason for the decision"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decided_at"].initial = _now()


class ConsultationOutcomeForm(forms.Form):
    outcome_at = GovukDateTimeField(label="When the outcome was known", help_text=DATETIME_HINT,
                                    required_message="Enter when the outcome was known")
    outcome = forms.CharField(label="Outcome", widget=forms.Textarea,
                              help_text="For example, what the strategy discussion decided, or the assessment's "
                                        "result",
                              error_messages={"required": "Enter the outcome"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outcome_at"].initial = _now()


class ChargeWithdrawForm(forms.Form):
    withdrawn_at = GovukDateTimeField(label="When it was withdrawn", help_text=DATETIME_HINT,
                                      required_message="Enter when the charge was withdrawn")
    reason = forms.CharField(label="Reason", widget=forms.Textarea,
                             help_text="For example, the placing authority conducted the interview after all",
                             error_messages={"required": "Enter why the charge is withdrawn"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["withdrawn_at"].initial = _now()
