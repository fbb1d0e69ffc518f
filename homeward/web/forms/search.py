"""Finding a child: one box for a name, date of birth, case-system id or police reference."""

from __future__ import annotations

from django import forms


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Name, date of birth, case-system id or police reference",
        help_text="For example, Ella Morgan, 17/05/2011, MOS100237 or NN-2026-1234",
        max_length=200,
        error_messages={"required": "Enter a name, date of birth, case-system id or police reference"},
    )
