"""While the child is missing: risk analysis, carer updates, strategy meetings, escalation.

DOMAIN.md section 3, rows `risk_analysis`, `carer_update`, `strategy_meeting`,
`strategy_meeting_review`, `senior_escalation`, `ukmpu_notified` and
`high_risk_notifications`; all from seed 002 (Royal Borough of Greenwich, Factsheet 4:
Missing) except `ukmpu_notified`, a product decision of DOMAIN.md section 8.
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
        "factors, exploitation concerns) is recorded (from missing_since on)"
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
        "carer update between its arising and its due time; missed when that time passes "
        "without one; a window still running at the return or closure is owed only if an "
        "update was made in it by then"
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
        "at missing_since; due 72 h later or, once graded high at t (or judged vulnerable by a "
        "practitioner at t), by the earlier of that and t + 24 h; done when a missing strategy "
        "meeting held from missing_since on is recorded"
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
        "after each missing strategy meeting, a review arises every interval (30 days) while "
        "the episode is still open, until the next meeting; done by the next missing strategy "
        "meeting held before the following review arises; missed when the following review "
        "arises, or the episode stops being open, first"
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
        "72 h: not owed), listed as upcoming from missing_since; done when the Senior "
        "Assistant Director's being informed is recorded (from missing_since on)"
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
        "included); done when the UKMPU and CEOP notification is recorded before the next "
        "such grading, from that grading on (the first from missing_since on)"
    ),
    citation=(
        'seed 002, "The Police Role in Missing Children": "The UK Missing Persons Bureau should '
        "be notified of the case immediately. CEOP and local authority children's services "
        'should also be notified."'
    ),
)

UKMPU_NOTIFIED = Spec(
    code="ukmpu_notified",
    title="Notify the UK Missing Persons Unit (missing 72 hours)",
    responsible_role="police_liaison",
    rule=(
        "arises at missing_since + 72 h if the episode is still open then (found exactly at "
        "72 h: not owed), listed as upcoming from missing_since; done when the police's "
        "notification to the UK Missing Persons Unit is recorded (from missing_since on)"
    ),
    citation=(
        "Homeward's product decision (DOMAIN.md section 8): \"forces tell the UK Missing Persons "
        "Unit of anyone missing over 72 hours (and at once for high risk); record the "
        'notification like the others"; the guidance asks it at once for high risk only: seed 002, '
        '"The Police Role in Missing Children": "The UK Missing Persons Bureau should be notified '
        'of the case immediately."'
    ),
)

SPECS = (
    RISK_ANALYSIS,
    CARER_UPDATE,
    STRATEGY_MEETING,
    STRATEGY_MEETING_REVIEW,
    SENIOR_ESCALATION,
    UKMPU_NOTIFIED,
    HIGH_RISK_NOTIFICATIONS,
)


def risk_analysis(ctx: Context) -> Iterator[Draft]:
    """Seed 002, "When a Child is Missing": an immediate analysis of risk.

    Applies only to missing episodes. Reclassified from absent to missing at t, it arises
    at t and its deadline runs from t (DOMAIN.md section 3: a due time measured from
    `reported_at` is measured from t instead). Done by the first analysis recorded from
    `missing_since` on (one made while the episode was still absent counts).
    """
    if ctx.missing_from is None:
        return
    arises = ctx.missing_from
    reported = arises == ctx.episode.reported_at
    yield ctx.draft(
        RISK_ANALYSIS,
        arises_at=arises,
        due_at=ctx.due(RISK_ANALYSIS.code, arises),
        trigger="reported_at" if reported else "reclassified_missing_at",
        trigger_at=arises,
        done=done_by(ctx.first_action(RISK_ANALYSIS.code, ctx.missing_since)),
        deadline_from="the report" if reported else "the reclassification as missing",
        note=ctx.reclassified_note(),
    )


def carer_update(ctx: Context) -> Iterator[Draft]:
    """Seed 002, "When a Child is Missing": daily updates from the carer for a looked-after
    child.

    The n-th update's window opens at `missing_since` + interval x (n - 1) (its arising and
    the instant it is listed from) and closes a deadline later (its due time and
    `lapses_at`). Windows are generated while they open while the episode is open, up to
    `through`. A window is done by the first carer update in it (both ends included, so an
    update at the boundary of two daily windows counts for both); one that closed without
    an update is missed (never overdue): a later update cannot make it good. A window still
    running at the return or closure (opened before it, closing after it) is listed only
    if an update was made in it by then: the child is back, nothing more is owed for it.
    """
    if not ctx.looked_after:
        return
    interval = ctx.interval("carer_update")
    policy_value = f"{ctx.deadline_value('carer_update')}; {ctx.interval_value('carer_update')}"
    updates = ctx.actions(CARER_UPDATE.code)
    update_times = [u.at for u in updates]
    arises = ctx.missing_since
    instance = 1
    while ctx.is_open_at(arises) and arises <= ctx.through:
        due = ctx.due(CARER_UPDATE.code, arises)
        update = _first_between(updates, update_times, arises, due)
        ended = ctx.open_until
        if ended is None or due <= ended or (update is not None and update.at <= ended):
            yield ctx.draft(
                CARER_UPDATE,
                instance=instance,
                arises_at=arises,
                due_at=due,
                trigger="missing_since",
                trigger_at=ctx.missing_since,
                note=f"update {instance}: missing_since + {instance - 1} x {interval}",
                done=done_by(update),
                deadline_from="the update's window opening",
                policy_value=policy_value,
                listed_from=arises,
                lapses_at=due,
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
    """(held_at, recorded_at) of the missing strategy meetings held from `missing_since`
    to `as_of`, earliest first."""
    meetings = [
        (m.held_at, m.recorded_at)
        for m in ctx.episode.strategy_meetings
        if m.kind == "missing_strategy" and ctx.missing_since <= m.held_at <= ctx.as_of
    ]
    return sorted(meetings, key=lambda m: m[0])


def strategy_meeting(ctx: Context) -> Iterator[Draft]:
    """Seed 002, "When a Child is Missing": for a child in care, a Missing Strategy Meeting
    by the 3rd day of missing, or earlier if high risk.

    Due `missing_since` + deadline; once graded high at t (the first high grading known by
    `as_of`), by the earlier of that and t + intervals.strategy_meeting_high_risk, never
    before it arises; a practitioner's judgement that the child is vulnerable at t (the
    first known by `as_of`) brings it forward the same way, by
    t + intervals.strategy_meeting_vulnerable (DOMAIN.md section 3). Reclassified from
    absent to missing, it keeps the due time measured from `missing_since` (DOMAIN.md
    section 3). DOMAIN.md's row has no "while open"
    condition, so a child found before the meeting is due still has it owed. Done by the
    first missing strategy meeting held from `missing_since` on.
    """
    if not ctx.looked_after or ctx.missing_from is None:
        return
    missing_since = ctx.missing_since
    due = ctx.due(STRATEGY_MEETING.code, missing_since)
    deadline = ctx.deadline(STRATEGY_MEETING.code).words
    deadline_from = "the child going missing"
    policy_value = ctx.deadline_value(STRATEGY_MEETING.code)
    notes: list[str] = []
    reclassified = ctx.reclassified_note()
    if reclassified:
        notes.append(reclassified)
    high = [g.graded_at for g in ctx.episode.risk_gradings if g.level == "high" and g.graded_at <= ctx.as_of]
    vulnerable = [t for t in ctx.episode.judged_vulnerable_at if t <= ctx.as_of]
    earlier = (
        (high, "strategy_meeting_high_risk", "graded high", "the child being graded high risk"),
        (vulnerable, "strategy_meeting_vulnerable", "judged vulnerable", "the child being judged vulnerable"),
    )
    for instants, key, what, words in earlier:
        if not instants:
            continue
        first = min(instants)
        interval = ctx.interval(key)
        brought_forward = max(interval.after(first, ctx.calendar), missing_since)
        policy_value += f"; {ctx.interval_value(key)}"
        notes.append(f"{what} at {first.isoformat()}")
        if brought_forward < due:
            due = brought_forward
            if brought_forward == missing_since:
                deadline = ""
            else:
                deadline, deadline_from = interval.words, words
    meetings = _missing_strategy_meetings(ctx)
    yield ctx.draft(
        STRATEGY_MEETING,
        arises_at=missing_since,
        due_at=due,
        trigger="missing_since",
        trigger_at=missing_since,
        done=meetings[0] if meetings else None,
        deadline=deadline,
        deadline_from=deadline_from,
        policy_value=policy_value,
        note="; ".join(notes),
    )


def strategy_meeting_review(ctx: Context) -> Iterator[Draft]:
    """Seed 002, "When a Child is Missing": Missing Strategy Meetings monthly while the
    child is still missing.

    After each missing strategy meeting held at h (those known by `as_of`, earliest
    first), reviews arise at h + k x interval (k = 1, 2, ...) while the episode is open at
    that instant, until the next meeting; they are numbered 1, 2, ... across the episode,
    listed from their arising and generated up to `through`. Each is done by the next
    meeting if it is held before the following review would arise and while the episode
    is open (late if after its due time); otherwise it lapses, missed, when the following
    review arises or the episode stops being open, whichever is first. Applies whenever a
    missing strategy meeting has been held (the row's only condition is that the episode
    is still open).
    """
    meetings = _missing_strategy_meetings(ctx)
    interval = ctx.interval("strategy_meeting_review")
    policy_value = (
        f"{ctx.interval_value('strategy_meeting_review')}; {ctx.deadline_value(STRATEGY_MEETING_REVIEW.code)}"
    )
    instance = 0
    for index, (held_at, _recorded) in enumerate(meetings):
        following = meetings[index + 1] if index + 1 < len(meetings) else None
        arises = interval.after(held_at, ctx.calendar)
        k = 1
        while (following is None or arises < following[0]) and ctx.is_open_at(arises) and arises <= ctx.through:
            next_arises = interval.after(arises, ctx.calendar)
            lapses = next_arises if ctx.open_until is None else min(next_arises, ctx.open_until)
            instance += 1
            yield ctx.draft(
                STRATEGY_MEETING_REVIEW,
                instance=instance,
                arises_at=arises,
                due_at=ctx.due(STRATEGY_MEETING_REVIEW.code, arises),
                trigger="last missing strategy meeting",
                trigger_at=held_at,
                done=following if following is not None and following[0] < lapses else None,
                deadline_from="the review falling due",
                policy_value=policy_value,
                note=f"{k} x {interval} after the missing strategy meeting held at {held_at.isoformat()}",
                listed_from=arises,
                lapses_at=lapses,
            )
            arises = next_arises
            k += 1


def _after_missing(ctx: Context, spec: Spec, interval_key: str) -> Iterator[Draft]:
    """An obligation arising once the child has been missing an interval, if the episode
    is still open then; listed (upcoming) from `missing_since` while open before that."""
    missing_since = ctx.missing_since
    interval = ctx.interval(interval_key)
    arises = interval.after(missing_since, ctx.calendar)
    if not ctx.is_open_at(arises):
        return
    yield ctx.draft(
        spec,
        arises_at=arises,
        due_at=ctx.due(spec.code, arises),
        trigger="missing_since",
        trigger_at=missing_since,
        done=done_by(ctx.first_action(spec.code, missing_since)),
        deadline_from=f"the child having been missing for {interval.words}",
        policy_value=f"{ctx.interval_value(interval_key)}; {ctx.deadline_value(spec.code)}",
        listed_from=missing_since,
    )


def senior_escalation(ctx: Context) -> Iterator[Draft]:
    """Seed 002, "Our Key Principles": missing for 72 hours, the Service Leader reports to
    the Senior Assistant Director.

    Arises at `missing_since` + intervals.senior_escalation only if the episode is still
    open then; listed as upcoming from `missing_since` while the episode is open before
    that. Found exactly at that instant, the episode is no longer open (DOMAIN.md section
    8: police report those missing "over 72 hours"), so it is not owed. Done by the first
    record from `missing_since` on.
    """
    yield from _after_missing(ctx, SENIOR_ESCALATION, "senior_escalation")


def ukmpu_notified(ctx: Context) -> Iterator[Draft]:
    """DOMAIN.md section 8: the police tell the UK Missing Persons Unit of anyone missing
    over 72 hours (seed 002, "The Police Role in Missing Children", asks it at once for
    high risk: `high_risk_notifications`).

    Like `senior_escalation`: arises at `missing_since` + intervals.ukmpu_notified if the
    episode is still open then (found exactly then: not owed), listed as upcoming from
    `missing_since`; done by the first `ukmpu_notified` record from `missing_since` on.
    """
    yield from _after_missing(ctx, UKMPU_NOTIFIED, "ukmpu_notified")


def high_risk_notifications(ctx: Context) -> Iterator[Draft]:
    """Seed 002, "The Police Role in Missing Children": high risk means the UK Missing
    Persons Bureau is notified immediately, and CEOP.

    One instance each time the grading becomes high from not high (or from no grading).
    Instance n is completed by the first notification recorded from its grading until the
    next instance arises; the first instance by one from `missing_since` on (the police
    may notify before the grading reaches the authority).
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
        start = graded_at if index else ctx.missing_since
        following = became_high[index + 1] if index + 1 < len(became_high) else None
        yield ctx.draft(
            HIGH_RISK_NOTIFICATIONS,
            instance=index + 1,
            arises_at=graded_at,
            due_at=ctx.due(HIGH_RISK_NOTIFICATIONS.code, graded_at),
            trigger="graded high at",
            trigger_at=graded_at,
            done=done_by(ctx.first_action(HIGH_RISK_NOTIFICATIONS.code, start, following)),
            deadline_from="the child being graded high risk",
        )


RULES = (
    risk_analysis,
    carer_update,
    strategy_meeting,
    strategy_meeting_review,
    senior_escalation,
    ukmpu_notified,
    high_risk_notifications,
)
