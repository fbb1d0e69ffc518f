"""Reading charges for exceptional interviews, through the access choke point."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from django.db.models import QuerySet

from homeward.accounts.models import User
from homeward.accounts.permissions import Capability, require, visible_children
from homeward.common.errors import NotFound
from homeward.common.text import csv_cell

from .models import Charge

CSV_COLUMNS = ("charge", "authority_code", "authority", "episode", "child", "child_name", "interview_on",
               "fee", "raised_at", "withdrawn_at", "withdrawn_reason")


def charge_list_for_user(user: User, *, include_withdrawn: bool = True) -> QuerySet[Charge]:
    """Charges on episodes of children the person may see (403 for roles that do not read them)."""
    require(user, Capability.CHARGE_READ)
    charges = Charge.objects.filter(episode__child__in=visible_children(user)).select_related(
        "authority", "episode__child", "raised_by", "withdrawn_by")
    if not include_withdrawn:
        charges = charges.filter(withdrawn_at__isnull=True)
    return charges.order_by("-raised_at", "-id")


def charge_get_for_user(user: User, charge_id: int) -> Charge:
    charge = charge_list_for_user(user).filter(pk=charge_id).first()
    if charge is None:
        raise NotFound
    return charge


def charges_csv(charges: Iterable[Charge]) -> str:
    """The charges for finance, one row each: the placing authority, the episode and child,
    the interview's date (DD/MM/YYYY), the fee in pounds, when raised and any withdrawal."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for charge in charges:
        child = charge.episode.child
        writer.writerow([csv_cell(cell) for cell in (
            charge.pk, charge.authority.code, charge.authority.name, charge.episode_id,
            child.external_id, f"{child.given_name} {child.family_name}".strip(),
            f"{charge.interview_on:%d/%m/%Y}", charge.fee, charge.raised_at.isoformat(),
            charge.withdrawn_at.isoformat() if charge.withdrawn_at else "", charge.withdrawn_reason,
        )])
    return out.getvalue()
