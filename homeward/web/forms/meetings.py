"""The strategy meeting form (with rows of agreed actions) and closing an episode."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.utils import ErrorDict
from django.utils import timezone

from homeward.meetings.models import MeetingKind

from .episodes import DATETIME_HINT
from .fields import GovukDateField, GovukDateTimeField

BLANK_ACTION_ROWS = 3
MAX_ACTION_ROWS = 20
ACTION_PARTS = ("owner", "description", "due")


def action_field(index: int, part: str) -> str:
    return f"action_{index}_{part}"


def _now() -> Any:
    return timezone.now().replace(second=0, microsecond=0)


class MeetingForm(forms.Form):
    """A meeting, then `rows` rows of actions (owner, what, due date): no JavaScript needed."""

    held_at = GovukDateTimeField(label="When the meeting was held", help_text=DATETIME_HINT,
                                 required_message="Enter when the meeting was held")
    kind = forms.ChoiceField(label="Kind of meeting", choices=MeetingKind.choices, widget=forms.RadioSelect,
                             error_messages={"required": "Select the kind of meeting"})
    attendees = forms.CharField(label="Who attended", widget=forms.Textarea,
                                help_text="One person per line, with their role, for example: Priya Shah, "
                                          "missing co-ordinator",
                                error_messages={"required": "Enter who attended, one person per line"})
    decisions = forms.CharField(label="Decisions", required=False, widget=forms.Textarea)

    def __init__(self, *args: Any, rows: int = BLANK_ACTION_ROWS, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = max(1, min(rows, MAX_ACTION_ROWS))
        self.fields["held_at"].initial = _now()
        for index in range(self.rows):
            number = index + 1
            self.fields[action_field(index, "owner")] = forms.CharField(
                label=f"Action {number}: who owns it", required=False, max_length=200,
                help_text="A name or a role. A person's Homeward username or full name puts the action on "
                          "their work list")
            self.fields[action_field(index, "description")] = forms.CharField(
                label=f"Action {number}: what is to be done", required=False, widget=forms.Textarea)
            self.fields[action_field(index, "due")] = GovukDateField(
                label=f"Action {number}: due date", required=False, help_text="For example, 27 11 2026")

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("held_at", "kind", "attendees", "decisions")]

    def action_rows(self) -> list[tuple[int, list[forms.BoundField]]]:
        return [(index + 1, [self[action_field(index, part)] for part in ACTION_PARTS])
                for index in range(self.rows)]

    def without_errors(self) -> None:
        """Show the form as typed but unchecked (after 'add another action')."""
        self._errors = ErrorDict()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for index in range(self.rows):
            owner = (data.get(action_field(index, "owner")) or "").strip()
            description = (data.get(action_field(index, "description")) or "").strip()
            due = data.get(action_field(index, "due"))
            if not (owner or description or due):
                continue
            if not owner:
                self.add_error(action_field(index, "owner"), f"Enter who owns action {index + 1}")
            if not description:
                self.add_error(action_field(index, "description"), f"Describe action {index + 1}")
        return data

    def actions(self) -> list[tuple[int, str, str, Any]]:
        """The filled-in rows: (row index, owner, description, due)."""
        found = []
        for index in range(self.rows):
            owner = (self.cleaned_data.get(action_field(index, "owner")) or "").strip()
            description = (self.cleaned_data.get(action_field(index, "description")) or "").strip()
            due = self.cleaned_data.get(action_field(index, "due"))
            if owner or description or due:
                found.append((index, owner, description, due))
        return found

    def attendee_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["attendees"].splitlines() if line.strip()]


class CloseForm(forms.Form):
    closed_at = GovukDateTimeField(label="When the episode closes", help_text=DATETIME_HINT,
                                   required_message="Enter when the episode closes")
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea,
                           help_text="For example, the follow-up is complete and the plan updated")

    def __init__(self, *args: Any, with_reason: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["closed_at"].initial = _now()
        if with_reason:
            # Duties are outstanding and a manager is closing: they become "not done" with this.
            self.fields["reason"] = forms.CharField(
                label="Reason for closing with these not done", widget=forms.Textarea,
                help_text="It is kept with each duty and counted in performance. For example, the child "
                          "moved to another authority, which has taken on the interview",
                error_messages={"required": "Enter why the episode closes with these duties not done"})


class MeetingActionDoneForm(forms.Form):
    """An agreed action done: when, and an optional note (who is the person recording it)."""

    done_at = GovukDateTimeField(label="When it was done", help_text=DATETIME_HINT,
                                 required_message="Enter when the action was done")
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea,
                           help_text="For example, what was found or who was told")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["done_at"].initial = _now()
