"""Police notifications by email: the upload of a .eml file, and the triage queue's forms."""

from __future__ import annotations

from typing import Any

from django import forms

from .children import NewChildForm

MAX_EML_BYTES = 15 * 1024 * 1024


class EmlUploadForm(forms.Form):
    file = forms.FileField(
        label="Upload an email", help_text="The police notification saved from your email as a .eml file, up to 15 MB",
        error_messages={"required": "Select a .eml file", "empty": "The selected file is empty"},
        widget=forms.ClearableFileInput(attrs={"accept": ".eml,message/rfc822"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not (upload.name or "").lower().endswith(".eml"):
            raise forms.ValidationError("The selected file must be an email saved as .eml")
        if upload.size > MAX_EML_BYTES:
            raise forms.ValidationError("The selected file must be smaller than 15 MB")
        return upload


class MatchForm(forms.Form):
    child = forms.IntegerField(min_value=1, error_messages={"required": "Select the child",
                                                             "invalid": "Select the child"})


class TriageNewChildForm(NewChildForm):
    """The child the notification is about, not yet on record: the few facts needed to record them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["placement_authority"], self.fields["placement_provider"]

    def clean(self) -> dict[str, Any]:
        return forms.Form.clean(self) or {}


class ArchiveForm(forms.Form):
    reason = forms.CharField(label="Why does this message leave the queue?", widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="For example, not a police notification, or recorded by hand on episode 123",
                             error_messages={"required": "Say why the message leaves the queue"})
