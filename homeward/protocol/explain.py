"""One sentence a social worker understands, for each obligation.

`explain(obligation, child_name="Jade")` says what must happen, for whom, within how long
of what, and by when: "Offer Jade a return home interview within 72 hours of coming
back: by Thu 29 Oct 2026, 09:15." An obligation done, missed or not done adds its
outcome; one of the placing authority's, shown for information, says so.

Times are Europe/London wall-clock times written "Thu 29 Oct 2026, 09:15" (always with
the year, so that an old episode's sentences stay unambiguous), in English whatever the
machine's locale. Pure Python, like the rest of the engine.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from homeward.protocol.calendar import LONDON, require_aware
from homeward.protocol.obligation import Obligation

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_CHILD = "the child"


def when(instant: datetime) -> str:
    """`instant` as people read it: its Europe/London wall-clock time, e.g.
    "Mon 26 Oct 2026, 18:00"."""
    local = require_aware(instant, "instant").astimezone(LONDON)
    # No strftime: it cost more than the rest (a worklist writes one a row, issue 11).
    day = f"{_DAYS[local.weekday()]} {local.day} {_MONTHS[local.month - 1]} {local.year}"
    return f"{day}, {local.hour:02d}:{local.minute:02d}"


def _within(obligation: Obligation, name: str, *, named: bool) -> str:
    """ " within 72 hours of Jade going missing", from the basis; "" for an obligation due
    as soon as it arises. `named`: the sentence already names the child, so "the child
    coming back" reads "coming back"."""
    basis = obligation.basis
    if not basis.deadline:
        return ""
    if basis.deadline == "the end of the day":
        return " before the end of the day"
    anchor = basis.deadline_from
    if anchor.startswith(f"{_CHILD} "):
        anchor = anchor.removeprefix(f"{_CHILD} ") if named else f"{name} {anchor.removeprefix(f'{_CHILD} ')}"
    return f" within {basis.deadline} of {anchor}" if anchor else f" within {basis.deadline}"


def _elapsed(span: timedelta) -> str:
    """An elapsed span as people say it: "72 hours", "30 days" (a whole number of days
    beyond three), "90 minutes" (not a whole number of hours)."""
    minutes = round(span.total_seconds() / 60)
    if minutes % 60:
        return f"{minutes} minutes"
    hours = minutes // 60
    if hours > 72 and hours % 24 == 0:
        return f"{hours // 24} days"
    return "1 hour" if hours == 1 else f"{hours} hours"


def _after_missing(action: str) -> Callable[[Obligation, str], str]:
    """Sentences of the obligations arising once the child has been missing a while."""

    def sentence(o: Obligation, name: str) -> str:
        missing_for = _elapsed(o.arises_at - o.basis.trigger_at)
        if o.status == "upcoming":
            return f"If {name} is still missing at {when(o.arises_at)} ({missing_for}), {action}"
        return f"{action[0].upper()}{action[1:]} that {name} has been missing for {missing_for}"

    return sentence


def _carer_update(o: Obligation, name: str) -> str:
    if o.status == "pending" and o.basis.deadline == "24 hours":
        return f"Obtain today's update on {name} from the carer"
    return f"Obtain update {o.instance} on {name} from the carer"


def _rhi_authorised(o: Obligation, name: str) -> str:
    version = f"version {o.instance} of " if o.instance > 1 else ""
    return f"Authorise {version}{name}'s return home interview{_within(o, name, named=True)}"


def _rhi_shared(o: Obligation, name: str) -> str:
    version = f"version {o.instance} of " if o.instance > 1 else ""
    return (
        f"Share {version}{name}'s authorised return home interview with the police, the social worker "
        f"and any IRO{_within(o, name, named=True)}"
    )


Sentence = Callable[[Obligation, str], str]

#: The sentence of each obligation code, without its due time.
SENTENCES: dict[str, Sentence] = {
    "police_informed": lambda o, n: f"Make sure the police know {n} is missing{_within(o, n, named=True)}",
    "police_reference_review": lambda o, n: (
        f"Confirm with the force the police reference given when {n} was reported{_within(o, n, named=True)}"
    ),
    "risk_analysis": lambda o, n: (
        f"Complete the risk analysis for {n} (push and pull factors, exploitation concerns){_within(o, n, named=True)}"
    ),
    "manager_informed": lambda o, n: f"Tell the team manager that {n} is missing{_within(o, n, named=True)}",
    "mct_notified": lambda o, n: f"Tell the Missing Children Team that {n} is missing{_within(o, n, named=True)}",
    "parental_responsibility_informed": lambda o, n: (
        f"Tell those with parental responsibility for {n} about the missing episode{_within(o, n, named=True)}"
        if o.instance == 1
        else f"Tell those with parental responsibility for {n} about the visit after the return and its outcome"
        f"{_within(o, n, named=True)}"
    ),
    "carer_update": _carer_update,
    "strategy_meeting": lambda o, n: f"The strategy meeting must be held{_within(o, n, named=False)}",
    "strategy_meeting_review": lambda o, n: (
        f"Hold the next regular missing strategy meeting for {n}{_within(o, n, named=True)}"
    ),
    "senior_escalation": _after_missing("tell the Senior Assistant Director"),
    "ukmpu_notified": _after_missing("make sure the police tell the UK Missing Persons Unit"),
    "high_risk_notifications": lambda o, n: (
        f"Make sure the police tell the UK Missing Persons Unit and CEOP that {n} is at high risk"
        f"{_within(o, n, named=True)}"
    ),
    "safe_and_well_check": lambda o, n: (
        f"Make sure the police check that {n} is safe and well (or hold a prevention interview)"
        f"{_within(o, n, named=True)}"
    ),
    "iro_informed": lambda o, n: (
        f"Tell {n}'s Independent Reviewing Officer about the missing episode{_within(o, n, named=True)}"
    ),
    "rhi_allocated": lambda o, n: f"Allocate {n}'s return home interview to a practitioner{_within(o, n, named=True)}",
    "rhi_offered": lambda o, n: f"Offer {n} a return home interview{_within(o, n, named=True)}",
    "rhi_completed": lambda o, n: (
        f"Complete {n}'s return home interview (accepted, declined or no contact){_within(o, n, named=True)}"
    ),
    "rhi_authorised": _rhi_authorised,
    "rhi_shared": _rhi_shared,
    "plan_updated": lambda o, n: (
        f"Update {n}'s plan with what the return home interview found{_within(o, n, named=True)}"
    ),
    "action_plan": lambda o, n: (
        f"Agree and record {n}'s missing child action plan (actions, contact, the family, the return)"
        f"{_within(o, n, named=True)}"
    ),
    "return_visit": lambda o, n: (
        f"Visit {n} after the return and talk about the episode and how to prevent another{_within(o, n, named=True)}"
    ),
    "repeat_review": lambda o, n: f"Review the strategy for {n} (repeatedly missing){_within(o, n, named=True)}",
}


def _fallback(o: Obligation, name: str) -> str:
    return f"{o.title} for {name}{_within(o, name, named=True)}"


def _outcome(o: Obligation) -> str:
    if o.status == "done" and o.done_at is not None:
        return f" Done on {when(o.done_at)}{', late' if o.late else ''}."
    if o.status == "missed":
        return " Missed."
    if o.status == "not_done":
        reason = o.ended_reason.strip().rstrip(".")
        return f" Not done: {reason}." if reason else " Not done: the episode was closed."
    return ""


def explain(obligation: Obligation, *, child_name: str) -> str:
    """One plain-English sentence for `obligation` about the child called `child_name`
    ("the child" if blank): what, within how long of what, and by when, then the outcome
    ("Done on ...", "Missed.", "Not done: <the closing reason>."). The placing authority's
    duties, shown for information, say so first."""
    name = child_name.strip() or _CHILD
    sentence = SENTENCES.get(obligation.code, _fallback)(obligation, name)
    text = f"{sentence}: by {when(obligation.due_at)}.{_outcome(obligation)}"
    if obligation.for_information:
        text = f"For information, the placing authority's duty: {text[0].lower()}{text[1:]}"
    return text
