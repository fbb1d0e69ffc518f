"""Builders for protocol tests: facts with sensible defaults, London and UTC instants."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import holidays

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
    ProtocolVersion,
    RhiFacts,
    RiskGrading,
    StrategyMeeting,
    default_protocol,
    evaluate,
    load_protocol_text,
)
from homeward.protocol.calendar import LONDON

HOME = "941"  # West Northamptonshire, the installation default
NEIGHBOUR = "937"  # Warwickshire, in the shipped neighbouring list
FAR_AWAY = "330"  # Birmingham
OTHER = "333"  # Sandwell

#: Bank holidays of England and Wales from the `holidays` package, as the Django side
#: builds them ("ENG" covers England and Wales: they share every bank holiday).
BANK_HOLIDAYS: frozenset[date] = frozenset(
    holidays.country_holidays("GB", subdiv="ENG", years=range(2016, 2032)).keys()
)


def ldt(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    """A Europe/London wall-clock instant."""
    return datetime(year, month, day, hour, minute, second, tzinfo=LONDON)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def child(
    *,
    status: str = "none",
    since: date = date(2000, 1, 1),
    placed_in: str | None = None,
    placed_since: date = date(2000, 1, 1),
    responsible: str = HOME,
    has_iro: bool = False,
    allocated: bool = True,
    history: Iterable[LegalStatusPeriod] = (),
) -> ChildFacts:
    statuses = (LegalStatusPeriod(status, since), *history)  # type: ignore[arg-type]
    placements = (Placement(placed_in, placed_since),) if placed_in else ()
    return ChildFacts(
        date_of_birth=date(2010, 5, 17),
        responsible_authority=responsible,
        legal_status_history=statuses,
        placements=placements,
        has_iro=has_iro,
        allocated=allocated,
    )


def looked_after(placed_in: str = HOME, **kwargs: object) -> ChildFacts:
    return child(status="looked_after", placed_in=placed_in, has_iro=True, **kwargs)  # type: ignore[arg-type]


def episode(
    reported_at: datetime,
    *,
    reported_by: str = "parent_carer",
    last_seen_at: datetime | None = None,
    classification: str | None = "missing",
    reclassified: Iterable[tuple[str, datetime]] = (),
    gradings: Iterable[tuple[str, datetime]] = (),
    found_at: datetime | None = None,
    closed_at: datetime | None = None,
    cancelled_at: datetime | None = None,
    actions: Iterable[tuple[str, datetime]] = (),
    meetings: Iterable[datetime | tuple[datetime, str]] = (),
    rhi: RhiFacts | None = None,
    other_starts: Iterable[datetime] = (),
    exceptional: bool = False,
    close_reason: str = "",
    police_reference_conflict: bool = False,
) -> EpisodeFacts:
    first = (Classification(classification, reported_at),) if classification else ()  # type: ignore[arg-type]
    later = tuple(Classification(c, t) for c, t in reclassified)  # type: ignore[arg-type]
    held = tuple(
        StrategyMeeting(m[0], m[1]) if isinstance(m, tuple) else StrategyMeeting(m)  # type: ignore[arg-type]
        for m in meetings
    )
    return EpisodeFacts(
        episode_id=1,
        reported_at=reported_at,
        reported_by=reported_by,  # type: ignore[arg-type]
        last_seen_at=last_seen_at,
        classifications=first + later,
        risk_gradings=tuple(RiskGrading(level, t) for level, t in gradings),  # type: ignore[arg-type]
        found_at=found_at,
        closed_at=closed_at,
        cancelled_at=cancelled_at,
        actions=tuple(ActionFact(code, t) for code, t in actions),  # type: ignore[arg-type]
        strategy_meetings=held,
        rhi=rhi or RhiFacts(),
        other_episode_starts=tuple(other_starts),
        exceptional_rhi=exceptional,
        close_reason=close_reason,
        police_reference_conflict=police_reference_conflict,
    )


def facts(the_child: ChildFacts, the_episode: EpisodeFacts, home: str = HOME) -> Facts:
    return Facts(the_child, the_episode, home, BANK_HOLIDAYS)


def find(obligations: Iterable[Obligation], code: str, instance: int = 1) -> Obligation | None:
    for obligation in obligations:
        if obligation.code == code and obligation.instance == instance:
            return obligation
    return None


def instances(obligations: Iterable[Obligation], code: str) -> list[Obligation]:
    return [o for o in obligations if o.code == code]


def later(instant: datetime, hours: float = 0, *, days: int = 0, minutes: int = 0, seconds: int = 0) -> datetime:
    """`instant` plus elapsed time (in UTC: adding to a London datetime would use its wall clock)."""
    return instant.astimezone(UTC) + timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)


@dataclass(frozen=True)
class Expect:
    arises_at: datetime
    due_at: datetime
    status: str
    done_at: datetime | None = None
    late: bool = False


def check(obligations: Iterable[Obligation], code: str, expected: Expect | None, instance: int = 1) -> None:
    found = find(obligations, code, instance)
    if expected is None:
        assert found is None, found
        return
    assert found is not None, f"{code} {instance} not listed"
    actual = (found.arises_at, found.due_at, found.status, found.done_at, found.late)
    assert actual == (expected.arises_at, expected.due_at, expected.status, expected.done_at, expected.late)


def ev(
    the_child: ChildFacts,
    the_episode: EpisodeFacts,
    as_of: datetime,
    protocol: Protocol | ProtocolVersion | None = None,
) -> tuple[Obligation, ...]:
    """Evaluate with the shipped default protocol unless told otherwise."""
    return evaluate(facts(the_child, the_episode), protocol or default_protocol(), as_of)


def protocol(text: str) -> Protocol:
    """A protocol file's text with a date prepended."""
    return load_protocol_text("effective_from = 2017-01-16\n" + text)
