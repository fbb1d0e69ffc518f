"""The return home interview, step by step: allocate, offer, record, authorise, share."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from homeward.accounts.models import User
from homeward.interviews.models import Method, OfferAnswer, Outcome
from homeward.interviews.selectors import PRACTITIONER_ROLES

from .episodes import DATETIME_HINT
from .fields import GovukBooleanField, GovukDateTimeField, coded_checkboxes

SHARE_CHOICES = [("police", "Police"), ("social_worker", "Social worker"),
                 ("iro", "Independent reviewing officer (IRO)")]
SEEN_ALONE_CHOICES = [("yes", "Yes"), ("no", "No, with someone at the child's request")]


def _now() -> Any:
    return timezone.now().replace(second=0, microsecond=0)


def _text(label: str, *, help_text: str = "", required: bool = False, message: str = "") -> forms.CharField:
    return forms.CharField(label=label, required=required, widget=forms.Textarea, help_text=help_text,
                           error_messages={"required": message} if message else None)


def practitioners() -> list[User]:
    """Who may be offered for an interview: professionals not in the child's direct care and IROs
    (the service refuses the child's carers, placement provider, and others as section 5a says)."""
    return list(User.objects.filter(is_active=True, role__in=[str(r) for r in PRACTITIONER_ROLES])
                .order_by("first_name", "last_name", "username"))


class AllocateForm(forms.Form):
    practitioner = forms.ChoiceField(label="Practitioner", error_messages={"required": "Select a practitioner"},
                                     help_text="Someone not involved in the child's direct care")
    allocated_at = GovukDateTimeField(label="When it was allocated", help_text=DATETIME_HINT,
                                      required_message="Enter when the interview was allocated")

    def __init__(self, *args: Any, exceptional_possible: bool = False, reallocating: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["practitioner"].choices = [("", "Choose a practitioner")] + [  # type: ignore[attr-defined]
            (user.username, f"{user.display_name} ({user.get_role_display()})") for user in practitioners()
        ]
        self.fields["allocated_at"].initial = _now()
        if reallocating:
            self.fields["practitioner"].label = "New practitioner"
            self.fields["allocated_at"].label = "When it was re-allocated"
            self.fields["allocated_at"].subject = "When it was re-allocated"  # type: ignore[attr-defined]
            self.fields["allocated_at"].error_messages["required"] = "Enter when the interview was re-allocated"
            self.fields["reason"] = _text("Why it is re-allocated", required=True,
                                          message="Enter why the interview is re-allocated",
                                          help_text="For example, the practitioner is off sick this week")
        else:
            self.fields["reason"] = _text(
                "Reason", help_text="Needed when the child's own allocated social worker is to hold the interview: "
                                    "for example, agreed by the professional network because the child trusts them")
        self.fields["at_child_request"] = GovukBooleanField(
            label="The child asked for this person", required=False,
            help_text="The child may ask to talk to someone independent, such as their IRO or an advocate")
        if exceptional_possible:
            self.fields["exceptional"] = GovukBooleanField(
                label="Exceptional: an immediate safeguarding need, chargeable to the placing authority",
                required=False,
                help_text="This child is another authority's responsibility: that authority conducts the "
                          "interview unless there is an immediate safeguarding need",
            )


ANSWER_NOT_KNOWN = "not_known"
ANSWER_CHOICES = [*OfferAnswer.choices, (ANSWER_NOT_KNOWN, "Not known yet")]
ANSWER_HINTS = {
    OfferAnswer.NO_CONTACT.value: "The child could not be reached",
    ANSWER_NOT_KNOWN: "For example, a letter the child has not answered yet",
}


class OfferForm(forms.Form):
    """One offer of the interview with the child's answer; every offer is kept."""

    offered_at = GovukDateTimeField(label="When the interview was offered", help_text=DATETIME_HINT,
                                    required_message="Enter when the interview was offered")
    method = forms.CharField(label="How it was offered", max_length=100,
                             help_text="For example, home visit, phone call to the child, letter",
                             error_messages={"required": "Enter how the interview was offered"})
    answer = forms.ChoiceField(label="The child's answer", choices=ANSWER_CHOICES, widget=forms.RadioSelect,
                               error_messages={"required": "Select the child's answer, or not known yet"})
    note = _text("Note", help_text="For example, what the child said, or when to try again")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["offered_at"].initial = _now()
        self.fields["answer"].choice_hints = ANSWER_HINTS  # type: ignore[attr-defined]

    def clean_answer(self) -> str:
        answer = self.cleaned_data.get("answer") or ""
        return "" if answer == ANSWER_NOT_KNOWN else answer


class InterviewForm(forms.Form):
    outcome = forms.ChoiceField(label="The child's answer", choices=Outcome.choices, widget=forms.RadioSelect,
                                error_messages={"required": "Select whether the child accepted the interview"})
    conducted_at = GovukDateTimeField(label="When the interview took place or was declined",
                                      help_text=DATETIME_HINT,
                                      required_message="Enter when the interview took place or was declined")
    method = forms.ChoiceField(label="How the interview was done", choices=Method.choices,
                               widget=forms.RadioSelect, required=False,
                               help_text="Face to face is best practice")
    seen_alone = forms.ChoiceField(label="Was the child seen alone?", choices=SEEN_ALONE_CHOICES,
                                   widget=forms.RadioSelect, required=False)
    accompanied_by = forms.CharField(label="Who was with the child", required=False, max_length=200,
                                     help_text="Only if the child asked for someone to be there")
    conducted_by = forms.CharField(label="Who conducted the interview", required=False, max_length=200)
    push_factors = forms.MultipleChoiceField()
    pull_factors = forms.MultipleChoiceField()
    exploitation_indicators = forms.MultipleChoiceField()
    referrals = forms.MultipleChoiceField()
    reasons = _text("Reasons for going missing")
    whereabouts = _text("Where, with whom and how the child spent the time")
    harm = _text("Harm suffered, or risk to others")
    health_concerns = _text("Health concerns", help_text="For example, substance misuse, sexual health")
    wishes_and_feelings = _text("The child's wishes and feelings", help_text="In the child's own words")
    actions = _text("Actions agreed")
    carer_observations = _text("Observations of whoever saw the child return",
                               help_text="Needed for a phone interview")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["push_factors"] = coded_checkboxes("push_factors", "Push factors",
                                             "What pushed the child away from home or placement. Select all "
                                             "that apply")
        self.fields["pull_factors"] = coded_checkboxes("pull_factors", "Pull factors",
                                             "What drew the child away. Select all that apply")
        self.fields["exploitation_indicators"] = coded_checkboxes("exploitation_indicators", "Exploitation indicators")
        self.fields["referrals"] = coded_checkboxes("referrals", "Onward referrals")
        self.fields["conducted_at"].initial = _now()
        # Keep the order of the class (the coded lists replace placeholders).
        self.order_fields(list(InterviewForm.base_fields))

    def clean_seen_alone(self) -> bool | None:
        value = self.cleaned_data.get("seen_alone")
        return None if not value else value == "yes"


class AmendForm(InterviewForm):
    """An authorised interview is locked: an amendment is the interview's form again, with when
    and why it is amended, kept as a new version that the co-ordinator authorises again."""

    amended_at = GovukDateTimeField(label="When it was amended", help_text=DATETIME_HINT,
                                    required_message="Enter when the interview was amended")
    reason = _text("Why it is amended", required=True, message="Enter why the interview is amended",
                   help_text="For example, the child told us more on a later visit")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["amended_at"].initial = _now()
        self.order_fields(["amended_at", "reason", *InterviewForm.base_fields])

    def record_data(self) -> dict[str, Any]:
        """The interview's own fields, for the record the amendment makes."""
        return {name: value for name, value in self.cleaned_data.items() if name not in ("amended_at", "reason")}


class AuthoriseForm(forms.Form):
    authorised_at = GovukDateTimeField(label="When it was authorised", help_text=DATETIME_HINT,
                                       required_message="Enter when the interview was authorised")
    recommendations = _text("Recommendations")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["authorised_at"].initial = _now()


class ShareForm(forms.Form):
    recipients = forms.MultipleChoiceField(label="Share with", choices=SHARE_CHOICES,
                                           widget=forms.CheckboxSelectMultiple, help_text="Select all that apply",
                                           error_messages={"required": "Select who the interview is shared with"})
    shared_at = GovukDateTimeField(label="When it was shared", help_text=DATETIME_HINT,
                                   required_message="Enter when the interview was shared")
    safeguarding_concern = GovukBooleanField(
        label="Safeguarding concern: share now, before authorisation", required=False,
        help_text="Share a concern from the interview at once; the full interview is shared once authorised",
    )
    note = _text("Note")

    def __init__(self, *args: Any, concern_only: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["shared_at"].initial = _now()
        if concern_only:
            self.fields["safeguarding_concern"].initial = True
