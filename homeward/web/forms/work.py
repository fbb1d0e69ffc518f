"""The filters of the 'Overdue and unowned work' page."""

from __future__ import annotations

from typing import Any

from django import forms

from homeward.accounts.models import Team
from homeward.accounts.roles import Role
from homeward.protocol.rules import SPECS


class WorkFilterForm(forms.Form):
    """Team, responsible role and duty: each a GOV.UK select, all optional (GET)."""

    team = forms.ChoiceField(label="Child's team", required=False,
                             error_messages={"invalid_choice": "Select a team from the list"})
    role = forms.ChoiceField(label="Responsible role", required=False,
                             error_messages={"invalid_choice": "Select a role from the list"})
    code = forms.ChoiceField(label="Duty", required=False,
                             error_messages={"invalid_choice": "Select a duty from the list"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [("", "Every team")] + [  # type: ignore[attr-defined]
            (str(team.pk), team.name) for team in Team.objects.filter(archived_at__isnull=True).order_by("name")
        ]
        roles = sorted({spec.responsible_role for spec in SPECS.values()})
        self.fields["role"].choices = [("", "Every role")] + [  # type: ignore[attr-defined]
            (role, str(Role(role).label) if role in Role.values else role) for role in roles
        ]
        self.fields["code"].choices = [("", "Every duty")] + [  # type: ignore[attr-defined]
            (code, spec.title) for code, spec in sorted(SPECS.items(), key=lambda item: item[1].title)
        ]

    def clean_team(self) -> int | None:
        value = self.cleaned_data.get("team")
        return int(value) if value else None
