"""When the child is back: safe-and-well check, IRO, the offer of a return home interview.

DOMAIN.md section 3, rows `safe_and_well_check`, `iro_informed` and `rhi_offered`. Each
applies once `found_at` is known (the episode is returned); none is listed before, since
nobody knows when, or whether, the child will be found.
"""

from __future__ import annotations

from collections.abc import Iterator

from homeward.protocol.obligation import Draft
from homeward.protocol.rules.base import Context, Spec, done_by

SAFE_AND_WELL_CHECK = Spec(
    code="safe_and_well_check",
    title="Police safe-and-well check or prevention interview",
    responsible_role="police_liaison",
    rule=(
        "applies when the child has returned; arises at found_at; done when a safe-and-well "
        "check or prevention interview is recorded"
    ),
    citation=(
        'seed 000, "NCT Missing Children Team": "Upon children and young people returning or '
        "being found; Northamptonshire Police will carry out a 'Safe and well check'\"; seed "
        '004: "Police will undertake a face-to-face Prevention Interviews as soon as possible '
        'after the child has returned"'
    ),
)

IRO_INFORMED = Spec(
    code="iro_informed",
    title="Inform the Independent Reviewing Officer",
    responsible_role="social_worker",
    rule="applies when a looked-after child has returned; arises at found_at; done when recorded",
    citation=('seed 002, "When a Child Returns": "If the child is a child in our care, the IRO should be informed."'),
)

RHI_OFFERED = Spec(
    code="rhi_offered",
    title="Offer a return home interview",
    responsible_role="rhi_practitioner",
    rule=(
        "applies when the episode is classified missing, the child has returned and the home "
        "authority conducts the return interview (by where the child lives and who looks after "
        "them); arises at found_at, "
        "or at the practitioner's allocation where the protocol's rhi.clock is "
        '"allocation"; done when the offer is recorded'
    ),
    citation=(
        'seed 002, "When a Child Returns": "Within 72 hours of the child being located, a '
        'Return Home Conversation (RHC) should be offered."; seed 000: "aim to complete all '
        "RHI's within 72 hours of the child or young person being allocated to the "
        'practitioner"'
    ),
)

SPECS = (SAFE_AND_WELL_CHECK, IRO_INFORMED, RHI_OFFERED)


def safe_and_well_check(ctx: Context) -> Iterator[Draft]:
    """Seeds 000 ("NCT Missing Children Team") and 004 ("Prevention Interviews"): the
    police check on the child once returned."""
    if ctx.found_at is None:
        return
    yield ctx.draft(
        SAFE_AND_WELL_CHECK,
        arises_at=ctx.found_at,
        due_at=ctx.due(SAFE_AND_WELL_CHECK.code, ctx.found_at),
        trigger="found_at",
        trigger_at=ctx.found_at,
        done=done_by(ctx.first_action(SAFE_AND_WELL_CHECK.code)),
    )


def iro_informed(ctx: Context) -> Iterator[Draft]:
    """Seed 002, "When a Child Returns": the IRO of a child in care is informed."""
    if ctx.found_at is None or not ctx.looked_after:
        return
    yield ctx.draft(
        IRO_INFORMED,
        arises_at=ctx.found_at,
        due_at=ctx.due(IRO_INFORMED.code, ctx.found_at),
        trigger="found_at",
        trigger_at=ctx.found_at,
        done=done_by(ctx.first_action(IRO_INFORMED.code)),
    )


def rhi_offered(ctx: Context) -> Iterator[Draft]:
    """Seed 002, "When a Child Returns" (offer within 72 hours of being located) and seed
    000, "NCT Missing Children Team" (72 hours from allocation to the practitioner).

    With rhi.clock "allocation" it is not listed until a practitioner is allocated, and the
    clock never starts before `found_at`. An episode reclassified as missing after the
    child's return owes the offer from the reclassification: the row applies only from then.
    """
    if ctx.missing_from is None or ctx.found_at is None or not ctx.routing.conducted_by_home:
        return
    trigger, started = "found_at", ctx.found_at
    if ctx.version.rhi_clock == "allocation":
        allocated_at = ctx.known(ctx.episode.rhi.allocated_at)
        if allocated_at is None:
            return
        if allocated_at > started:
            trigger, started = "rhi allocated_at", allocated_at
    notes = [ctx.routing.reason]
    if ctx.missing_from > started:
        trigger, started = "reclassified_missing_at", ctx.missing_from
        notes.append(ctx.reclassified_note())
    offered_at = ctx.known(ctx.episode.rhi.offered_at)
    yield ctx.draft(
        RHI_OFFERED,
        arises_at=started,
        due_at=ctx.due(RHI_OFFERED.code, started),
        trigger=trigger,
        trigger_at=started,
        done=(offered_at, None) if offered_at is not None else None,
        policy_value=(f"{ctx.deadline_value(RHI_OFFERED.code)}; rhi.clock = {ctx.version.rhi_clock}"),
        note="; ".join(notes),
    )


RULES = (safe_and_well_check, iro_informed, rhi_offered)
