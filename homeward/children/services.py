"""Writing children: create and update, keeping the history of status and placement.

Every change is audited with before and after, inside the same transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from homeward.accounts.models import Organisation, Team, User
from homeward.accounts.permissions import Capability, require
from homeward.accounts.roles import Role
from homeward.audit.services import audit_record
from homeward.common.errors import DomainValidationError, FieldError
from homeward.common.text import check_free_text, check_identifier, check_name
from homeward.common.timeutil import local_date
from homeward.reference.models import Authority

from .models import (
    Child,
    ChronologyEntry,
    LegalStatus,
    LegalStatusPeriod,
    PhilomenaProfile,
    Placement,
    ResponsibleAdult,
    Sex,
)
from .photos import photo_checked
from .selectors import child_list_for_user

UNSET: Any = object()


@dataclass(frozen=True)
class PlacementInput:
    authority: str
    provider: str = ""
    type: str = ""
    address: str = ""
    postcode: str = ""
    started_on: date | None = None
    provider_organisation_id: int | None = None
    # The provider's organisation by name (the API), resolved to `provider_organisation_id`.
    provider_organisation: str = ""


def validate_authority(code: str, field: str, errors: list[FieldError]) -> Authority | None:
    authority = Authority.objects.filter(code=code).first()
    if authority is None:
        errors.append(FieldError(field, f"{code!r} is not a known DfE local authority code."))
    return authority


def validate_person(username: str, field: str, errors: list[FieldError]) -> User | None:
    person = User.objects.filter(username=username, is_active=True).first()
    if person is None:
        errors.append(FieldError(field, f"No active person has the username {username!r}."))
    return person


def validate_team(name: str, errors: list[FieldError]) -> Team | None:
    team = Team.objects.filter(name=name, archived_at__isnull=True).first()
    if team is None:
        errors.append(FieldError("team", f"No team is called {name!r}."))
    return team


def _provider_organisations() -> QuerySet[Organisation]:
    """Organisations that provide placements: marked so, or with placement providers among
    their members (`homeward createuser --organisation` makes them of the default kind)."""
    return Organisation.objects.filter(archived_at__isnull=True).filter(
        Q(kind=Organisation.Kind.PLACEMENT_PROVIDER) | Q(members__role=Role.PLACEMENT_PROVIDER)).distinct()


def _provider_organisation_named(name: str) -> Organisation | None:
    """The provider's organisation of this name: exactly, else the one that differs only in
    case and spacing."""
    name = " ".join(name.split())
    if not name:
        return None
    organisations = _provider_organisations()
    exact = organisations.filter(name=name).first()
    if exact is not None:
        return exact
    alike = list(organisations.filter(name__iexact=name)[:2])
    return alike[0] if len(alike) == 1 else None


def placement_with_provider(placement: PlacementInput, errors: list[FieldError]) -> PlacementInput:
    """The placement linked to its provider's organisation (issue 12), so the provider sees the
    child however the placement was recorded: the organisation chosen (the pages), else the one
    `provider_organisation` names (400 naming it when none is called so), else the one whose
    name `provider` gives, when there is one. Unlinked otherwise."""
    if placement.provider_organisation_id is not None:
        return placement
    if placement.provider_organisation.strip():
        organisation = _provider_organisation_named(placement.provider_organisation)
        if organisation is None:
            errors.append(FieldError("placement.provider_organisation",
                                     f"No placement provider's organisation is called "
                                     f"{placement.provider_organisation.strip()!r}."))
            return placement
        return replace(placement, provider_organisation_id=organisation.pk,
                       provider=placement.provider.strip() or organisation.name)
    organisation = _provider_organisation_named(placement.provider)
    return replace(placement, provider_organisation_id=organisation.pk) if organisation else placement


def child_snapshot(child: Child) -> dict[str, Any]:
    """The fields of a child as plain values, for audit before/after."""
    placement = child_current_placement(child)
    return {
        "external_id": child.external_id,
        "given_name": child.given_name,
        "family_name": child.family_name,
        "known_as": child.known_as,
        "date_of_birth": child.date_of_birth.isoformat(),
        "sex": child.sex,
        "ethnicity": child.ethnicity,
        "legal_status": child.legal_status,
        "responsible_authority": child.responsible_authority.code,
        "allocated_worker": child.allocated_worker.username if child.allocated_worker else None,
        "team": child.team.name if child.team else None,
        "iro": child.iro.username if child.iro else None,
        "school": child.school,
        "placement": None if placement is None else {
            "authority": placement.authority.code, "provider": placement.provider,
            "provider_organisation": placement.provider_organisation.name if placement.provider_organisation else None,
            "type": placement.type, "address": placement.address, "postcode": placement.postcode,
        },
    }


def child_current_placement(child: Child) -> Placement | None:
    return (child.placements.filter(ended_on__isnull=True).select_related("authority", "provider_organisation")
            .order_by("-id").first())


# Whoever may not see the child holding a case-system id is told only this (issue 14, item 11):
# the id is refused, but whether another child has it is not revealed.
EXTERNAL_ID_UNAVAILABLE = ("This case-system id cannot be recorded here. Check it against the case system, "
                           "or ask the missing children team to check it.")


def validate_external_id(
    actor: User, external_id: str, errors: list[FieldError], *, exclude_pk: int | None = None,
) -> None:
    """A case-system id (already stripped, not blank): printable, one line, not a formula
    (issue 14, items 6 and 10), and unique. A clash with a child the actor may see names that
    child's id; one the actor may not see is refused with a message that reveals nothing."""
    before = len(errors)
    check_identifier("external_id", external_id, errors)
    if len(errors) > before:
        return
    holders = Child.objects.filter(external_id=external_id)
    if exclude_pk is not None:
        holders = holders.exclude(pk=exclude_pk)
    holder = holders.values_list("pk", flat=True).first()
    if holder is None:
        return
    if child_list_for_user(actor).filter(pk=holder).exists():
        errors.append(FieldError("external_id", f"A child with case-system id {external_id!r} already exists."))
    else:
        errors.append(FieldError("external_id", EXTERNAL_ID_UNAVAILABLE))


def _max_lengths() -> dict[str, int]:
    """How long each text of the child's record and placement may be (the columns' lengths)."""
    return {f.name: f.max_length for model in (Placement, Child) for f in model._meta.fields
            if isinstance(f, models.CharField) and f.max_length is not None}


def validate_texts(errors: list[FieldError], **values: Any) -> None:
    """Names and free text given (not UNSET): no control or bidi override character, and no
    longer than the record keeps (a clear error, never a database error)."""
    names = {"given_name": "The given name", "family_name": "The family name", "known_as": "Known as"}
    lengths = _max_lengths()
    for field, value in values.items():
        if value is UNSET or value is None:
            continue
        limit = lengths.get(field)
        if limit is not None and len(str(value)) > limit:
            errors.append(FieldError(field, f"This is {len(str(value))} characters long; at most {limit} are kept."))
            continue
        if field in names:
            check_name(field, value, errors, names[field])
        else:
            check_free_text(field, value, errors, f"The {field.replace('_', ' ')}")


def validate_identity(
    errors: list[FieldError], *, given_name: Any, family_name: Any, date_of_birth: Any, sex: Any,
    legal_status: Any, legal_status_since: Any,
) -> None:
    today = local_date(timezone.now())
    if given_name is not UNSET and not str(given_name).strip():
        errors.append(FieldError("given_name", "Enter the child's given name."))
    if family_name is not UNSET and not str(family_name).strip():
        errors.append(FieldError("family_name", "Enter the child's family name."))
    validate_texts(errors, given_name=given_name, family_name=family_name)
    if date_of_birth is not UNSET and date_of_birth > today:
        errors.append(FieldError("date_of_birth", "Date of birth must be today or in the past."))
    if sex is not UNSET and sex not in Sex.values:
        errors.append(FieldError("sex", f"Sex must be one of {', '.join(Sex.values)}."))
    if legal_status is not UNSET and legal_status not in LegalStatus.values:
        errors.append(FieldError("legal_status", f"Legal status must be one of {', '.join(LegalStatus.values)}."))
    if legal_status_since not in (UNSET, None) and legal_status_since > today:
        errors.append(FieldError("legal_status_since", "The date the status began cannot be in the future."))


@transaction.atomic
def child_create(
    *,
    actor: User,
    external_id: str,
    given_name: str,
    family_name: str,
    date_of_birth: date,
    sex: str,
    legal_status: str,
    responsible_authority: str,
    legal_status_since: date | None = None,
    known_as: str = "",
    ethnicity: str = "",
    school: str = "",
    placement: PlacementInput | None = None,
    allocated_worker: str | None = None,
    team: str | None = None,
    iro: str | None = None,
    external_id_required: bool = True,
) -> Child:
    """Record a child known to the authority (DOMAIN.md section 1).

    `external_id_required=False` (the "Report a missing child" page): at 2 a.m. the
    out-of-hours worker may not know the case-system id of a child placed here by another
    authority or not yet on the case system; the child is recorded without one, to be added
    later (`child_update`). When given, it is unique. The API always requires it (API.md).
    """
    require(actor, Capability.CHILD_CREATE)
    errors: list[FieldError] = []
    external_id = external_id.strip()
    if not external_id:
        if external_id_required:
            errors.append(FieldError("external_id", "Enter the case-system id."))
    else:
        validate_external_id(actor, external_id, errors)
    validate_identity(
        errors, given_name=given_name, family_name=family_name, date_of_birth=date_of_birth,
        sex=sex, legal_status=legal_status, legal_status_since=legal_status_since,
    )
    validate_texts(errors, known_as=known_as, ethnicity=ethnicity, school=school)
    if placement is not None:
        validate_texts(errors, provider=placement.provider, address=placement.address,
                       postcode=placement.postcode)
        placement = placement_with_provider(placement, errors)
    if legal_status_since is not None and legal_status_since < date_of_birth:
        errors.append(FieldError("legal_status_since", "The status cannot begin before the child was born."))
    authority = validate_authority(responsible_authority, "responsible_authority", errors)
    placement_authority = validate_authority(placement.authority, "placement.authority", errors) if placement else None
    worker = validate_person(allocated_worker, "allocated_worker", errors) if allocated_worker else None
    team_row = validate_team(team, errors) if team else None
    iro_row = validate_person(iro, "iro", errors) if iro else None
    if errors:
        raise DomainValidationError(errors)
    assert authority is not None  # checked above

    child = Child.objects.create(
        external_id=external_id, given_name=given_name.strip(), family_name=family_name.strip(),
        known_as=known_as, date_of_birth=date_of_birth, sex=sex, ethnicity=ethnicity,
        legal_status=legal_status, responsible_authority=authority, allocated_worker=worker,
        team=team_row or (worker.team if worker else None), iro=iro_row, school=school,
    )
    LegalStatusPeriod.objects.create(child=child, status=legal_status, started_on=legal_status_since, recorded_by=actor)
    if placement is not None and placement_authority is not None:
        placement_start(child, placement, placement_authority, actor)
    ChronologyEntry.objects.create(
        child=child, at=timezone.now(), recorded_by=actor, kind="child_recorded",
        summary=f"Child recorded ({child.get_legal_status_display()}).",
    )
    audit_record(actor=actor, action="create", object_type="child", object_id=str(child.pk),
                 child_id=child.pk, detail={"after": child_snapshot(child)})
    return child


def snapshot_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The fields that differ, each with its before and after (for the audit log)."""
    return {k: {"before": before[k], "after": after[k]} for k in after if before[k] != after[k]}


def placement_start(child: Child, placement: PlacementInput, authority: Authority, actor: User) -> Placement:
    return Placement.objects.create(
        child=child, authority=authority, provider=placement.provider, type=placement.type,
        address=placement.address, postcode=placement.postcode.upper().strip(),
        started_on=placement.started_on, provider_organisation_id=placement.provider_organisation_id,
        recorded_by=actor,
    )


def placement_differs(current: Placement | None, new: PlacementInput) -> bool:
    if current is None:
        return True
    # A provider's organisation given (the pages) that differs is a change; the API gives none.
    if new.provider_organisation_id is not None and new.provider_organisation_id != current.provider_organisation_id:
        return True
    return (current.authority.code, current.provider, current.type, current.address, current.postcode) != (
        new.authority, new.provider, new.type, new.address, new.postcode.upper().strip()
    )


@transaction.atomic
def child_archive(*, actor: User, child: Child, reason: str) -> Child:
    """Archive a child's record with a reason; nothing is deleted."""
    require(actor, Capability.CHILD_UPDATE)
    if not reason.strip():
        raise DomainValidationError.single("reason", "Say why the record is being archived.")
    child.archived_at = timezone.now()
    child.archive_reason = reason.strip()
    child.save(update_fields=["archived_at", "archive_reason", "updated_at"])
    audit_record(actor=actor, action="archive", object_type="child", object_id=str(child.pk),
                 child_id=child.pk, detail={"reason": reason})
    return child


# --- The Philomena profile --------------------------------------------------------------------

PHILOMENA_TEXT_FIELDS = ("description", "phone_numbers", "social_media", "known_associates", "places_frequented",
                         "health_needs", "other_risks")
PHILOMENA_RISK_FLAGS = ("risk_cse", "risk_cce", "risk_self_harm")


def philomena_snapshot(profile: PhilomenaProfile | None) -> dict[str, Any]:
    """The profile as plain values, for audit before/after (the photo by its stored name)."""
    if profile is None:
        return {name: "" for name in PHILOMENA_TEXT_FIELDS} | dict.fromkeys(PHILOMENA_RISK_FLAGS, False) | {
            "photo": None}
    return ({name: getattr(profile, name) for name in PHILOMENA_TEXT_FIELDS + PHILOMENA_RISK_FLAGS}
            | {"photo": profile.photo.name or None})


@transaction.atomic
def philomena_profile_update(
    *,
    actor: User,
    child: Child,
    description: Any = UNSET,
    phone_numbers: Any = UNSET,
    social_media: Any = UNSET,
    known_associates: Any = UNSET,
    places_frequented: Any = UNSET,
    health_needs: Any = UNSET,
    other_risks: Any = UNSET,
    risk_cse: Any = UNSET,
    risk_cce: Any = UNSET,
    risk_self_harm: Any = UNSET,
    photo: Any = UNSET,
    remove_photo: bool = False,
) -> PhilomenaProfile:
    """Prepare or bring up to date the child's Philomena profile (DOMAIN.md section 1: the care
    placement prepares it in advance and hands it to police when the child goes missing).

    Only the fields given change. A new photo (JPG or PNG, at most 5 MB) replaces the shown one;
    the earlier file is kept, as nothing is deleted. Audited with before and after."""
    require(actor, Capability.PHILOMENA_UPDATE)
    child = Child.objects.select_for_update().get(pk=child.pk)
    profile = PhilomenaProfile.objects.filter(child=child).first()
    before = philomena_snapshot(profile)
    given = {"description": description, "phone_numbers": phone_numbers, "social_media": social_media,
             "known_associates": known_associates, "places_frequented": places_frequented,
             "health_needs": health_needs, "other_risks": other_risks}
    errors: list[FieldError] = []
    for name, value in given.items():
        if value not in (UNSET, None):
            check_free_text(name, value, errors, f"The {name.replace('_', ' ')}")
    # Placement providers keep their upload: the care placement prepares the profile and keeps
    # it up to date, a recent photo most of all (DOMAIN.md section 1; issue 14, item 7), and
    # the provider sees the child only while placed with them. What they upload is bounded
    # like anyone's: checked from its header, refused past 4000x4000, stored re-encoded.
    photo_file = photo_checked(photo, errors) if photo not in (UNSET, None) else None
    if errors:
        raise DomainValidationError(errors)

    creating = profile is None
    if profile is None:
        profile = PhilomenaProfile(child=child)
    for name, value in given.items():
        if value is not UNSET:
            setattr(profile, name, str(value or "").strip())
    for name, flag in (("risk_cse", risk_cse), ("risk_cce", risk_cce), ("risk_self_harm", risk_self_harm)):
        if flag is not UNSET:
            setattr(profile, name, bool(flag))
    if photo_file is not None:
        from uuid import uuid4

        profile.photo.save(f"{child.pk}-{uuid4().hex}.jpg", photo_file, save=False)
    elif remove_photo:
        profile.photo = ""
    profile.save()
    after = philomena_snapshot(profile)
    changed = snapshot_changes(before, after)
    if changed or creating:
        audit_record(actor=actor, action="create" if creating else "update", object_type="philomena_profile",
                     object_id=str(child.pk), child_id=child.pk, detail={"changes": changed})
        ChronologyEntry.objects.create(
            child=child, at=timezone.now(), recorded_by=actor, kind="philomena_updated",
            summary="Philomena profile " + ("prepared." if creating else "updated: " + ", ".join(
                name.replace("_", " ") for name in changed) + "."),
        )
    return profile


# --- People around the child ------------------------------------------------------------------

_PHONE = re.compile(r"^[0-9+()\-\s]{6,40}$")


def responsible_adult_snapshot(adult: ResponsibleAdult) -> dict[str, Any]:
    return {"name": adult.name, "relationship": adult.relationship,
            "has_parental_responsibility": adult.has_parental_responsibility, "phone": adult.phone,
            "email": adult.email, "address": adult.address}


def _validate_adult(errors: list[FieldError], values: dict[str, Any]) -> None:
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    if "name" in values and not str(values["name"]).strip():
        errors.append(FieldError("name", "Enter the person's name."))
    if "name" in values:
        check_name("name", values["name"], errors)
    if "relationship" in values:
        check_name("relationship", values["relationship"], errors, "The relationship")
    if values.get("address") is not None:
        check_free_text("address", values["address"], errors, "The address")
    if "relationship" in values and not str(values["relationship"]).strip():
        errors.append(FieldError("relationship", "Enter the person's relationship to the child, for example Mother."))
    phone = str(values.get("phone") or "").strip()
    if phone and not _PHONE.match(phone):
        errors.append(FieldError("phone", "Enter a phone number, like 01632 960 001 or +44 7700 900 982."))
    email = str(values.get("email") or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors.append(FieldError("email", "Enter an email address in the correct format, like name@example.com."))


@transaction.atomic
def responsible_adult_add(
    *, actor: User, child: Child, name: str, relationship: str, has_parental_responsibility: bool = True,
    phone: str = "", email: str = "", address: str = "",
) -> ResponsibleAdult:
    """Record a person with parental responsibility, or another adult the network must reach
    (seed 000: those with parental responsibility are told within 24 hours)."""
    require(actor, Capability.CHILD_UPDATE)
    values = {"name": name, "relationship": relationship, "phone": phone, "email": email, "address": address}
    errors: list[FieldError] = []
    _validate_adult(errors, values)
    if errors:
        raise DomainValidationError(errors)
    adult = ResponsibleAdult.objects.create(
        child=child, name=name.strip(), relationship=relationship.strip(),
        has_parental_responsibility=has_parental_responsibility, phone=phone.strip(), email=email.strip(),
        address=address.strip(),
    )
    audit_record(actor=actor, action="create", object_type="responsible_adult", object_id=str(adult.pk),
                 child_id=child.pk, detail={"after": responsible_adult_snapshot(adult)})
    return adult


@transaction.atomic
def responsible_adult_update(
    *, actor: User, adult: ResponsibleAdult, name: Any = UNSET, relationship: Any = UNSET,
    has_parental_responsibility: Any = UNSET, phone: Any = UNSET, email: Any = UNSET, address: Any = UNSET,
) -> ResponsibleAdult:
    """Correct a person's details; audited with before and after."""
    require(actor, Capability.CHILD_UPDATE)
    adult = ResponsibleAdult.objects.select_for_update().get(pk=adult.pk)
    if adult.archived_at is not None:
        raise DomainValidationError.single("adult", "This person was removed from the child's record.")
    given = {"name": name, "relationship": relationship, "has_parental_responsibility": has_parental_responsibility,
             "phone": phone, "email": email, "address": address}
    values = {k: v for k, v in given.items() if v is not UNSET}
    errors: list[FieldError] = []
    _validate_adult(errors, values)
    if errors:
        raise DomainValidationError(errors)
    before = responsible_adult_snapshot(adult)
    for key, value in values.items():
        setattr(adult, key, bool(value) if key == "has_parental_responsibility" else str(value or "").strip())
    adult.save()
    after = responsible_adult_snapshot(adult)
    changed = snapshot_changes(before, after)
    if changed:
        audit_record(actor=actor, action="update", object_type="responsible_adult", object_id=str(adult.pk),
                     child_id=adult.child_id, detail={"changes": changed})
    return adult


@transaction.atomic
def responsible_adult_archive(*, actor: User, adult: ResponsibleAdult, reason: str) -> ResponsibleAdult:
    """Take a person off the child's record with a reason; the record is kept, never deleted."""
    require(actor, Capability.CHILD_UPDATE)
    adult = ResponsibleAdult.objects.select_for_update().get(pk=adult.pk)
    if not reason.strip():
        raise DomainValidationError.single("reason", "Say why this person is being removed.")
    if adult.archived_at is not None:
        raise DomainValidationError.single("adult", "This person was already removed from the child's record.")
    adult.archived_at = timezone.now()
    adult.archive_reason = reason.strip()
    adult.save(update_fields=["archived_at", "archive_reason", "updated_at"])
    audit_record(actor=actor, action="archive", object_type="responsible_adult", object_id=str(adult.pk),
                 child_id=adult.child_id,
                 detail={"reason": adult.archive_reason, "person": responsible_adult_snapshot(adult),
                         "before": {"archived_at": None}, "after": {"archived_at": adult.archived_at}})
    return adult
