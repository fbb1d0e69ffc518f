"""Invariants of evaluate(), checked with hypothesis over generated episodes.

- no obligation is due before it arises;
- recording a fact never makes anything more overdue;
- evaluate is deterministic, and the order in which facts are listed does not matter;
- statuses agree with the instants.
"""

from __future__ import annotations

from dataclasses import replace
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
    RhiFacts,
    RhiSharing,
    RiskGrading,
    StrategyMeeting,
    default_protocol,
    evaluate,
    load_protocol_text,
)
from homeward.protocol.facts import ACTION_CODES
from homeward.protocol.tests.builders import BANK_HOLIDAYS, FAR_AWAY, HOME, NEIGHBOUR, OTHER

PROTOCOLS: tuple[Protocol, ...] = (
    default_protocol(),
    load_protocol_text('effective_from = 2017-01-16\n[rhi]\nclock = "allocation"'),
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
[intervals]
carer_update = "1wd"
senior_escalation = "1d"
strategy_meeting_high_risk = "30m"
strategy_meeting_review = "7d"
[repeat_missing]
count = 2
window_days = 20
"""
    ),
)

EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
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
        ),
        other_episode_starts=tuple(at(-24 * 120, 0) for _ in range(draw(st.integers(0, 3)))),
        exceptional_rhi=draw(st.booleans()),
    )


@st.composite
def cases(draw: st.DrawFn) -> tuple[Facts, Protocol, datetime]:
    episode = draw(episodes())
    facts = Facts(draw(children), episode, HOME, BANK_HOLIDAYS)
    as_of = episode.reported_at + draw(offset(-10, 2000))
    return facts, draw(st.sampled_from(PROTOCOLS)), as_of


def overdue(obligations: tuple[Obligation, ...]) -> set[tuple[str, int]]:
    return {(o.code, o.instance) for o in obligations if o.status == "overdue"}


@settings(max_examples=300, deadline=None)
@given(cases())
def test_no_obligation_is_due_before_it_arises(case: tuple[Facts, Protocol, datetime]) -> None:
    for obligation in evaluate(*case):
        assert obligation.due_at >= obligation.arises_at, obligation


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
    assert overdue(after) <= overdue(before)
    assert {(o.code, o.instance) for o in after} == {(o.code, o.instance) for o in before}


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
        rhi=replace(e.rhi, sharings=e.rhi.sharings[::-1]),
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
        if o.status == "done":
            assert o.done_at is not None and o.done_at <= as_of
            assert o.late == (o.done_at > o.due_at)
        else:
            assert o.done_at is None and not o.late
            expected = "upcoming" if as_of < o.arises_at else "overdue" if as_of > o.due_at else "pending"
            assert o.status == expected
    cancelled = facts.episode.cancelled_at
    if cancelled is not None and cancelled <= as_of:
        assert result == ()
