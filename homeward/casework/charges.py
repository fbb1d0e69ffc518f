"""Charges for exceptional return interviews (DOMAIN.md section 4; seed 001: the MCT conducts
another authority's interview "only in exceptional circumstances where a clear, immediate
safeguarding need arises for which they will then seek to charge a fee").

Raised through the casework write path when such an interview is authorised: the placing
authority, the episode, the interview's date and the protocol's fee (`charges.rhi_fee`, for the
outcomes in `charges.rhi_outcomes`), one per episode. Never deleted: withdrawn with a reason.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from homeward.accounts.models import User
from homeward.accounts.permissions import Capability, require
from homeward.charges.models import Charge
from homeward.common.errors import DomainValidationError, FieldError
from homeward.common.text import check_free_text
from homeward.common.timeutil import LONDON, local_date
from homeward.episodes.models import Episode
from homeward.interviews.models import ReturnInterview
from homeward.obligations.protocol_source import active_protocol

from .commit import Audit, Chronicle, Reach, casework_commit


def charge_snapshot(charge: Charge) -> dict[str, object]:
    return {"authority": charge.authority.code, "episode": charge.episode_id,
            "interview_on": charge.interview_on.isoformat(), "fee": charge.fee, "protocol": charge.protocol,
            "withdrawn_at": charge.withdrawn_at.isoformat() if charge.withdrawn_at else None,
            "withdrawn_reason": charge.withdrawn_reason}


def charge_for_authorised_interview(*, actor: User, episode: Episode, rhi: ReturnInterview) -> Charge | None:
    """Raise the charge for an exceptional interview just authorised, when it is one: another
    authority's child placed here (`rhi_chargeable`) interviewed by the home authority
    (`rhi_exceptional`), with an outcome the protocol charges for. None otherwise, or when the
    episode already has its charge. Called inside `rhi_authorise`'s transaction."""
    if not (episode.rhi_chargeable and episode.rhi_exceptional) or rhi.authorised_at is None:
        return None
    version = active_protocol().version_for(episode.reported_at)
    if rhi.outcome not in version.rhi_charged_outcomes or rhi.conducted_at is None:
        return None
    if Charge.objects.filter(episode=episode).exists():
        return None
    child = episode.child
    charge = Charge.objects.create(
        episode=episode, authority=child.responsible_authority, interview_on=local_date(rhi.conducted_at),
        fee_pence=version.rhi_fee_pence, protocol=version.label, raised_at=rhi.authorised_at, raised_by=actor,
    )
    authority = child.responsible_authority
    casework_commit(
        actor=actor, child=child.pk, episode=episode, event="charge_raised", reach=Reach.NONE,
        chronicle=Chronicle(rhi.authorised_at, "charge_raised",
                            f"Charge of £{charge.fee} raised to {authority.name} ({authority.code}) for the "
                            f"exceptional return interview of {charge.interview_on:%d/%m/%Y}."),
        audit=Audit("create", "charge", str(charge.pk), charge_snapshot(charge)),
    )
    return charge


@transaction.atomic
def charge_withdraw(*, actor: User, charge: Charge, withdrawn_at: datetime, reason: str) -> Charge:
    """Withdraw a charge raised in error (never deleted): when and why, by whom."""
    require(actor, Capability.CHARGE_WITHDRAW)
    charge = Charge.objects.select_for_update(of=("self",)).select_related("episode", "authority").get(pk=charge.pk)
    errors: list[FieldError] = []
    if charge.withdrawn_at is not None:
        errors.append(FieldError("charge", "This charge was already withdrawn "
                                           f"({charge.withdrawn_at.astimezone(LONDON):%d/%m/%Y %H:%M})."))
    if not reason.strip():
        errors.append(FieldError("reason", "Say why the charge is withdrawn."))
    check_free_text("reason", reason, errors, "The reason")
    if withdrawn_at > timezone.now() + timedelta(minutes=5):
        errors.append(FieldError("withdrawn_at", "This time is in the future."))
    elif withdrawn_at < charge.raised_at:
        errors.append(FieldError("withdrawn_at", "A charge cannot be withdrawn before it was raised."))
    if errors:
        raise DomainValidationError(errors)
    before = charge_snapshot(charge)
    charge.withdrawn_at = withdrawn_at
    charge.withdrawn_by = actor
    charge.withdrawn_reason = reason.strip()
    charge.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_reason", "updated_at"])
    episode = charge.episode
    casework_commit(
        actor=actor, child=episode.child_id, episode=episode, event="charge_withdrawn", reach=Reach.NONE,
        chronicle=Chronicle(withdrawn_at, "charge_withdrawn",
                            f"Charge of £{charge.fee} to {charge.authority.name} withdrawn: {charge.withdrawn_reason}"),
        audit=Audit("update", "charge", str(charge.pk), {"before": before, "after": charge_snapshot(charge)}),
    )
    return charge
