"""Changing a child's details, the Philomena profile and the people around the child."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q

from homeward.accounts.models import Organisation, Team, User
from homeward.accounts.roles import Role
from homeward.children.models import NEWEST_FIRST, Child, LegalStatus, Sex
from homeward.children.services import child_current_placement
from homeward.reference.selectors import coded_list, dfe_code

from .children import authority_choices
from .fields import GovukBooleanField, GovukDateField


def _with_current(choices: list[tuple[str, str]], current: str, label: str = "") -> list[tuple[str, str]]:
    """A stored value that the list no longer offers stays selectable, so saving keeps it."""
    if current and current not in {value for value, _ in choices}:
        choices.append((current, label or current))
    return choices


def _people(roles: set[str], current: User | None, blank: str) -> list[tuple[str, str]]:
    people = User.objects.filter(Q(is_active=True, role__in=roles) | Q(pk=getattr(current, "pk", None)))
    return [("", blank)] + [(p.username, f"{p.display_name} ({p.username})") for p in people.order_by(
        "last_name", "first_name", "username")]


class ChildDetailsForm(forms.Form):
    """Everything DOMAIN.md section 1 keeps about a child but the Philomena profile and people."""

    given_name = forms.CharField(label="Given name", max_length=100,
                                 error_messages={"required": "Enter the child's given name"})
    family_name = forms.CharField(label="Family name", max_length=100,
                                  error_messages={"required": "Enter the child's family name"})
    known_as = forms.CharField(label="Known as", max_length=100, required=False,
                               help_text="A name the child uses instead of their given name")
    date_of_birth = GovukDateField(label="Date of birth", help_text="For example, 17 5 2011",
                                   required_message="Enter the child's date of birth")
    sex = forms.ChoiceField(label="Sex", choices=Sex.choices, widget=forms.RadioSelect,
                            error_messages={"required": "Select the child's sex, or 'Not known'"})
    ethnicity = forms.ChoiceField(label="Ethnicity", required=False)
    external_id = forms.CharField(label="Case-system id", max_length=40, required=False,
                                  help_text="The child's number in the council's case system (LCS, Mosaic, CareFirst)")
    legal_status = forms.ChoiceField(label="Legal status", choices=LegalStatus.choices, widget=forms.RadioSelect,
                                     error_messages={"required": "Select the child's legal status"})
    legal_status_since = GovukDateField(
        label="Date the legal status began", required=False,
        help_text="If you change the legal status, the date the new one began (leave blank for today). "
                  "The earlier status is kept in the history. For example, 1 9 2025")
    responsible_authority = forms.ChoiceField(
        label="Responsible authority", help_text="The council that looks after the child, or where the child lives",
        error_messages={"required": "Select the responsible authority"})
    placement_authority = forms.ChoiceField(label="Council area the child is placed in", required=False,
                                            help_text="Choose 'Not placed' to end the current placement")
    placement_provider = forms.CharField(label="Placement (foster carer or children's home)", required=False,
                                         max_length=200)
    placement_organisation = forms.ChoiceField(
        label="Provider's organisation in Homeward", required=False,
        help_text="Its staff can then see this child and keep the Philomena profile up to date")
    placement_type = forms.ChoiceField(label="Placement type", required=False)
    placement_address = forms.CharField(label="Placement address", required=False, widget=forms.Textarea)
    placement_postcode = forms.CharField(label="Placement postcode", required=False, max_length=10)
    placement_started_on = GovukDateField(
        label="Date the placement began", required=False,
        help_text="Only for a new placement: leave blank for today. For example, 3 4 2026")
    allocated_worker = forms.ChoiceField(label="Allocated social worker", required=False)
    team = forms.ChoiceField(label="Team", required=False)
    iro = forms.ChoiceField(label="Independent reviewing officer (IRO)", required=False)
    school = forms.CharField(label="School", max_length=200, required=False)

    SECTIONS = (
        ("Identity", ("given_name", "family_name", "known_as", "date_of_birth", "sex", "ethnicity", "external_id")),
        ("Legal status", ("legal_status", "legal_status_since")),
        ("Where the child lives", ("responsible_authority", "placement_authority", "placement_provider",
                                   "placement_organisation", "placement_type", "placement_address",
                                   "placement_postcode", "placement_started_on")),
        ("Who works with the child", ("allocated_worker", "team", "iro")),
        ("Education", ("school",)),
    )

    def __init__(self, *args: Any, child: Child, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        placement = child_current_placement(child)
        current_status = child.legal_statuses.order_by(*NEWEST_FIRST).first()
        self.fields_choices(child, placement)
        if not self.is_bound:
            self.initial.update({
                "given_name": child.given_name, "family_name": child.family_name, "known_as": child.known_as,
                "date_of_birth": child.date_of_birth, "sex": child.sex, "ethnicity": child.ethnicity,
                "external_id": child.external_id, "legal_status": child.legal_status,
                "legal_status_since": current_status.started_on if current_status else None,
                "responsible_authority": child.responsible_authority.code,
                "allocated_worker": child.allocated_worker.username if child.allocated_worker else "",
                "team": child.team.name if child.team else "", "iro": child.iro.username if child.iro else "",
                "school": child.school,
            })
            if placement is not None:
                self.initial.update({
                    "placement_authority": placement.authority.code, "placement_provider": placement.provider,
                    "placement_organisation": str(placement.provider_organisation_id or ""),
                    "placement_type": placement.type, "placement_address": placement.address,
                    "placement_postcode": placement.postcode,
                })

    def fields_choices(self, child: Child, placement: Any) -> None:
        def choose(name: str, choices: list[tuple[str, str]]) -> None:
            self.fields[name].choices = choices  # type: ignore[attr-defined]

        choose("ethnicity", _with_current(
            [("", "Not recorded")] + [(dfe_code(i.code), i.label) for i in coded_list("ethnicities")],
            child.ethnicity))
        choose("responsible_authority", authority_choices())
        choose("placement_authority", authority_choices("Not placed"))
        types = [(i.code, f"{dfe_code(i.code)}: {i.label}") for i in coded_list("placement_types")]
        choose("placement_type", _with_current([("", "Not recorded"), *types], placement.type if placement else ""))
        organisations = Organisation.objects.filter(
            Q(kind=Organisation.Kind.PLACEMENT_PROVIDER, archived_at__isnull=True)
            | Q(pk=getattr(placement, "provider_organisation_id", None)))
        choose("placement_organisation", [("", "None")] + [(str(o.pk), o.name) for o in organisations])
        choose("allocated_worker", _people({Role.SOCIAL_WORKER, Role.TEAM_MANAGER}, child.allocated_worker,
                                           "Not allocated"))
        choose("iro", _people({Role.IRO}, child.iro, "None"))
        teams = Team.objects.filter(Q(archived_at__isnull=True) | Q(pk=child.team_id))
        choose("team", [("", "None")] + [(t.name, t.name) for t in teams.order_by("name")])

    def sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(heading, [self[name] for name in names]) for heading, names in self.SECTIONS]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        placed = any(cleaned.get(f"placement_{part}") for part in ("provider", "type", "address", "postcode"))
        if placed and not cleaned.get("placement_authority"):
            self.add_error("placement_authority", "Select the council area the child is placed in")
        return cleaned


RISKS = (("risk_cse", "Child sexual exploitation (CSE)"), ("risk_cce", "Child criminal exploitation (CCE)"),
         ("risk_self_harm", "Self-harm"))


class PhilomenaForm(forms.Form):
    """The Philomena profile, in the order police read it."""

    description = forms.CharField(label="Description", required=False, widget=forms.Textarea,
                                  help_text="Height, build, hair, distinguishing marks, clothes usually worn")
    photo = forms.FileField(label="Photo", required=False,
                            widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png"}),
                            help_text="A recent photo, JPG or PNG, smaller than 5 MB and at most 4000 by 4000 pixels. "
                                      "If there is a problem with "
                                      "the form, choose the photo again")
    remove_photo = GovukBooleanField(label="Remove the current photo", required=False)
    phone_numbers = forms.CharField(label="Phone numbers", required=False, widget=forms.Textarea,
                                    help_text="The child's own numbers, one per line")
    social_media = forms.CharField(label="Social media", required=False, widget=forms.Textarea,
                                   help_text="Accounts and usernames, one per line")
    known_associates = forms.CharField(label="Known associates", required=False, widget=forms.Textarea,
                                       help_text="Names, ages and where they may be found")
    places_frequented = forms.CharField(label="Places frequented", required=False, widget=forms.Textarea)
    health_needs = forms.CharField(label="Health needs", required=False, widget=forms.Textarea,
                                   help_text="Medication and conditions police need to know about")
    risks = forms.MultipleChoiceField(label="Known risks", required=False, choices=RISKS,
                                      widget=forms.CheckboxSelectMultiple, help_text="Select all that apply")
    other_risks = forms.CharField(label="Other risks", required=False, widget=forms.Textarea)

    def __init__(self, *args: Any, has_photo: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not has_photo:
            del self.fields["remove_photo"]


class ResponsibleAdultForm(forms.Form):
    name = forms.CharField(label="Full name", max_length=200, error_messages={"required": "Enter the person's name"})
    relationship = forms.CharField(label="Relationship to the child", max_length=100,
                                   help_text="For example, mother, grandfather, foster carer",
                                   error_messages={"required": "Enter the person's relationship to the child"})
    has_parental_responsibility = GovukBooleanField(label="Has parental responsibility", required=False)
    phone = forms.CharField(label="Phone number", max_length=40, required=False)
    email = forms.EmailField(label="Email address", max_length=254, required=False, error_messages={
        "invalid": "Enter an email address in the correct format, like name@example.com"})
    address = forms.CharField(label="Address", required=False, widget=forms.Textarea)


class RemoveAdultForm(forms.Form):
    reason = forms.CharField(label="Why is this person being removed?", widget=forms.Textarea,
                             help_text="For example, entered in error, or parental responsibility ended by "
                                       "a court order",
                             error_messages={"required": "Say why this person is being removed"})
