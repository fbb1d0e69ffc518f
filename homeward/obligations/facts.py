"""Facts for the pure protocol engine, built from database rows."""

from __future__ import annotations

from datetime import date

import holidays

from homeward.children.models import OLDEST_FIRST, Child
from homeward.protocol import facts as pf

_FAR_PAST = date(1900, 1, 1)


def bank_holidays(years: range) -> frozenset[date]:
    """The bank holidays of England and Wales (the `holidays` package's England subdivision
    matches Wales's list)."""
    calendar = holidays.country_holidays("GB", subdiv="ENG", years=list(years))
    return frozenset(calendar.keys())


def child_facts(child: Child) -> pf.ChildFacts:
    periods = tuple(
        pf.LegalStatusPeriod(status=p.status, started_on=p.started_on or _FAR_PAST)  # type: ignore[arg-type]
        for p in child.legal_statuses.order_by(*OLDEST_FIRST)
    )
    placements = tuple(
        pf.Placement(authority=p.authority.code, started_on=p.started_on or _FAR_PAST, ended_on=p.ended_on)
        for p in child.placements.select_related("authority").order_by(*OLDEST_FIRST)
    )
    return pf.ChildFacts(
        date_of_birth=child.date_of_birth,
        responsible_authority=child.responsible_authority.code,
        legal_status_history=periods,
        placements=placements,
        has_iro=child.iro_id is not None,
        allocated=child.allocated_worker_id is not None,
    )
