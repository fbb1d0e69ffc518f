"""DOMAIN.md section 3: rhi_authorised, rhi_shared, plan_updated; working days."""

from __future__ import annotations

from datetime import datetime

import pytest

from homeward.protocol import ChildFacts, RhiFacts, RhiSharing
from homeward.protocol.tests.builders import (
    Expect,
    check,
    child,
    episode,
    ev,
    later,
    ldt,
    looked_after,
    protocol,
)

T = ldt(2026, 3, 20, 20)


def interviewed(rhi: RhiFacts) -> object:
    return episode(T, found_at=later(T, 30), rhi=rhi)


@pytest.mark.parametrize(
    ("rhi", "as_of", "expected"),
    [
        pytest.param(RhiFacts(), ldt(2026, 4, 20), None, id="no interview"),
        pytest.param(RhiFacts(completed_at=ldt(2026, 4, 2, 10)), ldt(2026, 4, 2, 9), None, id="completed after as_of"),
        pytest.param(
            RhiFacts(completed_at=ldt(2026, 4, 2, 10)),
            ldt(2026, 4, 2, 11),
            Expect(ldt(2026, 4, 2, 10), ldt(2026, 4, 9, 10), "pending"),
            id="Thursday before Easter + 3 working days is the next Thursday",
        ),
        pytest.param(
            RhiFacts(completed_at=ldt(2026, 12, 24, 15)),
            ldt(2026, 12, 31, 15, 0, 1),
            Expect(ldt(2026, 12, 24, 15), ldt(2026, 12, 31, 15), "overdue"),
            id="Christmas: 25, 26 (Saturday) and 28 December are not working days",
        ),
        pytest.param(
            RhiFacts(completed_at=ldt(2028, 2, 28, 10), authorised_at=ldt(2028, 2, 29, 16)),
            ldt(2028, 3, 1),
            Expect(ldt(2028, 2, 28, 10), ldt(2028, 3, 2, 10), "done", ldt(2028, 2, 29, 16)),
            id="29 February 2028 is a working day",
        ),
        pytest.param(
            RhiFacts(completed_at=ldt(2026, 3, 27, 10), authorised_at=ldt(2026, 4, 2, 10, 30)),
            ldt(2026, 4, 3),
            Expect(ldt(2026, 3, 27, 10), ldt(2026, 4, 1, 10), "done", ldt(2026, 4, 2, 10, 30), late=True),
            id="across the spring change: 10:00 GMT to 10:00 BST; late",
        ),
        pytest.param(
            RhiFacts(completed_at=ldt(2026, 4, 2, 10), authorised_at=ldt(2026, 4, 8, 10)),
            ldt(2026, 4, 7),
            Expect(ldt(2026, 4, 2, 10), ldt(2026, 4, 9, 10), "pending"),
            id="authorisation after as_of does not count yet",
        ),
    ],
)
def test_rhi_authorised(rhi: RhiFacts, as_of: datetime, expected: Expect | None) -> None:
    check(ev(child(), interviewed(rhi), as_of), "rhi_authorised", expected)  # type: ignore[arg-type]


A = ldt(2026, 4, 9, 10)  # authorised


def share(hours: float, *recipients: str) -> RhiSharing:
    return RhiSharing(later(A, hours), frozenset(recipients))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("the_child", "sharings", "as_of", "expected"),
    [
        pytest.param(child(), (), later(A, 1), Expect(A, later(A, 24), "pending"), id="not yet shared"),
        pytest.param(
            child(),
            (share(2, "police", "social_worker"),),
            later(A, 3),
            Expect(A, later(A, 24), "done", later(A, 2)),
            id="police and social worker; no IRO",
        ),
        pytest.param(
            looked_after(),
            (share(2, "police", "social_worker"),),
            later(A, 25),
            Expect(A, later(A, 24), "overdue"),
            id="the IRO is still waiting",
        ),
        pytest.param(
            looked_after(),
            (share(30, "iro"), share(2, "police", "social_worker")),
            later(A, 31),
            Expect(A, later(A, 24), "done", later(A, 30), late=True),
            id="the last recipient completes it",
        ),
        pytest.param(
            child(),
            (share(2, "police"),),
            later(A, 25),
            Expect(A, later(A, 24), "overdue"),
            id="police only",
        ),
        pytest.param(
            child(),
            (share(2, "police", "social_worker"),),
            later(A, 1),
            Expect(A, later(A, 24), "pending"),
            id="shared after as_of",
        ),
    ],
)
def test_rhi_shared(the_child: ChildFacts, sharings: tuple[RhiSharing, ...], as_of: datetime, expected: Expect) -> None:
    rhi = RhiFacts(completed_at=later(A, -20), authorised_at=A, sharings=sharings)
    check(ev(the_child, interviewed(rhi), as_of), "rhi_shared", expected)  # type: ignore[arg-type]


def test_nothing_to_share_before_authorisation() -> None:
    rhi = RhiFacts(completed_at=later(A, -20), authorised_at=A)
    result = ev(child(), interviewed(rhi), later(A, -1))  # type: ignore[arg-type]
    check(result, "rhi_shared", None)
    check(result, "plan_updated", None)


@pytest.mark.parametrize(
    ("authorised", "actions", "as_of", "expected"),
    [
        pytest.param(
            ldt(2026, 12, 24, 15),
            (),
            ldt(2027, 1, 4),
            Expect(ldt(2026, 12, 24, 15), ldt(2027, 1, 5, 15), "pending"),
            id="Christmas and New Year: 5 working days end Tuesday 5 January",
        ),
        pytest.param(
            ldt(2026, 3, 27, 10),
            (),
            ldt(2026, 4, 7, 10, 0, 1),
            Expect(ldt(2026, 3, 27, 10), ldt(2026, 4, 7, 10), "overdue"),
            id="across the spring change and Easter",
        ),
        pytest.param(
            ldt(2026, 4, 9, 10),
            (("plan_updated", ldt(2026, 4, 10, 12)),),
            ldt(2026, 4, 11),
            Expect(ldt(2026, 4, 9, 10), ldt(2026, 4, 16, 10), "done", ldt(2026, 4, 10, 12)),
            id="done",
        ),
    ],
)
def test_plan_updated(
    authorised: datetime, actions: tuple[tuple[str, datetime], ...], as_of: datetime, expected: Expect
) -> None:
    rhi = RhiFacts(completed_at=later(authorised, -5), authorised_at=authorised)
    the_episode = episode(T, found_at=later(T, 30), rhi=rhi, actions=actions)
    check(ev(child(), the_episode, as_of), "plan_updated", expected)


def test_plan_updated_follows_the_protocol() -> None:
    ten = protocol('[deadlines]\nplan_updated = "10wd"\nrhi_authorised = "24h"')
    rhi = RhiFacts(completed_at=ldt(2026, 4, 8, 10), authorised_at=ldt(2026, 4, 9, 10))
    result = ev(child(), interviewed(rhi), ldt(2026, 4, 9, 11), ten)  # type: ignore[arg-type]
    check(result, "plan_updated", Expect(ldt(2026, 4, 9, 10), ldt(2026, 4, 23, 10), "pending"))
    check(result, "rhi_authorised", Expect(ldt(2026, 4, 8, 10), ldt(2026, 4, 9, 10), "done", ldt(2026, 4, 9, 10)))
