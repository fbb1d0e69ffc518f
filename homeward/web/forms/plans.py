"""Forms around the episode: the missing child action plan (with rows of actions), its review
at a strategy meeting, its update after the return, the return visit, those with parental
responsibility told, and a judgement that the child is vulnerable."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from .episodes import DATETIME_HINT
from .fields import GovukDateField, GovukDateTimeField

PLAN_ACTION_ROWS = 3
REVIEW_ACTION_ROWS = 2
ACTION_PARTS = ("owner", "description", "due")


def plan_action_field(index: int, part: str) -> str:
    return f"action_{index}_{part}"


def _now() -> Any:
    return timezone.now().replace(second=0, microsecond=0)


class _ActionRows(forms.Form):
    """`rows` rows of actions (owner, what, due date); a blank row is left out."""

    rows = PLAN_ACTION_ROWS

    def add_action_rows(self) -> None:
        for index in range(self.rows):
            number = index + 1
            self.fields[plan_action_field(index, "owner")] = forms.CharField(
                label=f"Action {number}: who owns it", required=False, max_length=200,
                help_text="A name or a role. A person's Homeward username or full name puts the action on "
                          "their work list")
            self.fields[plan_action_field(index, "description")] = forms.CharField(
                label=f"Action {number}: what is to be done", required=False, widget=forms.Textarea)
            self.fields[plan_action_field(index, "due")] = GovukDateField(
                label=f"Action {number}: due date", required=False, help_text="For example, 27 11 2026")

    def action_rows(self) -> list[tuple[int, list[forms.BoundField]]]:
        return [(index + 1, [self[plan_action_field(index, part)] for part in ACTION_PARTS])
                for index in range(self.rows)]

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if not name.startswith("action_")]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for index in range(self.rows):
            owner = (data.get(plan_action_field(index, "owner")) or "").strip()
            description = (data.get(plan_action_field(index, "description")) or "").strip()
            if not (owner or description or data.get(plan_action_field(index, "due"))):
                continue
            if not owner:
                self.add_error(plan_action_field(index, "owner"), f"Enter who owns action {index + 1}")
            if not description:
                self.add_error(plan_action_field(index, "description"), f"Describe action {index + 1}")
        return data

    def actions(self) -> list[tuple[int, str, str, Any]]:
        """The filled-in rows: (row index, owner, description, due)."""
        found = []
        for index in range(self.rows):
            owner = (self.cleaned_data.get(plan_action_field(index, "owner")) or "").strip()
            description = (self.cleaned_data.get(plan_action_field(index, "description")) or "").strip()
            due = self.cleaned_data.get(plan_action_field(index, "due"))
            if owner or description or due:
                found.append((index, owner, description, due))
        return found


class ActionPlanForm(_ActionRows):
    agreed_at = GovukDateTimeField(label="When the plan was agreed", help_text=DATETIME_HINT,
                                   required_message="Enter when the plan was agreed")
    contact_by = forms.CharField(label="Who keeps contact with the child", max_length=200,
                                 help_text="The professional the network agreed can best engage the child",
                                 error_messages={"required": "Enter who keeps contact with the child"})
    contact_how = forms.CharField(label="How contact is kept", widget=forms.Textarea,
                                  help_text="For example, texts every evening and messages on social media",
                                  error_messages={"required": "Enter how contact with the child is kept"})
    family_told = forms.CharField(label="What the family is told", widget=forms.Textarea,
                                  error_messages={"required": "Enter what the family is told"})
    family_how_often = forms.CharField(label="How often the family is updated", max_length=200,
                                       error_messages={"required": "Enter how often the family is updated"})
    return_who_sees = forms.CharField(label="When found: who sees the child", max_length=200,
                                      error_messages={"required": "Enter who sees the child when they are found"})
    return_where = forms.CharField(label="When found: where the child is seen", max_length=200, required=False)
    return_interviewer = forms.CharField(
        label="Who is best placed to do the return home interview", max_length=200,
        error_messages={"required": "Enter who is best placed to do the return home interview"})

    rows = PLAN_ACTION_ROWS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agreed_at"].initial = _now()
        self.add_action_rows()


class PlanReviewForm(_ActionRows):
    meeting = forms.TypedChoiceField(label="The strategy meeting that reviewed the plan", coerce=int,
                                     widget=forms.RadioSelect,
                                     error_messages={"required": "Select the meeting that reviewed the plan"})
    changes = forms.CharField(label="What the meeting changed in the plan", widget=forms.Textarea,
                              help_text="Or that the plan stands as it is",
                              error_messages={"required": "Enter what the meeting changed, or that the plan stands"})

    rows = REVIEW_ACTION_ROWS

    def __init__(self, *args: Any, meetings: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["meeting"].choices = meetings or []  # type: ignore[attr-defined]
        self.add_action_rows()


class PlanUpdateForm(forms.Form):
    updated_at = GovukDateTimeField(label="When the plan was updated", help_text=DATETIME_HINT,
                                    required_message="Enter when the plan was updated")
    risk_analysis = forms.CharField(label="The updated risk analysis", widget=forms.Textarea,
                                    error_messages={"required": "Enter the updated risk analysis"})
    safety_plan = forms.CharField(label="The updated safety plan", widget=forms.Textarea,
                                  error_messages={"required": "Enter the updated safety plan"})
    what_changed = forms.CharField(label="What changed, from what the interview found", widget=forms.Textarea,
                                   error_messages={"required": "Enter what changed, from what the interview found"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["updated_at"].initial = _now()


class ReturnVisitForm(forms.Form):
    visited_at = GovukDateTimeField(label="When the visit took place", help_text=DATETIME_HINT,
                                    required_message="Enter when the visit took place")
    visited_by = forms.CharField(label="Who visited", max_length=200,
                                 error_messages={"required": "Enter who visited"})
    discussed_episode = forms.CharField(
        label="What was discussed about the missing episode", widget=forms.Textarea,
        help_text="Having taken into account the return home interview",
        error_messages={"required": "Enter what was discussed about the missing episode"})
    prevention = forms.CharField(label="What can be done to prevent another episode", widget=forms.Textarea,
                                 error_messages={"required": "Enter what was discussed about preventing another "
                                                             "episode"})
    outcome = forms.CharField(label="Outcome of the visit", widget=forms.Textarea,
                              error_messages={"required": "Enter the outcome of the visit"})
    parental_responsibility_informed_at = GovukDateTimeField(
        label="When those with parental responsibility were told (optional)", required=False,
        help_text="Of the episode, the visit and its outcome. Leave blank if they have not been told yet")
    parental_responsibility_informed = forms.CharField(
        label="Who was told, and how (optional)", required=False, widget=forms.Textarea)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["visited_at"].initial = _now()


class InformedForm(forms.Form):
    informed_at = GovukDateTimeField(label="When those with parental responsibility were told",
                                     help_text=DATETIME_HINT,
                                     required_message="Enter when those with parental responsibility were told")
    informed = forms.CharField(label="Who was told, and how", widget=forms.Textarea,
                               error_messages={"required": "Enter who was told, and how"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["informed_at"].initial = _now()


class VulnerabilityForm(forms.Form):
    judged_at = GovukDateTimeField(label="When you made the judgement", help_text=DATETIME_HINT,
                                   required_message="Enter when the judgement was made")
    reason = forms.CharField(label="Why the child is vulnerable", widget=forms.Textarea,
                             error_messages={"required": "Enter why the child is vulnerable"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["judged_at"].initial = _now()
