"""Changing a child's details: the part of the child's record the protocol reads (legal status
and placement with their history, responsible authority, allocated worker, team, IRO) goes
through the casework write path, so every episode it reaches is refreshed."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from homeward.accounts.models import User
from homeward.accounts.permissions import Capability, require
from homeward.children.models import NEWEST_FIRST, Child, LegalStatus, LegalStatusPeriod, Placement
from homeward.children.services import (
    UNSET,
    PlacementInput,
    child_current_placement,
    child_snapshot,
    placement_differs,
    placement_start,
    placement_with_provider,
    snapshot_changes,
    validate_authority,
    validate_external_id,
    validate_identity,
    validate_person,
    validate_team,
    validate_texts,
)
from homeward.common.errors import DomainValidationError, FieldError
from homeward.common.timeutil import local_date

from .commit import Audit, Chronicle, Reach, casework_commit


@transaction.atomic
def child_update(
    *,
    actor: User,
    child: Child,
    given_name: Any = UNSET,
    family_name: Any = UNSET,
    known_as: Any = UNSET,
    date_of_birth: Any = UNSET,
    sex: Any = UNSET,
    ethnicity: Any = UNSET,
    school: Any = UNSET,
    legal_status: Any = UNSET,
    legal_status_since: Any = UNSET,
    responsible_authority: Any = UNSET,
    placement: Any = UNSET,
    allocated_worker: Any = UNSET,
    team: Any = UNSET,
    iro: Any = UNSET,
    external_id: Any = UNSET,
) -> Child:
    """Change a child's details. A new legal status or placement is added to its history,
    never written over the old one."""
    require(actor, Capability.CHILD_UPDATE)
    child = Child.objects.select_for_update().get(pk=child.pk)
    before = child_snapshot(child)
    errors: list[FieldError] = []
    validate_identity(
        errors, given_name=given_name, family_name=family_name, date_of_birth=date_of_birth,
        sex=sex, legal_status=legal_status, legal_status_since=legal_status_since,
    )
    if external_id is not UNSET:
        if not str(external_id).strip():
            errors.append(FieldError("external_id", "Enter the case-system id."))
        else:
            validate_external_id(actor, str(external_id).strip(), errors, exclude_pk=child.pk)
    validate_texts(errors, known_as=known_as, ethnicity=ethnicity, school=school)
    if isinstance(placement, PlacementInput):
        validate_texts(errors, provider=placement.provider, address=placement.address, postcode=placement.postcode)
        placement = placement_with_provider(placement, errors)
    authority = (
        validate_authority(responsible_authority, "responsible_authority", errors)
        if responsible_authority is not UNSET else None
    )
    placement_authority = (
        validate_authority(placement.authority, "placement.authority", errors)
        if isinstance(placement, PlacementInput) else None
    )
    worker = (validate_person(allocated_worker, "allocated_worker", errors)
              if allocated_worker not in (UNSET, None) else None)
    team_row = validate_team(team, errors) if team not in (UNSET, None) else None
    iro_row = validate_person(iro, "iro", errors) if iro not in (UNSET, None) else None
    if errors:
        raise DomainValidationError(errors)

    today = local_date(timezone.now())
    lines: list[Chronicle] = []
    for name, value in (
        ("given_name", given_name), ("family_name", family_name), ("known_as", known_as),
        ("date_of_birth", date_of_birth), ("sex", sex), ("ethnicity", ethnicity), ("school", school),
        ("external_id", external_id),
    ):
        if value is not UNSET:
            setattr(child, name, value.strip() if isinstance(value, str) else value)
    if authority is not None:
        child.responsible_authority = authority
    if allocated_worker is not UNSET:
        child.allocated_worker = worker
    if team is not UNSET:
        child.team = team_row
    if iro is not UNSET:
        child.iro = iro_row

    if legal_status is not UNSET and legal_status != child.legal_status:
        since = legal_status_since if legal_status_since not in (UNSET, None) else today
        latest = child.legal_statuses.order_by(*NEWEST_FIRST).first()
        if latest and latest.started_on and since < latest.started_on:
            raise DomainValidationError.single(
                "legal_status_since", f"The new status cannot begin before the current one ({latest.started_on})."
            )
        LegalStatusPeriod.objects.create(child=child, status=legal_status, started_on=since, recorded_by=actor)
        lines.append(Chronicle(timezone.now(), "legal_status_changed",
                               f"Legal status changed from {child.get_legal_status_display()} to "
                               f"{LegalStatus(legal_status).label} from {since:%d/%m/%Y}."))
        child.legal_status = legal_status
    elif legal_status_since is not UNSET:
        # Correcting when the current status began: audited with before and after.
        current = child.legal_statuses.order_by(*NEWEST_FIRST).first()
        if current is not None and current.started_on != legal_status_since:
            LegalStatusPeriod.objects.filter(pk=current.pk).update(started_on=legal_status_since)

    if placement is not UNSET:
        current_placement = child_current_placement(child)
        if placement is None:
            if current_placement is not None:
                Placement.objects.filter(pk=current_placement.pk).update(ended_on=today)
                lines.append(Chronicle(timezone.now(), "placement_ended", "Placement ended."))
        elif placement_authority is not None and placement_differs(current_placement, placement):
            start = placement.started_on or today
            if current_placement is not None:
                Placement.objects.filter(pk=current_placement.pk).update(ended_on=start)
            placement_start(child, PlacementInput(**{**placement.__dict__, "started_on": start}),
                             placement_authority, actor)
            lines.append(Chronicle(timezone.now(), "placement_changed",
                                   f"Placed with {placement.provider or 'a provider'} in {placement_authority.name}."))
    child.save()
    changed = snapshot_changes(before, child_snapshot(child))
    # Legal status, placement, allocation, team and IRO change what every episode owes and
    # who owns it, and a corrected status or placement reaches past episodes too.
    casework_commit(actor=actor, child=child, chronicle=lines,
                    audit=Audit("update", "child", str(child.pk), {"changes": changed}) if changed else None,
                    reach=Reach.CHILD if changed else Reach.NONE)
    return child


