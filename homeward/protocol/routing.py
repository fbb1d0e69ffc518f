"""Who conducts the return interview, and who must be told: DOMAIN.md section 4.

Both read the child's legal status and placement in force on the Europe/London date of
`missing_since` (DOMAIN.md section 3, last sentence).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from homeward.protocol.calendar import local_date
from homeward.protocol.facts import ChildFacts
from homeward.protocol.policy import ProtocolVersion
from homeward.protocol.sources import guidance_name

Event = Literal["reported", "returned"]

#: Stable recipient codes, in the order `notification_recipients` returns them.
RECIPIENTS: tuple[str, ...] = (
    "allocated_social_worker",
    "front_door",
    "team_manager",
    "edt",
    "mct",
    "host_authority",
    "placing_authority",
    "responsible_authority",
    "iro",
    "police",
)


@dataclass(frozen=True)
class RhiRouting:
    """Who conducts the return home interview.

    `authority`: the DfE LA code of the authority that conducts it. `out_of_area`: a home
    authority's looked-after child placed outside the home authority, neighbours included
    (DOMAIN.md section 4). `neighbouring`: that placement lies in one of the protocol's
    neighbouring authorities (seed 001's pilot). `placing_authority_child`: another
    authority's looked-after child placed in the home authority, which owes only its own
    duties (the placing authority's are shown for information). `chargeable`: a return
    interview the home authority conducts for this child is chargeable to the placing
    authority (another authority's looked-after child placed here; seed 001).
    `conducted_by_home`: the home authority conducts it, so the return-interview
    obligations (`rhi_allocated`, `rhi_offered`, ...) apply.
    """

    authority: str
    out_of_area: bool
    chargeable: bool
    conducted_by_home: bool
    neighbouring: bool
    placing_authority_child: bool
    reason: str


def route_return_interview(
    *,
    child: ChildFacts,
    home_authority: str,
    policy: ProtocolVersion,
    missing_since: datetime,
    exceptional: bool = False,
) -> RhiRouting:
    """Section 4's table; seed 000 ("It is the responsibility of the NCT to conduct all the
    return interview with any young person who lives out of Northamptonshire, but are the
    responsibility of NCT") and seed 001 (placing authorities conduct their own, the
    neighbouring-authority pilot, exceptional cases charged a fee).

    `exceptional`: for another authority's child placed here, an immediate safeguarding
    need makes the home authority conduct it (chargeable). A looked-after child of the
    home authority with no placement recorded is taken to be placed inside it.
    """
    day = local_date(missing_since)
    looked_after = child.legal_status_on(day) == "looked_after"
    placement = child.placement_on(day) if looked_after else None
    responsible = child.responsible_authority

    if responsible == home_authority:
        if placement is None or placement.authority == home_authority:
            where = "placed inside it" if looked_after else "lives in it"
            if looked_after and placement is None:
                where = "no placement recorded, taken to be inside it"
            return RhiRouting(
                authority=home_authority,
                out_of_area=False,
                chargeable=False,
                conducted_by_home=True,
                neighbouring=False,
                placing_authority_child=False,
                reason=f"the home authority's child ({where}): the home authority conducts it",
            )
        if placement.authority in policy.neighbouring_authorities:
            return RhiRouting(
                authority=home_authority,
                out_of_area=True,
                chargeable=False,
                conducted_by_home=True,
                neighbouring=True,
                placing_authority_child=False,
                reason=(
                    f"looked after by the home authority, placed out of area in neighbouring authority "
                    f"{placement.authority}: the home authority conducts it (the independent return "
                    f"interview pilot of the {guidance_name('001')}; {policy.label})"
                ),
            )
        return RhiRouting(
            authority=home_authority,
            out_of_area=True,
            chargeable=False,
            conducted_by_home=True,
            neighbouring=False,
            placing_authority_child=False,
            reason=(
                f"looked after by the home authority, placed out of area further away in "
                f"{placement.authority}: the home authority conducts it"
            ),
        )

    if placement is not None and placement.authority == home_authority:
        if exceptional:
            return RhiRouting(
                authority=home_authority,
                out_of_area=False,
                chargeable=True,
                conducted_by_home=True,
                neighbouring=False,
                placing_authority_child=True,
                reason=(
                    f"looked after by {responsible}, placed here, immediate safeguarding "
                    f"need: the home authority conducts it, chargeable to {responsible}"
                ),
            )
        return RhiRouting(
            authority=responsible,
            out_of_area=False,
            chargeable=True,
            conducted_by_home=False,
            neighbouring=False,
            placing_authority_child=True,
            reason=(
                f"looked after by {responsible}, placed here: the placing authority conducts "
                "it; the home authority only in exceptional circumstances, chargeable"
            ),
        )

    return RhiRouting(
        authority=responsible,
        out_of_area=False,
        chargeable=False,
        conducted_by_home=False,
        neighbouring=False,
        placing_authority_child=False,
        reason=f"the child's responsible authority is {responsible}: that authority conducts it",
    )


def notification_recipients(
    *,
    event: Event,
    child: ChildFacts,
    home_authority: str,
    missing_since: datetime,
    out_of_hours: bool,
) -> tuple[str, ...]:
    """Who must be told of a report or a return (section 4), as stable codes.

    On a report: the allocated social worker, or the front door / MASH where the case is
    unallocated (seed 002: "a referral should be made to the allocated worker (if known) or
    the Multi Agency Safeguarding Hub"); the team manager (seed 000); EDT when the event
    is out of hours (seed 000); the MCT; for a cross-border placement the host authority
    (the home authority's child placed elsewhere) or the placing authority (another
    authority's looked-after child); and, for a child who is not looked after and whose
    responsible authority is another one, that authority, which conducts the return
    interview. The team manager is always listed: for an unallocated case the caller
    resolves it to the front door's manager. On a return, also the IRO (where the child
    has one) and the police (seed 002: "Parents, carers and professionals should promptly
    inform the police ... If the child is a child in our care, the IRO should be
    informed").
    """
    day = local_date(missing_since)
    looked_after = child.legal_status_on(day) == "looked_after"
    placement = child.placement_on(day) if looked_after else None
    responsible = child.responsible_authority
    chosen: set[str] = {"team_manager", "mct"}
    chosen.add("allocated_social_worker" if child.allocated else "front_door")
    if out_of_hours:
        chosen.add("edt")
    if responsible == home_authority:
        if placement is not None and placement.authority != home_authority:
            chosen.add("host_authority")
    elif looked_after:
        chosen.add("placing_authority")
    else:
        chosen.add("responsible_authority")
    if event == "returned":
        chosen.add("police")
        if child.has_iro:
            chosen.add("iro")
    return tuple(code for code in RECIPIENTS if code in chosen)
