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


# --- records count only from what raised the duty; amendments --------------------------------

C = ldt(2026, 4, 13, 10)  # completed, a Monday
A1 = ldt(2026, 4, 14, 10)  # first authorisation
V2 = ldt(2026, 4, 20, 10)  # amendment 1 (version 2), a Monday
A2 = ldt(2026, 4, 21, 15)  # its authorisation
ALL = frozenset({"police", "social_worker"})


def shared(at: datetime) -> RhiSharing:
    return RhiSharing(at, ALL)  # type: ignore[arg-type]


def test_an_authorisation_before_the_interview_does_not_complete_it() -> None:
    rhi = RhiFacts(completed_at=C, authorised_at=later(C, -1))
    check(ev(child(), interviewed(rhi), later(C, 1)), "rhi_authorised", Expect(C, ldt(2026, 4, 16, 10), "pending"))  # type: ignore[arg-type]


def test_each_amendment_needs_authorising_again() -> None:
    from homeward.protocol import RhiAmendment

    rhi = RhiFacts(
        completed_at=C,
        authorised_at=A1,
        amendments=(RhiAmendment(ldt(2026, 4, 27, 10)), RhiAmendment(V2, A2), RhiAmendment(later(A1, -2), A1)),
    )
    result = ev(child(), interviewed(rhi), ldt(2026, 4, 28))  # type: ignore[arg-type]
    check(result, "rhi_authorised", Expect(C, ldt(2026, 4, 16, 10), "done", A1), instance=1)
    check(result, "rhi_authorised", Expect(V2, ldt(2026, 4, 23, 10), "done", A2), instance=2)
    check(result, "rhi_authorised", Expect(ldt(2026, 4, 27, 10), ldt(2026, 4, 30, 10), "pending"), instance=3)
    check(result, "rhi_authorised", None, instance=4)  # an "amendment" before the authorisation is not read
    (second,) = [o for o in result if o.code == "rhi_authorised" and o.instance == 2]
    assert (second.basis.trigger, second.basis.note, second.basis.deadline_from) == (
        "rhi amended_at",
        "version 2 of the interview",
        "the amendment",
    )
    # the amendment's own authorisation, from the amendment on
    early = RhiFacts(completed_at=C, authorised_at=A1, amendments=(RhiAmendment(V2, later(V2, -1)),))
    check(
        ev(child(), interviewed(early), later(V2, 1)),  # type: ignore[arg-type]
        "rhi_authorised",
        Expect(V2, ldt(2026, 4, 23, 10), "pending"),
        instance=2,
    )
    # amendments after as_of, or of an interview not yet authorised, are not read
    check(ev(child(), interviewed(rhi), later(V2, -1)), "rhi_authorised", None, instance=2)  # type: ignore[arg-type]
    unauthorised = RhiFacts(completed_at=C, amendments=(RhiAmendment(V2, A2),))
    check(ev(child(), interviewed(unauthorised), ldt(2026, 4, 28)), "rhi_authorised", None, instance=2)  # type: ignore[arg-type]


def test_each_authorised_version_is_shared_again_counting_sharings_from_then_on() -> None:
    from homeward.protocol import RhiAmendment

    rhi = RhiFacts(
        completed_at=C,
        authorised_at=A1,
        amendments=(RhiAmendment(V2, A2), RhiAmendment(ldt(2026, 4, 27, 10))),
        sharings=(shared(later(A1, -1)), shared(later(A1, 2)), shared(later(A2, 30))),
    )
    result = ev(child(), interviewed(rhi), ldt(2026, 4, 28))  # type: ignore[arg-type]
    check(result, "rhi_shared", Expect(A1, later(A1, 24), "done", later(A1, 2)), instance=1)
    check(result, "rhi_shared", Expect(A2, later(A2, 24), "done", later(A2, 30), late=True), instance=2)
    check(result, "rhi_shared", None, instance=3)  # version 3 is not authorised yet
    (second,) = [o for o in result if o.code == "rhi_shared" and o.instance == 2]
    assert (second.basis.trigger, second.basis.note) == (
        "rhi amendment authorised_at",
        "version 2; recipients: police, social worker",
    )
    only_before = RhiFacts(completed_at=C, authorised_at=A1, sharings=(shared(later(A1, -1)),))
    check(ev(child(), interviewed(only_before), later(A1, 1)), "rhi_shared", Expect(A1, later(A1, 24), "pending"))  # type: ignore[arg-type]


def test_the_plan_is_updated_once_from_the_first_authorisation() -> None:
    from homeward.protocol import RhiAmendment

    rhi = RhiFacts(completed_at=C, authorised_at=A1, amendments=(RhiAmendment(V2, A2),))
    before = episode(T, found_at=later(T, 30), rhi=rhi, actions=[("plan_updated", later(A1, -1))])
    result = ev(child(), before, ldt(2026, 4, 22))
    check(result, "plan_updated", Expect(A1, ldt(2026, 4, 21, 10), "overdue"))
    check(result, "plan_updated", None, instance=2)
    after = episode(T, found_at=later(T, 30), rhi=rhi, actions=[("plan_updated", A1)])
    check(ev(child(), after, ldt(2026, 4, 22)), "plan_updated", Expect(A1, ldt(2026, 4, 21, 10), "done", A1))
