"""When the child is back: safe-and-well check, IRO, the return home interview's
allocation, offer and completion.

DOMAIN.md section 3, rows `safe_and_well_check`, `iro_informed`, `rhi_allocated`,
`rhi_offered` and `rhi_completed`. Each applies once `found_at` is known (the episode is
returned); none is listed before, since nobody knows when, or whether, the child will be
found. Each is done only by a record from the return (or the allocation) on.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import NamedTuple

from homeward.protocol.obligation import Draft
from homeward.protocol.rules.base import Context, Spec, done_at, done_by

SAFE_AND_WELL_CHECK = Spec(
    code="safe_and_well_check",
    title="Police safe-and-well check or prevention interview",
    responsible_role="police_liaison",
    rule=(
        "applies when the child has returned; arises at found_at; done when a safe-and-well "
        "check or prevention interview is recorded (from found_at on)"
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
    rule="applies when a looked-after child has returned; arises at found_at; done when recorded (from found_at on)",
    citation=('seed 002, "When a Child Returns": "If the child is a child in our care, the IRO should be informed."'),
)

RHI_ALLOCATED = Spec(
    code="rhi_allocated",
    title="Allocate the return home interview",
    responsible_role="coordinator",
    rule=(
        "applies when rhi_offered does (classified missing, returned, the home authority "
        "conducts the interview), whatever the rhi.clock; arises at found_at, or at the "
        "reclassification to missing if later; done when a practitioner is first allocated "
        "(from found_at on)"
    ),
    citation=(
        'seed 000, "Flowchart One": "The missing co-ordinator allocates each found young '
        "person to a professional (usually in the young peoples service) to conduct a Return "
        'Home Interview"'
    ),
)

RHI_OFFERED = Spec(
    code="rhi_offered",
    title="Offer a return home interview",
    responsible_role="rhi_practitioner",
    rule=(
        "applies when the episode is classified missing, the child has returned and the home "
        "authority conducts the return interview (by where the child lives and who looks after "
        "them); arises at found_at (or at the reclassification to missing if later), "
        "or at the practitioner's first allocation where the protocol's rhi.clock is "
        '"allocation"; done when the first offer from found_at on is recorded'
    ),
    citation=(
        'seed 002, "When a Child Returns": "Within 72 hours of the child being located, a '
        'Return Home Conversation (RHC) should be offered."; seed 000: "aim to complete all '
        "RHI's within 72 hours of the child or young person being allocated to the "
        'practitioner"'
    ),
)

RHI_COMPLETED = Spec(
    code="rhi_completed",
    title="Complete the return home interview",
    responsible_role="rhi_practitioner",
    rule=(
        "applies when the protocol's rhi.completion_duty is on, rhi_offered applies and a "
        "practitioner has been allocated; arises at the first allocation (never before "
        "rhi_offered's found clock); done when the interview is recorded from then on, "
        "whatever its outcome (accepted, declined or no contact)"
    ),
    citation=(
        'seed 000, "NCT Missing Children Team": "The MCT will then arrange to carry out a '
        "Return Home Interview (RHI) and aim to complete all RHI's within 72 hours of the "
        'child or young person being allocated to the practitioner."'
    ),
)

SPECS = (SAFE_AND_WELL_CHECK, IRO_INFORMED, RHI_ALLOCATED, RHI_OFFERED, RHI_COMPLETED)


def safe_and_well_check(ctx: Context) -> Iterator[Draft]:
    """Seeds 000 ("NCT Missing Children Team") and 004 ("Prevention Interviews"): the
    police check on the child once returned. Done by the first check recorded from the
    return on."""
    if ctx.found_at is None:
        return
    yield ctx.draft(
        SAFE_AND_WELL_CHECK,
        arises_at=ctx.found_at,
        due_at=ctx.due(SAFE_AND_WELL_CHECK.code, ctx.found_at),
        trigger="found_at",
        trigger_at=ctx.found_at,
        done=done_by(ctx.first_action(SAFE_AND_WELL_CHECK.code, ctx.found_at)),
        deadline_from="the child coming back",
    )


def iro_informed(ctx: Context) -> Iterator[Draft]:
    """Seed 002, "When a Child Returns": the IRO of a child in care is informed. Done by
    the first record from the return on."""
    if ctx.found_at is None or not ctx.looked_after:
        return
    yield ctx.draft(
        IRO_INFORMED,
        arises_at=ctx.found_at,
        due_at=ctx.due(IRO_INFORMED.code, ctx.found_at),
        trigger="found_at",
        trigger_at=ctx.found_at,
        done=done_by(ctx.first_action(IRO_INFORMED.code, ctx.found_at)),
        deadline_from="the child coming back",
    )


_FROM = {
    "found_at": "the child coming back",
    "reclassified_missing_at": "the reclassification as missing",
    "rhi allocated_at": "the allocation to a practitioner",
}


class _Clock(NamedTuple):
    trigger: str
    started: datetime
    found_at: datetime
    notes: list[str]


def _found_clock(ctx: Context) -> _Clock | None:
    """When the return interview chain starts on the "found" clock, or None where it does
    not apply: the episode is classified missing, the child has returned and the home
    authority conducts the interview (DOMAIN.md section 4). An episode reclassified as
    missing after the return owes it from the reclassification: the row applies only from
    then."""
    if ctx.missing_from is None or ctx.found_at is None or not ctx.routing.conducted_by_home:
        return None
    notes = [ctx.routing.reason]
    if ctx.missing_from > ctx.found_at:
        notes.append(ctx.reclassified_note())
        return _Clock("reclassified_missing_at", ctx.missing_from, ctx.found_at, notes)
    return _Clock("found_at", ctx.found_at, ctx.found_at, notes)


def _first_allocation(ctx: Context) -> datetime | None:
    return ctx.known(ctx.episode.rhi.allocated_at)


def rhi_allocated(ctx: Context) -> Iterator[Draft]:
    """Seed 000, "Flowchart One": the missing co-ordinator allocates each found young
    person to a professional to conduct the interview.

    Applies exactly when `rhi_offered` does, whatever the rhi.clock, and arises when its
    "found" clock would start. Done by the first allocation, if made from the return on
    (re-allocations are not passed in: they never move it)."""
    clock = _found_clock(ctx)
    if clock is None:
        return
    allocated_at = _first_allocation(ctx)
    if allocated_at is not None and allocated_at < clock.found_at:
        allocated_at = None
    yield ctx.draft(
        RHI_ALLOCATED,
        arises_at=clock.started,
        due_at=ctx.due(RHI_ALLOCATED.code, clock.started),
        trigger=clock.trigger,
        trigger_at=clock.started,
        done=done_at(allocated_at),
        deadline_from=_FROM[clock.trigger],
        note="; ".join(clock.notes),
    )


def _first_offer(ctx: Context, start: datetime) -> datetime | None:
    """The earliest offer known by `as_of` at or after `start`: every offer where the
    Django side passes them (`offers`), else `offered_at`."""
    rhi = ctx.episode.rhi
    offers = rhi.offers or ((rhi.offered_at,) if rhi.offered_at is not None else ())
    made = [t for t in offers if start <= t <= ctx.as_of]
    return min(made) if made else None


def rhi_offered(ctx: Context) -> Iterator[Draft]:
    """Seed 002, "When a Child Returns" (offer within 72 hours of being located) and seed
    000, "NCT Missing Children Team" (72 hours from allocation to the practitioner).

    With rhi.clock "allocation" it arises at the practitioner's first allocation (never
    before `found_at`; re-allocating never moves it) and is not listed before it
    (`rhi_allocated` covers that time). An episode reclassified as missing after the
    child's return, or after the allocation, owes the offer from the reclassification.
    Done by the first offer made from the return on.
    """
    clock = _found_clock(ctx)
    if clock is None:
        return
    trigger, started = "found_at", clock.found_at
    if ctx.version.rhi_clock == "allocation":
        allocated_at = _first_allocation(ctx)
        if allocated_at is None:
            return
        if allocated_at > started:
            trigger, started = "rhi allocated_at", allocated_at
    if clock.started > started:
        trigger, started = clock.trigger, clock.started
    yield ctx.draft(
        RHI_OFFERED,
        arises_at=started,
        due_at=ctx.due(RHI_OFFERED.code, started),
        trigger=trigger,
        trigger_at=started,
        done=done_at(_first_offer(ctx, clock.found_at)),
        deadline_from=_FROM[trigger],
        policy_value=(f"{ctx.deadline_value(RHI_OFFERED.code)}; rhi.clock = {ctx.version.rhi_clock}"),
        note="; ".join(clock.notes),
    )


def rhi_completed(ctx: Context) -> Iterator[Draft]:
    """Seed 000, "NCT Missing Children Team": "aim to complete all RHI's within 72 hours
    of the child or young person being allocated to the practitioner".

    Only where the protocol turns it on (rhi.completion_duty). Applies when `rhi_offered`
    does and a practitioner has been allocated; arises at the first allocation, or at
    `rhi_offered`'s found clock if that is later (allocated before the return, or before
    the reclassification to missing); done when the interview is recorded from then on,
    whatever its outcome (accepted, declined or no contact).
    """
    if not ctx.version.rhi_completion_duty:
        return
    clock = _found_clock(ctx)
    allocated_at = _first_allocation(ctx)
    if clock is None or allocated_at is None:
        return
    trigger, started = clock.trigger, clock.started
    if allocated_at >= started:
        trigger, started = "rhi allocated_at", allocated_at
    completed_at = ctx.known(ctx.episode.rhi.completed_at)
    if completed_at is not None and completed_at < started:
        completed_at = None
    yield ctx.draft(
        RHI_COMPLETED,
        arises_at=started,
        due_at=ctx.due(RHI_COMPLETED.code, started),
        trigger=trigger,
        trigger_at=started,
        done=done_at(completed_at),
        deadline_from=_FROM[trigger],
        policy_value=f"{ctx.deadline_value(RHI_COMPLETED.code)}; rhi.completion_duty = true",
        note="; ".join(clock.notes),
    )


RULES = (safe_and_well_check, iro_informed, rhi_allocated, rhi_offered, rhi_completed)
