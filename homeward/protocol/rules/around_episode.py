"""Around the episode: the missing child action plan and the social worker's return visit.

DOMAIN.md section 3, rows `action_plan` and `return_visit`, and section 5a. The action plan
is seed 003's ("You must ensure that you record a missing child action plan for every
missing episode"); the visit is seed 000's ("Social Worker Visits").
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from homeward.protocol.facts import ReturnVisit
from homeward.protocol.obligation import Draft
from homeward.protocol.rules.base import Context, Spec, done_by

ACTION_PLAN = Spec(
    code="action_plan",
    title="Record the missing child action plan",
    responsible_role="social_worker",
    rule=(
        "applies to every episode (an imported historical one owes nothing); arises at "
        "reported_at; done when the missing child action plan (agreed actions, who keeps "
        "contact with the child, what the family is told, the plan for the return) is "
        "recorded (from missing_since on)"
    ),
    citation=(
        'seed 003, "Children placed in Sandwell who are reported as missing": "You must ensure '
        'that you record a missing child action plan for every missing episode."; seed 004, '
        '"Planning for Return": "from the moment a child is reported as missing, their '
        "parents/carers, Social Worker and Police will also start planning for when they are "
        'found"'
    ),
)

RETURN_VISIT = Spec(
    code="return_visit",
    title="Visit the child after the return",
    responsible_role="social_worker",
    rule=(
        "applies when the child has returned and has an allocated social worker; arises at "
        "found_at; done when the social worker's visit after the return (what was discussed "
        "about the episode and its prevention) is recorded (from found_at on)"
    ),
    citation=(
        'seed 000, "Social Worker Visits": "social work visits must include discussions about '
        "the missing episode (having taken into account the information from the RHI) and what "
        'can be done to prevent the child or young person from going missing again."'
    ),
)

SPECS = (ACTION_PLAN, RETURN_VISIT)


def action_plan(ctx: Context) -> Iterator[Draft]:
    """Seed 003: a missing child action plan for every missing episode, from the report.
    Done by the first plan recorded from `missing_since` on."""
    reported_at = ctx.episode.reported_at
    yield ctx.draft(
        ACTION_PLAN,
        arises_at=reported_at,
        due_at=ctx.due(ACTION_PLAN.code, reported_at),
        trigger="reported_at",
        trigger_at=reported_at,
        done=done_by(ctx.first_action(ACTION_PLAN.code, ctx.missing_since)),
        deadline_from="the report",
    )


def visits_since_return(ctx: Context) -> tuple[ReturnVisit, ...]:
    """The return visits known by `as_of` made from the return on, earliest first."""
    found_at = ctx.found_at
    if found_at is None:
        return ()
    made = (v for v in ctx.episode.return_visits if found_at <= v.visited_at <= ctx.as_of)
    return tuple(sorted(made, key=lambda v: v.visited_at))


def _visit_done(visit: ReturnVisit | None) -> tuple[datetime, datetime | None] | None:
    return (visit.visited_at, visit.recorded_at) if visit is not None else None


def return_visit(ctx: Context) -> Iterator[Draft]:
    """Seed 000, "Social Worker Visits": the allocated social worker visits the child after
    the return. Applies once the child has returned, when the child has an allocated social
    worker; done by the first visit from the return on."""
    if ctx.found_at is None or not ctx.child.allocated:
        return
    visits = visits_since_return(ctx)
    yield ctx.draft(
        RETURN_VISIT,
        arises_at=ctx.found_at,
        due_at=ctx.due(RETURN_VISIT.code, ctx.found_at),
        trigger="found_at",
        trigger_at=ctx.found_at,
        done=_visit_done(visits[0] if visits else None),
        deadline_from="the child coming back",
    )


RULES = (action_plan, return_visit)
