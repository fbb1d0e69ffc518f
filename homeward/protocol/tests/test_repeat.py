"""Repeat missing (DOMAIN.md sections 3 and 8): is_repeat_missing and repeat_review."""

from __future__ import annotations

from datetime import datetime

import pytest

from homeward.protocol import is_repeat_missing
from homeward.protocol.tests.builders import Expect, check, child, episode, ev, later, ldt, protocol

START = ldt(2026, 6, 1, 12)


@pytest.mark.parametrize(
    ("others", "expected"),
    [
        pytest.param([], False, id="first episode"),
        pytest.param([later(START, days=-10)], False, id="second"),
        pytest.param([later(START, days=-10), later(START, days=-80)], True, id="third within 90 days"),
        pytest.param([later(START, days=-10), later(START, days=-90)], True, id="the 90th day counts"),
        pytest.param([later(START, days=-10), later(START, days=-90, seconds=-1)], False, id="a second too early"),
        pytest.param([later(START, days=-10), later(START, days=5)], False, id="a later episode does not count"),
        pytest.param([later(START, days=-10), START], True, id="another starting at the same instant"),
        pytest.param([later(START, days=-1)] * 5, True, id="many"),
    ],
)
def test_is_repeat_missing(others: list[datetime], expected: bool) -> None:
    assert is_repeat_missing(others, START, 3, 90) is expected


def test_the_window_crosses_29_february_2028() -> None:
    start = ldt(2028, 3, 1, 12)  # GMT, like the start of December: no clock change between
    assert is_repeat_missing([ldt(2028, 2, 29, 12), ldt(2027, 12, 2, 12)], start, 3, 90)
    assert not is_repeat_missing([ldt(2028, 2, 29, 12), ldt(2027, 12, 2, 11, 59, 59)], start, 3, 90)


def test_count_and_window_are_settings() -> None:
    assert is_repeat_missing([later(START, days=-20)], START, 2, 30)
    assert not is_repeat_missing([later(START, days=-31)], START, 2, 30)
    assert is_repeat_missing([], START, 1, 1)


def test_naive_starts_are_refused() -> None:
    with pytest.raises(ValueError, match="episode_starts: naive"):
        is_repeat_missing([datetime(2026, 5, 1)], START, 3, 90)


T = ldt(2026, 4, 2, 10)  # the Thursday before Easter


@pytest.mark.parametrize(
    ("others", "actions", "as_of", "expected"),
    [
        pytest.param([later(T, days=-3)], (), later(T, 1), None, id="second episode"),
        pytest.param(
            [later(T, days=-3), later(T, days=-60)],
            (),
            later(T, 1),
            Expect(T, ldt(2026, 4, 13, 10), "pending"),
            id="third: 5 working days over Easter",
        ),
        pytest.param(
            [later(T, days=-3), later(T, days=-60)],
            (("repeat_review", ldt(2026, 4, 14, 9)),),
            ldt(2026, 4, 15),
            Expect(T, ldt(2026, 4, 13, 10), "done", ldt(2026, 4, 14, 9), late=True),
            id="reviewed late",
        ),
    ],
)
def test_repeat_review(
    others: list[datetime], actions: tuple[tuple[str, datetime], ...], as_of: datetime, expected: Expect | None
) -> None:
    check(ev(child(), episode(T, other_starts=others, actions=actions), as_of), "repeat_review", expected)


def test_repeat_review_counts_from_missing_since() -> None:
    the_episode = episode(T, last_seen_at=later(T, days=-1), other_starts=[later(T, days=-2), later(T, days=-91)])
    check(ev(child(), the_episode, later(T, 1)), "repeat_review", Expect(T, ldt(2026, 4, 13, 10), "pending"))


def test_repeat_review_follows_the_protocol() -> None:
    stricter = protocol("[repeat_missing]\ncount = 2\nwindow_days = 30")
    result = ev(child(), episode(T, other_starts=[later(T, days=-29)]), later(T, 1), stricter)
    (review,) = [o for o in result if o.code == "repeat_review"]
    assert "repeat_missing.count = 2; repeat_missing.window_days = 30" in review.basis.policy_value
    assert ev(child(), episode(T, other_starts=[later(T, days=-29)]), later(T, 1)) == tuple(
        o for o in ev(child(), episode(T, other_starts=[later(T, days=-29)]), later(T, 1)) if o.code != "repeat_review"
    )
