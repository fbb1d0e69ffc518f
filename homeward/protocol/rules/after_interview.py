"""After the return home interview: authorisation, sharing, the child's plan.

DOMAIN.md section 3, rows `rhi_authorised`, `rhi_shared` and `plan_updated`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from homeward.protocol.obligation import Draft
from homeward.protocol.rules.base import Context, Spec, done_by

RHI_AUTHORISED = Spec(
    code="rhi_authorised",
    title="Authorise the return home interview",
    responsible_role="coordinator",
    rule=(
        "applies once a return home interview is recorded; arises when it was completed; "
        "done when the co-ordinator's authorisation is recorded"
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
        "applies once the interview is authorised; arises then; done when it has been shared "
        "with the police, the social worker and the IRO (where the child has one)"
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
        "applies once the interview is authorised; arises then; done when the child's plan or "
        "missing action plan is recorded as updated"
    ),
    citation=(
        'seed 000, "Social Worker Visits": "It is essential that information obtained from the '
        'RHI is reviewed in order to identify necessary actions."; seed 002: "This information '
        'will inform an updated risk analysis and safety plan."; seed 003: "Do you use the '
        'information from the missing, found and return interviews to inform your ongoing plan?"'
    ),
)

SPECS = (RHI_AUTHORISED, RHI_SHARED, PLAN_UPDATED)


def rhi_authorised(ctx: Context) -> Iterator[Draft]:
    """Seed 000, "Flowchart One": the co-ordinator authorises each interview."""
    completed_at = ctx.known(ctx.episode.rhi.completed_at)
    if completed_at is None:
        return
    authorised_at = ctx.known(ctx.episode.rhi.authorised_at)
    yield ctx.draft(
        RHI_AUTHORISED,
        arises_at=completed_at,
        due_at=ctx.due(RHI_AUTHORISED.code, completed_at),
        trigger="rhi completed_at",
        trigger_at=completed_at,
        done=(authorised_at, None) if authorised_at is not None else None,
    )


def _shared_to_all(ctx: Context) -> datetime | None:
    """The instant by which the interview had reached every recipient it must reach."""
    needed = {"police", "social_worker"} | ({"iro"} if ctx.child.has_iro else set())
    reached: set[str] = set()
    sharings = sorted(
        (s for s in ctx.episode.rhi.sharings if s.shared_at <= ctx.as_of),
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
    sharings add up)."""
    authorised_at = ctx.known(ctx.episode.rhi.authorised_at)
    if authorised_at is None:
        return
    shared_at = _shared_to_all(ctx)
    yield ctx.draft(
        RHI_SHARED,
        arises_at=authorised_at,
        due_at=ctx.due(RHI_SHARED.code, authorised_at),
        trigger="rhi authorised_at",
        trigger_at=authorised_at,
        done=(shared_at, None) if shared_at is not None else None,
        note="recipients: police, social worker" + (", IRO" if ctx.child.has_iro else ""),
    )


def plan_updated(ctx: Context) -> Iterator[Draft]:
    """Seeds 000 ("Social Worker Visits"), 002 ("When a Child Returns") and 003 ("Questions
    to ask yourself"): what the interview found changes the child's plan."""
    authorised_at = ctx.known(ctx.episode.rhi.authorised_at)
    if authorised_at is None:
        return
    yield ctx.draft(
        PLAN_UPDATED,
        arises_at=authorised_at,
        due_at=ctx.due(PLAN_UPDATED.code, authorised_at),
        trigger="rhi authorised_at",
        trigger_at=authorised_at,
        done=done_by(ctx.first_action(PLAN_UPDATED.code)),
    )


RULES = (rhi_authorised, rhi_shared, plan_updated)
