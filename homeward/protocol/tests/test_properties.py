"""Invariants of plan() and evaluate(), checked with hypothesis over generated episodes.

- no obligation is due before it arises, or listed after it arises;
- recording a fact never makes anything more overdue, missed or not done;
- evaluate is deterministic, and the order in which facts are listed does not matter;
- statuses agree with the instants (`status_at`);
- (a) evaluate at t is the plan at t, generated to any later instant, cut at listed_from <= t;
- the stored plan, re-read later with `status_at` while no new fact arrives, is evaluate then;
- (b) nothing is overdue once its window lapsed or the episode closed;
- (c) after the closure at c, nothing that arose by c is pending or overdue.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from homeward.protocol import (
    ActionFact,
    ChildFacts,
    Classification,
    EpisodeFacts,
    Facts,
    LegalStatusPeriod,
    Obligation,
    Placement,
    Protocol,
    RhiAmendment,
    RhiFacts,
    RhiSharing,
    RiskGrading,
    StrategyMeeting,
    default_protocol,
    evaluate,
    load_protocol_text,
    plan,
    status_at,
)
from homeward.protocol.facts import ACTION_CODES
from homeward.protocol.tests.builders import BANK_HOLIDAYS, FAR_AWAY, HOME, NEIGHBOUR, OTHER

PROTOCOLS: tuple[Protocol, ...] = (
    default_protocol(),
    load_protocol_text('effective_from = 2017-01-16\n[rhi]\nclock = "allocation"\ncompletion_duty = true'),
    load_protocol_text(
        """
effective_from = 2017-01-16
[deadlines]
police_informed = "eod"
risk_analysis = "2wd"
carer_update = "0h"
strategy_meeting = "3d"
strategy_meeting_review = "1wd"
rhi_offered = "90m"
rhi_completed = "2wd"
[rhi]
completion_duty = true
[intervals]
carer_update = "1wd"
senior_escalation = "1d"
ukmpu_notified = "2d"
strategy_meeting_high_risk = "30m"
strategy_meeting_review = "7d"
[repeat_missing]
count = 2
window_days = 20
"""
    ),
)

EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
LOOKED_AFTER = (LegalStatusPeriod("looked_after", date(2020, 1, 1)),)
minutes = st.integers(min_value=0, max_value=3 * 366 * 24 * 60).map(lambda m: EPOCH + timedelta(minutes=m))


def offset(low_hours: int, high_hours: int) -> st.SearchStrategy[timedelta]:
    return st.integers(min_value=low_hours * 60, max_value=high_hours * 60).map(lambda m: timedelta(minutes=m))


children = st.builds(
    lambda status, placed, responsible, iro, allocated: ChildFacts(
        date_of_birth=date(2010, 1, 1),
        responsible_authority=responsible,
        legal_status_history=(LegalStatusPeriod(status, date(2020, 1, 1)),),
        placements=(Placement(placed, date(2020, 1, 1)),) if placed else (),
        has_iro=iro,
        allocated=allocated,
    ),
    st.sampled_from(["looked_after", "looked_after", "child_in_need", "none"]),
    st.sampled_from([HOME, NEIGHBOUR, FAR_AWAY, None]),
    st.sampled_from([HOME, HOME, OTHER]),
    st.booleans(),
    st.booleans(),
)


@st.composite
def episodes(draw: st.DrawFn) -> EpisodeFacts:
    reported_at = draw(minutes)

    def at(low: int, high: int) -> datetime:
        return reported_at + draw(offset(low, high))

    def maybe(low: int, high: int) -> datetime | None:
        return draw(st.one_of(st.none(), st.just(None).map(lambda _: at(low, high))))

    first: Any = draw(st.sampled_from(["missing", "absent", None]))
    classifications: tuple[Classification, ...] = (Classification(first, reported_at),) if first else ()
    classifications += tuple(
        Classification(draw(st.sampled_from(["missing", "absent"])), at(0, 300)) for _ in range(draw(st.integers(0, 2)))
    )
    gradings = tuple(
        RiskGrading(draw(st.sampled_from(["very_low", "low", "medium", "high"])), at(-2, 300))
        for _ in range(draw(st.integers(0, 4)))
    )
    actions = tuple(
        ActionFact(draw(st.sampled_from(sorted(ACTION_CODES))), at(-5, 1500)) for _ in range(draw(st.integers(0, 8)))
    )
    meetings = tuple(
        StrategyMeeting(at(0, 2000), draw(st.sampled_from(["missing_strategy", "missing_strategy", "section_47"])))
        for _ in range(draw(st.integers(0, 3)))
    )
    sharings = tuple(
        RhiSharing(at(0, 600), frozenset(draw(st.sets(st.sampled_from(["police", "social_worker", "iro"])))))
        for _ in range(draw(st.integers(0, 2)))
    )
    return EpisodeFacts(
        episode_id=1,
        reported_at=reported_at,
        reported_by=draw(st.sampled_from(["police", "parent_carer", "placement_provider", "school"])),
        last_seen_at=maybe(-72, 0),
        classifications=classifications,
        risk_gradings=gradings,
        found_at=maybe(0, 400),
        closed_at=maybe(0, 900),
        cancelled_at=draw(st.one_of(st.none(), st.none(), st.just(None).map(lambda _: at(0, 100)))),
        actions=actions,
        strategy_meetings=meetings,
        rhi=RhiFacts(
            allocated_at=maybe(0, 500),
            offered_at=maybe(0, 500),
            completed_at=maybe(0, 500),
            authorised_at=maybe(0, 600),
            sharings=sharings,
            offers=tuple(at(0, 500) for _ in range(draw(st.integers(0, 2)))),
            amendments=tuple(RhiAmendment(at(0, 700), maybe(0, 800)) for _ in range(draw(st.integers(0, 2)))),
        ),
        other_episode_starts=tuple(at(-24 * 120, 0) for _ in range(draw(st.integers(0, 3)))),
        exceptional_rhi=draw(st.booleans()),
        close_reason=draw(st.sampled_from(["", "Child returned; follow-up declined"])),
    )


@st.composite
def cases(draw: st.DrawFn) -> tuple[Facts, Protocol, datetime]:
    episode = draw(episodes())
    facts = Facts(draw(children), episode, HOME, BANK_HOLIDAYS)
    as_of = episode.reported_at + draw(offset(-10, 2000))
    return facts, draw(st.sampled_from(PROTOCOLS)), as_of


def keys(obligations: tuple[Obligation, ...], *statuses: str) -> set[tuple[str, int]]:
    return {(o.code, o.instance) for o in obligations if not statuses or o.status in statuses}


def row(o: Obligation) -> tuple[object, ...]:
    """What the Django side stores of a row, and its status."""
    return (
        o.code,
        o.instance,
        o.arises_at,
        o.due_at,
        o.done_at,
        o.lapses_at,
        o.ended_at,
        o.ended_reason,
        o.listed_from,
        o.for_information,
        o.status,
        o.late,
    )


def instants(value: object) -> list[datetime]:
    """Every instant in a fact (dataclasses, tuples and frozensets walked)."""
    if isinstance(value, datetime):
        return [value]
    if is_dataclass(value) and not isinstance(value, type):
        return [t for f in fields(value) for t in instants(getattr(value, f.name))]
    if isinstance(value, tuple | frozenset):
        return [t for item in value for t in instants(item)]
    return []


@settings(max_examples=300, deadline=None)
@given(cases())
def test_no_obligation_is_due_before_it_arises_or_listed_after_it_arises(
    case: tuple[Facts, Protocol, datetime],
) -> None:
    for obligation in plan(*case, through=case[2] + timedelta(days=14)):
        assert obligation.due_at >= obligation.arises_at, obligation
        assert obligation.listed_from <= obligation.arises_at, obligation
        assert obligation.lapses_at is None or obligation.lapses_at >= obligation.arises_at, obligation


@settings(max_examples=300, deadline=None)
@given(cases(), st.sampled_from(sorted(ACTION_CODES)), offset(-10, 2000))
def test_recording_a_fact_never_makes_anything_more_overdue(
    case: tuple[Facts, Protocol, datetime], code: str, when: timedelta
) -> None:
    facts, protocol, as_of = case
    before = evaluate(facts, protocol, as_of)
    action = ActionFact(code, facts.episode.reported_at + when)  # type: ignore[arg-type]
    episode = replace(facts.episode, actions=(*facts.episode.actions, action))
    after = evaluate(replace(facts, episode=episode), protocol, as_of)
    assert keys(after, "overdue", "missed", "not_done") <= keys(before, "overdue", "missed", "not_done")
    # a carer update may make a window running at the return owed (done); nothing goes
    assert keys(before) <= keys(after)
    assert keys(after) - keys(before) <= keys(after, "done")


@settings(max_examples=200, deadline=None)
@given(cases())
def test_evaluate_is_deterministic_and_ignores_the_order_of_facts(case: tuple[Facts, Protocol, datetime]) -> None:
    facts, protocol, as_of = case
    first = evaluate(facts, protocol, as_of)
    assert evaluate(facts, protocol, as_of) == first
    e = facts.episode
    shuffled = replace(
        e,
        classifications=e.classifications[::-1],
        risk_gradings=e.risk_gradings,  # their order is their history: regrading order matters
        actions=e.actions[::-1],
        strategy_meetings=e.strategy_meetings[::-1],
        rhi=replace(e.rhi, sharings=e.rhi.sharings[::-1], offers=e.rhi.offers[::-1], amendments=e.rhi.amendments[::-1]),
        other_episode_starts=e.other_episode_starts[::-1],
    )
    assert evaluate(replace(facts, episode=shuffled), protocol, as_of) == first


@settings(max_examples=300, deadline=None)
@given(cases())
def test_statuses_agree_with_the_instants(case: tuple[Facts, Protocol, datetime]) -> None:
    facts, protocol, as_of = case
    result = evaluate(facts, protocol, as_of)
    keys = [(o.due_at, o.code, o.instance) for o in result]
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys)
    for o in result:
        assert o.arises_at.tzinfo is UTC and o.due_at.tzinfo is UTC
        assert o.listed_from <= as_of
        if o.status == "done":
            assert o.done_at is not None and o.done_at <= as_of
            assert o.late == (o.done_at > o.due_at)
        else:
            assert o.done_at is None and not o.late
        expected = status_at(
            arises_at=o.arises_at,
            due_at=o.due_at,
            done_at=o.done_at,
            lapses_at=o.lapses_at,
            ended_at=o.ended_at,
            as_of=as_of,
        )
        assert o.status == expected
        if o.ended_at is not None:
            assert o.ended_at == facts.episode.closed_at and o.ended_reason == facts.episode.close_reason
        if o.for_information:
            assert facts.child.responsible_authority != HOME and "shown for information" in o.basis.note
    cancelled = facts.episode.cancelled_at
    if cancelled is not None and cancelled <= as_of:
        assert result == ()


@settings(max_examples=300, deadline=None)
@given(cases(), offset(0, 24 * 30))
def test_evaluate_is_the_plan_cut_at_listed_from(case: tuple[Facts, Protocol, datetime], ahead: timedelta) -> None:
    """Property (a): evaluate(f, p, t) is plan(f, p, t, through=t2) cut at listed_from <= t."""
    facts, protocol, as_of = case
    planned = plan(facts, protocol, as_of, through=as_of + ahead)
    assert evaluate(facts, protocol, as_of) == tuple(o for o in planned if o.listed_from <= as_of)
    assert all(o.status == "upcoming" and o.done_at is None for o in planned if o.listed_from > as_of)


@st.composite
def stored_cases(draw: st.DrawFn) -> tuple[Facts, Protocol, datetime]:
    """Cases for the stored plan: half of them a looked-after child still missing (found,
    closed and cancelled only after `now`, if at all), so that repeating rows are planned."""
    facts, protocol, now = draw(cases())
    if draw(st.booleans()):
        e = facts.episode
        rhi = e.rhi

        def by_now(instant: datetime | None) -> datetime | None:
            return instant if instant is not None and instant <= now else None

        episode = replace(
            e,
            found_at=None,
            closed_at=None,
            cancelled_at=None,
            classifications=tuple(c for c in e.classifications if c.at <= now),
            risk_gradings=tuple(g for g in e.risk_gradings if g.graded_at <= now),
            actions=tuple(a for a in e.actions if a.at <= now),
            strategy_meetings=tuple(m for m in e.strategy_meetings if m.held_at <= now),
            rhi=RhiFacts(
                allocated_at=by_now(rhi.allocated_at),
                offered_at=by_now(rhi.offered_at),
                completed_at=by_now(rhi.completed_at),
                authorised_at=by_now(rhi.authorised_at),
            ),
        )
        the_child = replace(facts.child, responsible_authority=HOME, legal_status_history=LOOKED_AFTER)
        facts = replace(facts, child=the_child, episode=episode)
    return facts, protocol, now


#: How long after storing the plan it is read: hours (spread over the 14 days planned)
#: and minutes.
reads = st.builds(
    lambda hours, minutes: timedelta(hours=hours, minutes=minutes),
    st.sampled_from([0, 1, 23, 24, 25, 47, 72, 100, 200, 335]),
    st.integers(0, 59),
)


@settings(max_examples=400, deadline=None)
@given(stored_cases(), reads, offset(0, 24 * 7))
def test_the_stored_plan_read_later_is_evaluate_then(
    case: tuple[Facts, Protocol, datetime], read: timedelta, beyond: timedelta
) -> None:
    """What the Django side does: store plan(now, through=now + 14 days), then at a later
    instant read the rows listed by then with status_at. While no fact happens in between,
    that is exactly what evaluate says then."""
    facts, protocol, now = case
    later = now + read
    if any(now < t <= later for t in instants(facts.episode)):
        return
    stored = plan(facts, protocol, now, through=later + beyond)
    shown = []
    for o in stored:
        if o.listed_from > later:
            continue
        status = status_at(
            arises_at=o.arises_at,
            due_at=o.due_at,
            done_at=o.done_at,
            lapses_at=o.lapses_at,
            ended_at=o.ended_at,
            as_of=later,
        )
        shown.append(row(replace(o, status=status)))
    assert sorted(shown, key=lambda r: (r[3], r[0], r[1])) == [row(o) for o in evaluate(facts, protocol, later)]


@settings(max_examples=300, deadline=None)
@given(cases())
def test_nothing_is_overdue_once_its_window_lapsed_or_the_episode_closed(
    case: tuple[Facts, Protocol, datetime],
) -> None:
    """Property (b)."""
    _facts, _protocol, as_of = case
    for o in evaluate(*case):
        if o.status == "overdue":
            assert o.lapses_at is None or as_of < o.lapses_at, o
            assert o.ended_at is None or as_of < o.ended_at, o


@settings(max_examples=300, deadline=None)
@given(cases())
def test_after_the_closure_nothing_that_arose_by_then_is_still_owed(case: tuple[Facts, Protocol, datetime]) -> None:
    """Property (c): closed at c, nothing that arose by c is pending or overdue, then or later."""
    facts, _protocol, as_of = case
    closed_at = facts.episode.closed_at
    if closed_at is None or closed_at > as_of:
        return
    for o in evaluate(*case):
        if o.arises_at <= closed_at:
            assert o.status not in ("pending", "overdue"), o
