"""After the return home interview: authorisation, sharing, the child's plan.

DOMAIN.md section 3, rows `rhi_authorised`, `rhi_shared` and `plan_updated`. An
authorised interview is locked: an amendment is a new version that needs authorising and
sharing again (`RhiAmendment`); the child's plan is updated once, from the first
authorisation.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from homeward.protocol.facts import RhiAmendment
from homeward.protocol.obligation import Draft
from homeward.protocol.rules.base import Context, Spec, done_at, done_by

RHI_AUTHORISED = Spec(
    code="rhi_authorised",
    title="Authorise the return home interview",
    responsible_role="coordinator",
    rule=(
        "applies once a return home interview is recorded; arises when it was completed; "
        "done when the co-ordinator's authorisation (from then on) is recorded; each "
        "amendment of the authorised interview arises again and is done by its own "
        "authorisation"
    ),
    citation=(
        'seed 000, "Flowchart One": "The missing co-ordinator allocates each found young '
        "person to a professional ... oversees the interviews and authorises the RHI with "
        'recommendations and onward referrals following the interview."'
    ),
)

RHI_SHARED = Spec(
    code="rhi_shared",
    title="Share the authorised return home interview",
    responsible_role="mct_admin",
    rule=(
        "applies once the interview is authorised; arises then, and again when an amendment "
        "is authorised; done when, from its arising on, it has been shared with the police, "
        "the social worker and the IRO (where the child has one)"
    ),
    citation=(
        'seed 000, "Flowchart One": "MCT send a copy of the completed and authorised RHI to '
        "Northamptonshire police and the child/young persons Social Worker and IRO, if they "
        'have one."'
    ),
)

PLAN_UPDATED = Spec(
    code="plan_updated",
    title="Update the child's plan or missing action plan",
    responsible_role="social_worker",
    rule=(
        "applies once the interview is first authorised; arises then; done when the child's "
        "plan or missing action plan is recorded as updated from then on"
    ),
    citation=(
        'seed 000, "Social Worker Visits": "It is essential that information obtained from the '
        'RHI is reviewed in order to identify necessary actions."; seed 002: "This information '
        'will inform an updated risk analysis and safety plan."; seed 003: "Do you use the '
        'information from the missing, found and return interviews to inform your ongoing plan?"'
    ),
)

SPECS = (RHI_AUTHORISED, RHI_SHARED, PLAN_UPDATED)


def _amendments(ctx: Context, authorised_at: datetime | None) -> list[RhiAmendment]:
    """The amendments known by `as_of` of an interview first authorised at
    `authorised_at`, earliest first; only an authorised interview can be amended, so
    amendments before the first authorisation are not read."""
    if authorised_at is None:
        return []
    found = (a for a in ctx.episode.rhi.amendments if authorised_at <= a.amended_at <= ctx.as_of)
    return sorted(found, key=lambda a: a.amended_at)


def _from(instant: datetime | None, start: datetime, ctx: Context) -> datetime | None:
    """`instant` if it is known by `as_of` and not before `start`."""
    known = ctx.known(instant)
    return known if known is not None and known >= start else None


def rhi_authorised(ctx: Context) -> Iterator[Draft]:
    """Seed 000, "Flowchart One": the co-ordinator authorises each interview.

    Instance 1 arises when the interview was completed and is done by the authorisation
    from then on; instance k + 1 arises at amendment k and is done by that amendment's
    authorisation from then on (DOMAIN.md section 3: an amendment is a new version that
    needs authorising again)."""
    rhi = ctx.episode.rhi
    completed_at = ctx.known(rhi.completed_at)
    if completed_at is None:
        return
    authorised_at = ctx.known(rhi.authorised_at)
    yield ctx.draft(
        RHI_AUTHORISED,
        arises_at=completed_at,
        due_at=ctx.due(RHI_AUTHORISED.code, completed_at),
        trigger="rhi completed_at",
        trigger_at=completed_at,
        done=done_at(_from(authorised_at, completed_at, ctx)),
        deadline_from="the interview",
    )
    for number, amendment in enumerate(_amendments(ctx, authorised_at), start=2):
        yield ctx.draft(
            RHI_AUTHORISED,
            instance=number,
            arises_at=amendment.amended_at,
            due_at=ctx.due(RHI_AUTHORISED.code, amendment.amended_at),
            trigger="rhi amended_at",
            trigger_at=amendment.amended_at,
            done=done_at(_from(amendment.authorised_at, amendment.amended_at, ctx)),
            deadline_from="the amendment",
            note=f"version {number} of the interview",
        )


def _shared_to_all(ctx: Context, start: datetime) -> datetime | None:
    """The instant by which the interview had reached every recipient it must reach,
    counting the sharings from `start` to `as_of`."""
    needed = {"police", "social_worker"} | ({"iro"} if ctx.child.has_iro else set())
    reached: set[str] = set()
    sharings = sorted(
        (s for s in ctx.episode.rhi.sharings if start <= s.shared_at <= ctx.as_of),
        key=lambda s: s.shared_at,
    )
    for sharing in sharings:
        reached |= sharing.recipients
        if needed <= reached:
            return sharing.shared_at
    return None


def rhi_shared(ctx: Context) -> Iterator[Draft]:
    """Seed 000, "Flowchart One": the authorised interview goes to the police, the social
    worker and the IRO if there is one. Done when the last of them has it (several
    sharings add up), counting only sharings from its arising on. Instance 1 arises at the
    first authorisation, instance k + 1 at the authorisation of amendment k (none while
    that amendment is not authorised)."""
    rhi = ctx.episode.rhi
    authorised_at = ctx.known(rhi.authorised_at)
    if authorised_at is None:
        return
    note = "recipients: police, social worker" + (", IRO" if ctx.child.has_iro else "")
    arisings = [(1, "rhi authorised_at", authorised_at, note)]
    for number, amendment in enumerate(_amendments(ctx, authorised_at), start=2):
        amendment_authorised = _from(amendment.authorised_at, amendment.amended_at, ctx)
        if amendment_authorised is not None:
            arisings.append((number, "rhi amendment authorised_at", amendment_authorised, f"version {number}; {note}"))
    for instance, trigger, arises, why in arisings:
        yield ctx.draft(
            RHI_SHARED,
            instance=instance,
            arises_at=arises,
            due_at=ctx.due(RHI_SHARED.code, arises),
            trigger=trigger,
            trigger_at=arises,
            done=done_at(_shared_to_all(ctx, arises)),
            deadline_from="the authorisation",
            note=why,
        )


def plan_updated(ctx: Context) -> Iterator[Draft]:
    """Seeds 000 ("Social Worker Visits"), 002 ("When a Child Returns") and 003 ("Questions
    to ask yourself"): what the interview found changes the child's plan. Once, from the
    first authorisation; done by the first update recorded from then on."""
    authorised_at = ctx.known(ctx.episode.rhi.authorised_at)
    if authorised_at is None:
        return
    yield ctx.draft(
        PLAN_UPDATED,
        arises_at=authorised_at,
        due_at=ctx.due(PLAN_UPDATED.code, authorised_at),
        trigger="rhi authorised_at",
        trigger_at=authorised_at,
        done=done_by(ctx.first_action(PLAN_UPDATED.code, authorised_at)),
        deadline_from="the authorisation",
    )


RULES = (rhi_authorised, rhi_shared, plan_updated)
