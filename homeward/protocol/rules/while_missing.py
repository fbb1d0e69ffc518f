"""While the child is missing: risk analysis, carer updates, strategy meetings, escalation.

DOMAIN.md section 3, rows `risk_analysis`, `carer_update`, `strategy_meeting`,
`strategy_meeting_review`, `senior_escalation` and `high_risk_notifications`; all from
seed 002 (Royal Borough of Greenwich, Factsheet 4: Missing).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator
from datetime import datetime

from homeward.protocol.facts import ActionFact
from homeward.protocol.obligation import Draft
from homeward.protocol.rules.base import Context, Spec, done_by

RISK_ANALYSIS = Spec(
    code="risk_analysis",
    title="Complete the children's services risk analysis",
    responsible_role="social_worker",
    rule=(
        "applies when the episode is classified missing; arises at reported_at, or at the "
        "reclassification from absent to missing; done when the risk analysis (push and pull "
        "factors, exploitation concerns) is recorded"
    ),
    citation=(
        'seed 002, "When a Child is Missing": "The Children\'s Services worker should complete '
        "an immediate analysis of risk on MOSAIC. The SW will look at possible 'push' and "
        "'pull factors'\""
    ),
)

CARER_UPDATE = Spec(
    code="carer_update",
    title="Obtain the daily update from the carer",
    responsible_role="social_worker",
    rule=(
        "applies when the child is looked after; the n-th update arises at missing_since + "
        "(n - 1) intervals while the episode is open and is due one deadline later; done by a "
        "carer update between its arising and its due time"
    ),
    citation=(
        'seed 002, "When a Child is Missing": "If this is a Looked After Child in the care of '
        "the local authority, the SW will obtain updates from the carer/children's home on a "
        'daily basis."'
    ),
)

STRATEGY_MEETING = Spec(
    code="strategy_meeting",
    title="Hold a missing strategy meeting",
    responsible_role="team_manager",
    rule=(
        "applies when the child is looked after and the episode is classified missing; arises "
        "at missing_since; due 72 h later or, once graded high at t, by the earlier of that "
        "and t + 24 h; done when a missing strategy meeting is recorded"
    ),
    citation=(
        'seed 002, "When a Child is Missing": "a Missing Strategy Meeting should always be held '
        "by the 3rd day of missing or earlier if the child is deemed to be at high risk or "
        'vulnerable whilst they are missing."'
    ),
)

STRATEGY_MEETING_REVIEW = Spec(
    code="strategy_meeting_review",
    title="Hold the monthly missing strategy meeting",
    responsible_role="team_manager",
    rule=(
        "arises when the episode is still open an interval after the last missing strategy "
        "meeting; done when the next missing strategy meeting is recorded"
    ),
    citation=(
        'seed 002, "When a Child is Missing": "Missing Strategy Meetings should be held monthly '
        'if the child is still missing"'
    ),
)

SENIOR_ESCALATION = Spec(
    code="senior_escalation",
    title="Inform the Senior Assistant Director (missing 72 hours)",
    responsible_role="service_leader",
    rule=(
        "arises at missing_since + 72 h if the episode is still open then (found exactly at "
        "72 h: not owed); done when the Senior Assistant Director's being informed is recorded"
    ),
    citation=(
        'seed 002, "Our Key Principles": "If a child has been missing for 72 hours, the '
        "Service Leader must report this to the Senior Assistant Director for Children's "
        'Safeguarding and Social Care"'
    ),
)

HIGH_RISK_NOTIFICATIONS = Spec(
    code="high_risk_notifications",
    title="Notify the UK Missing Persons Unit and CEOP (high risk)",
    responsible_role="police_liaison",
    rule=(
        "arises each time the police grade the episode high from not high (the first grading "
        "included); done when the UKMPU and CEOP notification is recorded"
    ),
    citation=(
        'seed 002, "The Police Role in Missing Children": "The UK Missing Persons Bureau should '
        "be notified of the case immediately. CEOP and local authority children's services "
        'should also be notified."'
    ),
)

SPECS = (
    RISK_ANALYSIS,
    CARER_UPDATE,
    STRATEGY_MEETING,
    STRATEGY_MEETING_REVIEW,
    SENIOR_ESCALATION,
    HIGH_RISK_NOTIFICATIONS,
)


def risk_analysis(ctx: Context) -> Iterator[Draft]:
    """Seed 002, "When a Child is Missing": an immediate analysis of risk.

    Applies only to missing episodes. Reclassified from absent to missing at t, it arises
    at t and its deadline runs from t (DOMAIN.md section 3: a due time measured from
    `reported_at` is measured from t instead).
    """
    if ctx.missing_from is None:
        return
    arises = ctx.missing_from
    yield ctx.draft(
        RISK_ANALYSIS,
        arises_at=arises,
        due_at=ctx.due(RISK_ANALYSIS.code, arises),
        trigger="reported_at" if arises == ctx.episode.reported_at else "reclassified_missing_at",
        trigger_at=arises,
        done=done_by(ctx.first_action(RISK_ANALYSIS.code)),
        note=ctx.reclassified_note(),
    )


def carer_update(ctx: Context) -> Iterator[Draft]:
    """Seed 002, "When a Child is Missing": daily updates from the carer for a looked-after
    child.

    The n-th update arises at `missing_since` + interval x (n - 1) and is due a deadline
    later. Listed: every update that arose while the episode was open, up to `as_of` (the
    current one and every earlier one, done or missed), and the first one even before it
    arises. An update is done only by a carer update between its arising and its due time
    (both included), so a missed one stays overdue: a later update cannot make it good.
    """
    if not ctx.looked_after:
        return
    interval = ctx.interval("carer_update")
    policy_value = f"{ctx.deadline_value('carer_update')}; {ctx.interval_value('carer_update')}"
    updates = ctx.actions(CARER_UPDATE.code)
    update_times = [u.at for u in updates]
    arises = ctx.episode.missing_since
    instance = 1
    while ctx.is_open_at(arises) and (instance == 1 or arises <= ctx.as_of):
        due = ctx.due(CARER_UPDATE.code, arises)
        yield ctx.draft(
            CARER_UPDATE,
            instance=instance,
            arises_at=arises,
            due_at=due,
            trigger="missing_since",
            trigger_at=ctx.episode.missing_since,
            note=f"update {instance}: missing_since + {instance - 1} x {interval}",
            done=done_by(_first_between(updates, update_times, arises, due)),
            policy_value=policy_value,
        )
        instance += 1
        arises = interval.after(arises, ctx.calendar)


def _first_between(
    actions: tuple[ActionFact, ...], times: list[datetime], start: datetime, end: datetime
) -> ActionFact | None:
    """The earliest of `actions` (sorted, with their `times`) with start <= at <= end."""
    index = bisect_left(times, start)
    if index < len(actions) and times[index] <= end:
        return actions[index]
    return None


def _missing_strategy_meetings(ctx: Context) -> list[tuple[datetime, datetime | None]]:
    """(held_at, recorded_at) of the missing strategy meetings held by `as_of`, earliest
    first."""
    meetings = [
        (m.held_at, m.recorded_at)
        for m in ctx.episode.strategy_meetings
        if m.kind == "missing_strategy" and m.held_at <= ctx.as_of
    ]
    return sorted(meetings, key=lambda m: m[0])


def strategy_meeting(ctx: Context) -> Iterator[Draft]:
    """Seed 002, "When a Child is Missing": for a child in care, a Missing Strategy Meeting
    by the 3rd day of missing, or earlier if high risk.

    Due `missing_since` + deadline; once graded high at t (the first high grading known by
    `as_of`), by the earlier of that and t + intervals.strategy_meeting_high_risk, never
    before it arises. Reclassified from absent to missing, it keeps the due time measured
    from `missing_since` (DOMAIN.md section 3). DOMAIN.md's row has no "while open"
    condition, so a child found before the meeting is due still has it owed.
    """
    if not ctx.looked_after or ctx.missing_from is None:
        return
    missing_since = ctx.episode.missing_since
    due = ctx.due(STRATEGY_MEETING.code, missing_since)
    policy_value = ctx.deadline_value(STRATEGY_MEETING.code)
    notes: list[str] = []
    reclassified = ctx.reclassified_note()
    if reclassified:
        notes.append(reclassified)
    high = [g.graded_at for g in ctx.episode.risk_gradings if g.level == "high"]
    high = [t for t in high if t <= ctx.as_of]
    if high:
        graded_high = min(high)
        high_due = max(
            ctx.interval("strategy_meeting_high_risk").after(graded_high, ctx.calendar),
            missing_since,
        )
        policy_value += f"; {ctx.interval_value('strategy_meeting_high_risk')}"
        notes.append(f"graded high at {graded_high.isoformat()}")
        due = min(due, high_due)
    meetings = _missing_strategy_meetings(ctx)
    yield ctx.draft(
        STRATEGY_MEETING,
        arises_at=missing_since,
        due_at=due,
        trigger="missing_since",
        trigger_at=missing_since,
        done=meetings[0] if meetings else None,
        policy_value=policy_value,
        note="; ".join(notes),
    )


def strategy_meeting_review(ctx: Context) -> Iterator[Draft]:
    """Seed 002, "When a Child is Missing": Missing Strategy Meetings monthly while the
    child is still missing.

    After each missing strategy meeting, a review arises an interval later if the episode
    is still open then and no other meeting has been held in between; the next meeting
    completes it. Applies whenever a missing strategy meeting has been held (the row's only
    condition is that the episode is still open).
    """
    meetings = _missing_strategy_meetings(ctx)
    interval = ctx.interval("strategy_meeting_review")
    policy_value = (
        f"{ctx.interval_value('strategy_meeting_review')}; {ctx.deadline_value(STRATEGY_MEETING_REVIEW.code)}"
    )
    instance = 1
    for index, (held_at, _recorded) in enumerate(meetings):
        arises = interval.after(held_at, ctx.calendar)
        following = meetings[index + 1] if index + 1 < len(meetings) else None
        if (following is not None and following[0] <= arises) or not ctx.is_open_at(arises):
            continue
        yield ctx.draft(
            STRATEGY_MEETING_REVIEW,
            instance=instance,
            arises_at=arises,
            due_at=ctx.due(STRATEGY_MEETING_REVIEW.code, arises),
            trigger="last missing strategy meeting",
            trigger_at=held_at,
            done=following,
            policy_value=policy_value,
        )
        instance += 1


def senior_escalation(ctx: Context) -> Iterator[Draft]:
    """Seed 002, "Our Key Principles": missing for 72 hours, the Service Leader reports to
    the Senior Assistant Director.

    Arises at `missing_since` + intervals.senior_escalation only if the episode is still
    open then; listed as upcoming while the episode is open before that. Found exactly at
    that instant, the episode is no longer open (DOMAIN.md section 8: police report those
    missing "over 72 hours"), so it is not owed.
    """
    missing_since = ctx.episode.missing_since
    arises = ctx.interval("senior_escalation").after(missing_since, ctx.calendar)
    if not ctx.is_open_at(arises):
        return
    yield ctx.draft(
        SENIOR_ESCALATION,
        arises_at=arises,
        due_at=ctx.due(SENIOR_ESCALATION.code, arises),
        trigger="missing_since",
        trigger_at=missing_since,
        done=done_by(ctx.first_action(SENIOR_ESCALATION.code)),
        policy_value=(f"{ctx.interval_value('senior_escalation')}; {ctx.deadline_value(SENIOR_ESCALATION.code)}"),
    )


def high_risk_notifications(ctx: Context) -> Iterator[Draft]:
    """Seed 002, "The Police Role in Missing Children": high risk means the UK Missing
    Persons Bureau is notified immediately, and CEOP.

    One instance each time the grading becomes high from not high (or from no grading).
    Instance n is completed by the first notification recorded from its arising until the
    next instance arises; the first instance also by one recorded before it.
    """
    gradings = sorted(
        (g for g in ctx.episode.risk_gradings if g.graded_at <= ctx.as_of),
        key=lambda g: g.graded_at,
    )
    became_high: list[datetime] = []
    previous = None
    for grading in gradings:
        if grading.level == "high" and previous != "high":
            became_high.append(grading.graded_at)
        previous = grading.level
    for index, graded_at in enumerate(became_high):
        start = graded_at if index else None
        following = became_high[index + 1] if index + 1 < len(became_high) else None
        action = ctx.first_action(HIGH_RISK_NOTIFICATIONS.code, start)
        if action is not None and following is not None and action.at >= following:
            action = None
        yield ctx.draft(
            HIGH_RISK_NOTIFICATIONS,
            instance=index + 1,
            arises_at=graded_at,
            due_at=ctx.due(HIGH_RISK_NOTIFICATIONS.code, graded_at),
            trigger="graded high at",
            trigger_at=graded_at,
            done=done_by(action),
        )


RULES = (
    risk_analysis,
    carer_update,
    strategy_meeting,
    strategy_meeting_review,
    senior_escalation,
    high_risk_notifications,
)
