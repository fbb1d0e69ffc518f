"""Messages held from other authorities' Homeward: finding the child a message is about."""

from __future__ import annotations

from django import forms

#: The largest child number there is (a PostgreSQL integer); more is a number no child has.
LARGEST_NUMBER = 2147483647


class FindChildForm(forms.Form):
    q = forms.CharField(
        label="Search for the child", max_length=200,
        help_text="A name, a date of birth (like 17/05/2011) or a case-system id",
        error_messages={"required": "Enter a name, a date of birth or a case-system id to search for the child"},
    )


class ChildNumberForm(forms.Form):
    child = forms.IntegerField(
        label="Child's number in Homeward", min_value=1, max_value=LARGEST_NUMBER,
        help_text="The number at the end of the child's page address, like 1234",
        error_messages={"required": "Enter the child's number in Homeward",
                        "invalid": "Enter the child's number in Homeward in digits, like 1234",
                        "min_value": "Enter the child's number in Homeward in digits, like 1234",
                        "max_value": "Enter the child's number in Homeward in digits, like 1234"},
    )

    def refuse_unknown(self, number: int) -> None:
        """The same words whether no child has the number or the person may not see that child."""
        self.add_error("child", f"No child on record has the number {number}: check the number")
