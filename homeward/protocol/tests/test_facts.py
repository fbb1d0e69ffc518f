"""Facts: validation, the legal status and placement in force on a day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest

from homeward.protocol import (
    ActionFact,
    ChildFacts,
    Classification,
    EpisodeFacts,
    LegalStatusPeriod,
    Placement,
    RhiAmendment,
    RhiFacts,
    RhiSharing,
    RiskGrading,
    StrategyMeeting,
)
from homeward.protocol.tests.builders import ldt, utc

NAIVE = datetime(2026, 1, 1, 12)


def bad(value: str) -> Any:
    """A value outside its list, past the type checker."""
    return value


def test_datetimes_are_stored_in_utc() -> None:
    plus_two = timezone(timedelta(hours=2))
    episode = EpisodeFacts(
        episode_id="e1",
        reported_at=datetime(2026, 1, 1, 14, tzinfo=plus_two),
        reported_by="police",
        other_episode_starts=(ldt(2025, 12, 1, 10),),
    )
    assert episode.reported_at == utc(2026, 1, 1, 12)
    assert episode.reported_at.tzinfo is UTC
    assert episode.other_episode_starts[0].tzinfo is UTC
    assert episode.missing_since == episode.reported_at


def test_missing_since_is_last_seen_where_known() -> None:
    episode = EpisodeFacts(1, utc(2026, 1, 1, 12), "school", last_seen_at=utc(2026, 1, 1, 9))
    assert episode.missing_since == utc(2026, 1, 1, 9)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: EpisodeFacts(1, NAIVE, "police"), "EpisodeFacts.reported_at: naive datetime"),
        (
            lambda: EpisodeFacts(1, utc(2026, 1, 1), "police", other_episode_starts=(NAIVE,)),
            "EpisodeFacts.other_episode_starts: naive",
        ),
        (lambda: EpisodeFacts(1, utc(2026, 1, 1), bad("the neighbour")), "EpisodeFacts.reported_by: 'the neighbour'"),
        (lambda: Classification(bad("lost"), utc(2026, 1, 1)), "Classification.classification: 'lost'"),
        (lambda: Classification("missing", NAIVE), "Classification.at: naive"),
        (lambda: RiskGrading(bad("severe"), utc(2026, 1, 1)), "RiskGrading.level: 'severe'"),
        (lambda: RiskGrading("high", NAIVE), "RiskGrading.graded_at: naive"),
        (lambda: ActionFact(bad("rhi_offered"), utc(2026, 1, 1)), "ActionFact.code: 'rhi_offered'"),
        (lambda: ActionFact("carer_update", utc(2026, 1, 1), NAIVE), "ActionFact.recorded_at: naive"),
        (lambda: StrategyMeeting(utc(2026, 1, 1), bad("chat")), "StrategyMeeting.kind: 'chat'"),
        (lambda: StrategyMeeting(NAIVE), "StrategyMeeting.held_at: naive"),
        (lambda: RhiFacts(offered_at=NAIVE), "RhiFacts.offered_at: naive"),
        (lambda: RhiFacts(offers=(utc(2026, 1, 1), NAIVE)), "RhiFacts.offers: naive"),
        (lambda: RhiAmendment(NAIVE), "RhiAmendment.amended_at: naive"),
        (lambda: RhiAmendment(utc(2026, 1, 1), NAIVE), "RhiAmendment.authorised_at: naive"),
        (lambda: RhiAmendment(utc(2026, 1, 1), recorded_at=NAIVE), "RhiAmendment.recorded_at: naive"),
        (lambda: RhiSharing(utc(2026, 1, 1), frozenset({bad("press")})), "RhiSharing.recipients: 'press'"),
        (lambda: RhiSharing(NAIVE, frozenset({"police"})), "RhiSharing.shared_at: naive"),
        (lambda: LegalStatusPeriod(bad("in_care"), date(2020, 1, 1)), "LegalStatusPeriod.status: 'in_care'"),
    ],
)
def test_bad_facts_are_refused_naming_the_field(build: object, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        build()  # type: ignore[operator]
    assert str(caught.value).startswith(message), str(caught.value)


def _child(*periods: tuple[str, date], placements: tuple[Placement, ...] = ()) -> ChildFacts:
    history = tuple(LegalStatusPeriod(s, d) for s, d in periods)  # type: ignore[arg-type]
    return ChildFacts(date(2010, 1, 1), "941", history, placements)


def test_the_legal_status_in_force_is_the_one_begun_latest_by_that_day() -> None:
    child = _child(("looked_after", date(2024, 6, 1)), ("child_in_need", date(2023, 1, 1)))
    assert child.legal_status_on(date(2022, 12, 31)) == "none"
    assert child.legal_status_on(date(2023, 1, 1)) == "child_in_need"
    assert child.legal_status_on(date(2024, 5, 31)) == "child_in_need"
    assert child.legal_status_on(date(2024, 6, 1)) == "looked_after"
    assert _child().legal_status_on(date(2024, 1, 1)) == "none"


def test_the_placement_in_force_ends_the_day_the_next_begins() -> None:
    first = Placement("941", date(2024, 1, 1), date(2024, 6, 1))
    second = Placement("330", date(2024, 6, 1))
    child = _child(("looked_after", date(2024, 1, 1)), placements=(second, first))
    assert child.placement_on(date(2023, 12, 31)) is None
    assert child.placement_on(date(2024, 5, 31)) is first
    assert child.placement_on(date(2024, 6, 1)) is second
    overlapping = _child(placements=(Placement("330", date(2024, 3, 1)), first))
    assert overlapping.placement_on(date(2024, 4, 1)) == Placement("330", date(2024, 3, 1))


def test_rhi_offers_and_amendments_are_stored_in_utc() -> None:
    rhi = RhiFacts(offers=(ldt(2026, 6, 1, 10),), amendments=(RhiAmendment(ldt(2026, 6, 2, 10), ldt(2026, 6, 3, 9)),))
    assert rhi.offers == (utc(2026, 6, 1, 9),) and rhi.offers[0].tzinfo is UTC
    assert (rhi.amendments[0].amended_at, rhi.amendments[0].authorised_at) == (utc(2026, 6, 2, 9), utc(2026, 6, 3, 8))
    assert rhi.amendments[0].amended_at.tzinfo is UTC


def test_the_police_notification_to_the_ukmpu_is_an_action_and_closing_has_a_reason() -> None:
    assert ActionFact("ukmpu_notified", utc(2026, 1, 1)).code == "ukmpu_notified"
    episode = EpisodeFacts(1, utc(2026, 1, 1), "police", closed_at=utc(2026, 1, 2), close_reason="Back home")
    assert episode.close_reason == "Back home"
    assert EpisodeFacts(1, utc(2026, 1, 1), "police").close_reason == ""
