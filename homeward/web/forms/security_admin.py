"""The system administrator's sign-in security forms."""

from __future__ import annotations

from django import forms


class TwoFactorResetForm(forms.Form):
    username = forms.CharField(label="Username", max_length=150,
                               help_text="The person whose authenticator app is lost or replaced",
                               error_messages={"required": "Enter the person's username"})
    reason = forms.CharField(label="Reason", widget=forms.Textarea,
                             help_text="For example: phone lost, reported by their manager by telephone",
                             error_messages={"required": "Enter why the two-factor app is being reset"})


class LockoutLiftForm(forms.Form):
    reason = forms.CharField(label="Reason", widget=forms.Textarea,
                             help_text="For example: the person called the service desk and was identified",
                             error_messages={"required": "Enter why the lock-out is being lifted"})
