"""Telling people on a report: police, team manager, MCT, people with parental responsibility.

DOMAIN.md section 3, rows `police_informed`, `manager_informed`, `mct_notified` and
`parental_responsibility_informed`. Each arises at `reported_at` ("The investigation
begins at the point of first notification", seed 001) and is done by the first record of
it from `missing_since` on (a record before the child went missing is about something
else).
"""

from __future__ import annotations

from collections.abc import Iterator

from homeward.protocol.obligation import Draft
from homeward.protocol.rules.around_episode import visits_since_return
from homeward.protocol.rules.base import Context, Spec, done_at, done_by

POLICE_INFORMED = Spec(
    code="police_informed",
    title="Make sure the police have been told",
    responsible_role="social_worker",
    rule=(
        "applies when the episode was reported by anyone but the police; arises at "
        "reported_at; done when a police reference is recorded (from missing_since on)"
    ),
    citation=(
        'seed 002, "When a Child is Missing": "If the information about a child going missing '
        "were not reported to police, the worker should ensure that the child has been "
        "reported to the police by the parent or carer, and if this has not been done, report "
        'it themselves."'
    ),
)

MANAGER_INFORMED = Spec(
    code="manager_informed",
    title="Inform the team manager",
    responsible_role="social_worker",
    rule="applies to every episode; arises at reported_at; done when recorded (from missing_since on)",
    citation=(
        'seed 000, "Missing Child Strategy Meetings": "NCT Team Managers and Service Managers '
        "should be informed by the Social Worker when a child or young person is reported "
        'missing."'
    ),
)

MCT_NOTIFIED = Spec(
    code="mct_notified",
    title="Notify the Missing Children Team",
    responsible_role="social_worker",
    rule=(
        "applies when the child is looked after and placed outside the home authority at "
        "missing_since; arises at reported_at; due by the end of that day; done when the "
        "MCT notification is recorded (from missing_since on)"
    ),
    citation=(
        'seed 000, "Flowchart One": "If child is placed out of county the allocated Social '
        "Worker or EDT (if out of hours) notifies the NCT Missing Children's Team (MCT) of the "
        'missing episode, as soon as possible - before the close of the day"'
    ),
)

PARENTAL_RESPONSIBILITY_INFORMED = Spec(
    code="parental_responsibility_informed",
    title="Inform those with parental responsibility",
    responsible_role="social_worker",
    rule=(
        "applies when the child is looked after at missing_since; arises at reported_at; done "
        "when recorded (from missing_since on); and again at each return visit (instance 2, 3, "
        "...): done when those with parental responsibility are told of the visit and its "
        "outcome (from the visit on)"
    ),
    citation=(
        'seed 000, "Social Worker Visits": "For looked after children and young people, the '
        "allocated Social Worker must ensure those with parental responsibility are informed "
        'about the missing episode, subsequent visits and outcomes from the visits."'
    ),
)

POLICE_REFERENCE_REVIEW = Spec(
    code="police_reference_review",
    title="Confirm the police reference with the force",
    responsible_role="mct_admin",
    rule=(
        "applies when the police force and reference given with the report are already recorded on "
        "an episode the reporter may not see (DOMAIN.md section 2: the same notification twice is one "
        "episode; section 7: nobody reads a record outside their scope); arises at reported_at; done "
        "when the MCT records that it has confirmed the reference with the force"
    ),
    citation=(
        'seed 003, "Children placed in Sandwell who are reported as missing": "A missing child compact '
        "notification will be received by the Local Authority via the CSE GCSX email inbox from West Midlands "
        'Police."'
    ),
)

SPECS = (POLICE_INFORMED, MANAGER_INFORMED, MCT_NOTIFIED, PARENTAL_RESPONSIBILITY_INFORMED, POLICE_REFERENCE_REVIEW)


def _at_report(ctx: Context, spec: Spec) -> Draft:
    reported_at = ctx.episode.reported_at
    return ctx.draft(
        spec,
        arises_at=reported_at,
        due_at=ctx.due(spec.code, reported_at),
        trigger="reported_at",
        trigger_at=reported_at,
        done=done_by(ctx.first_action(spec.code, ctx.missing_since)),
        deadline_from="the report",
    )


def police_informed(ctx: Context) -> Iterator[Draft]:
    """Seed 002, "When a Child is Missing": the worker makes sure the police know.

    Not owed when the police reported the episode (they know).
    """
    if ctx.episode.reported_by != "police":
        yield _at_report(ctx, POLICE_INFORMED)


def manager_informed(ctx: Context) -> Iterator[Draft]:
    """Seed 000, "Missing Child Strategy Meetings": team managers informed on every report."""
    yield _at_report(ctx, MANAGER_INFORMED)


def mct_notified(ctx: Context) -> Iterator[Draft]:
    """Seed 000, "Flowchart One": a child placed out of county is notified to the MCT
    before the close of the day. "Placed outside the home authority" is read as: looked
    after at `missing_since`, with a placement in force then in another authority."""
    placement = ctx.placement
    if placement is not None and placement.authority != ctx.facts.home_authority:
        yield _at_report(ctx, MCT_NOTIFIED)


def parental_responsibility_informed(ctx: Context) -> Iterator[Draft]:
    """Seed 000, "Social Worker Visits": for looked-after children, those with parental
    responsibility are informed about the missing episode (instance 1, at the report), and
    about each visit after the return and its outcome (instance n + 1 at the n-th visit,
    done when the visit records them told, from the visit on)."""
    if not ctx.looked_after:
        return
    yield _at_report(ctx, PARENTAL_RESPONSIBILITY_INFORMED)
    code = PARENTAL_RESPONSIBILITY_INFORMED.code
    for number, visit in enumerate(visits_since_return(ctx), start=2):
        informed = ctx.known(visit.parental_responsibility_informed_at)
        if informed is not None and informed < visit.visited_at:
            informed = None
        yield ctx.draft(
            PARENTAL_RESPONSIBILITY_INFORMED,
            instance=number,
            arises_at=visit.visited_at,
            due_at=ctx.due(code, visit.visited_at),
            trigger="return visit visited_at",
            trigger_at=visit.visited_at,
            done=done_at(informed),
            deadline_from="the visit",
            note="told of the visit after the return and its outcome",
        )


def police_reference_review(ctx: Context) -> Iterator[Draft]:
    """Seed 003, "Children placed in Sandwell who are reported as missing": the police's compact
    notification carries the force's reference. A report whose reference is already recorded on
    an episode its reporter may not see is recorded for the reporter's child, and the MCT
    confirms the reference with the force (the duplicate is neither returned nor revealed to
    the reporter)."""
    if ctx.episode.police_reference_conflict:
        yield _at_report(ctx, POLICE_REFERENCE_REVIEW)


RULES = (police_informed, manager_informed, mct_notified, parental_responsibility_informed, police_reference_review)
