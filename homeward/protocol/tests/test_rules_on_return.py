"""DOMAIN.md sections 3 and 4: safe_and_well_check, iro_informed, rhi_offered."""

from __future__ import annotations

from datetime import datetime

import pytest

from homeward.protocol import ChildFacts, EpisodeFacts, RhiFacts
from homeward.protocol.tests.builders import (
    FAR_AWAY,
    HOME,
    NEIGHBOUR,
    OTHER,
    Expect,
    check,
    child,
    episode,
    ev,
    later,
    ldt,
    looked_after,
    protocol,
    utc,
)

T = ldt(2026, 5, 12, 20)
F = ldt(2026, 5, 14, 9, 30)  # found
LAC = looked_after(HOME)


def found(**kwargs: object) -> EpisodeFacts:
    return episode(T, found_at=F, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("the_episode", "as_of", "expected"),
    [
        pytest.param(episode(T), later(T, 100), None, id="not found"),
        pytest.param(found(), later(F, -1), None, id="found after as_of"),
        pytest.param(found(), later(F, 1), Expect(F, later(F, 24), "pending"), id="found"),
        pytest.param(found(classification="absent"), later(F, 25), Expect(F, later(F, 24), "overdue"), id="absent"),
        pytest.param(
            found(actions=[("safe_and_well_check", later(F, 3))]),
            later(F, 4),
            Expect(F, later(F, 24), "done", later(F, 3)),
            id="done",
        ),
    ],
)
def test_safe_and_well_check(the_episode: EpisodeFacts, as_of: datetime, expected: Expect | None) -> None:
    check(ev(child(), the_episode, as_of), "safe_and_well_check", expected)


@pytest.mark.parametrize(
    ("the_child", "the_episode", "as_of", "expected"),
    [
        pytest.param(LAC, found(), later(F, 1), Expect(F, later(F, 24), "pending"), id="looked after, returned"),
        pytest.param(LAC, episode(T), later(F, 1), None, id="not returned"),
        pytest.param(child(has_iro=True), found(), later(F, 1), None, id="not looked after"),
        pytest.param(
            LAC,
            found(actions=[("iro_informed", later(F, 30))]),
            later(F, 31),
            Expect(F, later(F, 24), "done", later(F, 30), late=True),
            id="late",
        ),
    ],
)
def test_iro_informed(
    the_child: ChildFacts, the_episode: EpisodeFacts, as_of: datetime, expected: Expect | None
) -> None:
    check(ev(the_child, the_episode, as_of), "iro_informed", expected)


ALLOCATION = protocol('[rhi]\nclock = "allocation"')


@pytest.mark.parametrize(
    ("the_child", "the_episode", "as_of", "expected"),
    [
        pytest.param(child(), found(), later(F, 1), Expect(F, later(F, 72), "pending"), id="lives here"),
        pytest.param(LAC, found(), later(F, 73), Expect(F, later(F, 72), "overdue"), id="looked after, placed here"),
        pytest.param(
            looked_after(NEIGHBOUR), found(), later(F, 1), Expect(F, later(F, 72), "pending"), id="placed next door"
        ),
        pytest.param(
            looked_after(FAR_AWAY), found(), later(F, 1), Expect(F, later(F, 72), "pending"), id="placed far away"
        ),
        pytest.param(looked_after(HOME, responsible=OTHER), found(), later(F, 1), None, id="placed here by another"),
        pytest.param(
            looked_after(HOME, responsible=OTHER),
            found(exceptional=True),
            later(F, 1),
            Expect(F, later(F, 72), "pending"),
            id="placed here by another, exceptional safeguarding need",
        ),
        pytest.param(child(responsible=OTHER), found(), later(F, 1), None, id="lives elsewhere"),
        pytest.param(child(), found(classification="absent"), later(F, 1), None, id="absent"),
        pytest.param(child(), episode(T), later(F, 1), None, id="not returned"),
        pytest.param(
            child(),
            found(classification="absent", reclassified=[("missing", later(F, 5))]),
            later(F, 6),
            Expect(later(F, 5), later(F, 77), "pending"),
            id="reclassified as missing after the return: from the reclassification",
        ),
        pytest.param(
            child(),
            found(classification="absent", reclassified=[("missing", later(T, 5))]),
            later(F, 6),
            Expect(F, later(F, 72), "pending"),
            id="reclassified as missing before the return",
        ),
        pytest.param(
            child(),
            found(rhi=RhiFacts(offered_at=later(F, 20))),
            later(F, 21),
            Expect(F, later(F, 72), "done", later(F, 20)),
            id="offered",
        ),
        pytest.param(
            child(),
            found(rhi=RhiFacts(offered_at=later(F, 80))),
            later(F, 81),
            Expect(F, later(F, 72), "done", later(F, 80), late=True),
            id="offered late",
        ),
        pytest.param(
            child(),
            found(rhi=RhiFacts(offered_at=later(F, 80))),
            later(F, 79),
            Expect(F, later(F, 72), "overdue"),
            id="an offer after as_of does not count yet",
        ),
        pytest.param(
            child(),
            episode(ldt(2026, 10, 22, 12), found_at=ldt(2026, 10, 23, 12)),
            utc(2026, 10, 26, 11, 0, 1),
            Expect(utc(2026, 10, 23, 11), utc(2026, 10, 26, 11), "overdue"),
            id="72 h across the autumn change end at 11:00 GMT",
        ),
    ],
)
def test_rhi_offered(
    the_child: ChildFacts, the_episode: EpisodeFacts, as_of: datetime, expected: Expect | None
) -> None:
    check(ev(the_child, the_episode, as_of), "rhi_offered", expected)


@pytest.mark.parametrize(
    ("the_episode", "as_of", "expected"),
    [
        pytest.param(found(), later(F, 100), None, id="not allocated: the clock has not started"),
        pytest.param(
            found(rhi=RhiFacts(allocated_at=later(F, 10))),
            later(F, 11),
            Expect(later(F, 10), later(F, 82), "pending"),
            id="72 h from allocation",
        ),
        pytest.param(found(rhi=RhiFacts(allocated_at=later(F, 10))), later(F, 9), None, id="allocated after as_of"),
        pytest.param(
            found(rhi=RhiFacts(allocated_at=later(F, -1))),
            later(F, 1),
            Expect(F, later(F, 72), "pending"),
            id="allocated before the return: from the return",
        ),
    ],
)
def test_rhi_offered_on_the_allocation_clock(
    the_episode: EpisodeFacts, as_of: datetime, expected: Expect | None
) -> None:
    check(ev(child(), the_episode, as_of, ALLOCATION), "rhi_offered", expected)


def test_rhi_offered_basis_names_the_protocol_value_and_routing() -> None:
    result = ev(looked_after(FAR_AWAY), found(), later(F, 1))
    (offer,) = [o for o in result if o.code == "rhi_offered"]
    assert offer.basis.policy_value == (
        "rhi_offered = 72h; rhi.clock = found from Homeward default protocol 2017-01-16"
    )
    assert "out of area" in offer.basis.note
    assert offer.basis.citation.startswith('seed 002, "When a Child Returns"')
    assert offer.basis.trigger == "found_at"
    assert offer.responsible_role == "rhi_practitioner"


def test_a_different_protocol_changes_the_answer() -> None:
    five_working_days = protocol('[deadlines]\nrhi_offered = "5wd"')
    check(
        ev(child(), found(), later(F, 1), five_working_days),
        "rhi_offered",
        Expect(F, ldt(2026, 5, 21, 9, 30), "pending"),
    )
    neighbours_only_far = protocol(f'[rhi]\nneighbouring_authorities = ["{FAR_AWAY}"]')
    (offer,) = [
        o for o in ev(looked_after(FAR_AWAY), found(), later(F, 1), neighbours_only_far) if o.code == "rhi_offered"
    ]
    assert "neighbouring authority 330" in offer.basis.note


# --- records count only from the return -----------------------------------------------------


@pytest.mark.parametrize("code", ["safe_and_well_check", "iro_informed"])
def test_a_record_before_the_return_does_not_complete_a_duty_on_return(code: str) -> None:
    """Before: a safe-and-well check recorded 79 days before the return completed it."""
    too_early = found(actions=[(code, later(F, days=-79) if code == "safe_and_well_check" else later(F, -1))])
    check(ev(LAC, too_early, later(F, 1)), code, Expect(F, later(F, 24), "pending"))
    at_the_return = found(actions=[(code, F)])
    check(ev(LAC, at_the_return, later(F, 1)), code, Expect(F, later(F, 24), "done", F))


# --- rhi_allocated -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("the_child", "the_episode", "as_of", "the_protocol", "expected"),
    [
        pytest.param(child(), found(), later(F, 1), None, Expect(F, later(F, 24), "pending"), id="found clock"),
        pytest.param(
            child(), found(), later(F, 1), ALLOCATION, Expect(F, later(F, 24), "pending"), id="allocation clock too"
        ),
        pytest.param(
            child(),
            found(rhi=RhiFacts(allocated_at=later(F, 3))),
            later(F, 4),
            None,
            Expect(F, later(F, 24), "done", later(F, 3)),
            id="allocated",
        ),
        pytest.param(
            child(),
            found(rhi=RhiFacts(allocated_at=later(F, 30))),
            later(F, 31),
            None,
            Expect(F, later(F, 24), "done", later(F, 30), late=True),
            id="allocated late",
        ),
        pytest.param(
            child(),
            found(rhi=RhiFacts(allocated_at=later(F, -2))),
            later(F, 25),
            None,
            Expect(F, later(F, 24), "overdue"),
            id="an allocation before the return does not count",
        ),
        pytest.param(
            child(),
            found(rhi=RhiFacts(allocated_at=later(F, 3))),
            later(F, 2),
            None,
            Expect(F, later(F, 24), "pending"),
            id="an allocation after as_of does not count yet",
        ),
        pytest.param(
            child(),
            found(classification="absent", reclassified=[("missing", later(F, 5))]),
            later(F, 6),
            None,
            Expect(later(F, 5), later(F, 29), "pending"),
            id="reclassified as missing after the return: from then",
        ),
        pytest.param(child(), found(classification="absent"), later(F, 1), None, None, id="absent"),
        pytest.param(child(), episode(T), later(F, 1), None, None, id="not returned"),
        pytest.param(looked_after(HOME, responsible=OTHER), found(), later(F, 1), None, None, id="placing authority's"),
        pytest.param(child(responsible=OTHER), found(), later(F, 1), None, None, id="lives elsewhere"),
        pytest.param(
            child(),
            episode(ldt(2026, 3, 27, 12), found_at=ldt(2026, 3, 28, 12)),
            utc(2026, 3, 29, 11, 0, 1),
            None,
            Expect(utc(2026, 3, 28, 12), utc(2026, 3, 29, 12), "pending"),
            id="24 h across the spring change end at 13:00 BST",
        ),
    ],
)
def test_rhi_allocated(
    the_child: ChildFacts,
    the_episode: EpisodeFacts,
    as_of: datetime,
    the_protocol: object,
    expected: Expect | None,
) -> None:
    check(ev(the_child, the_episode, as_of, the_protocol), "rhi_allocated", expected)  # type: ignore[arg-type]


def test_rhi_allocated_is_the_coordinators_and_follows_the_protocol() -> None:
    two_days = protocol('[deadlines]\nrhi_allocated = "2wd"')
    (allocate,) = [o for o in ev(child(), found(), later(F, 1), two_days) if o.code == "rhi_allocated"]
    assert allocate.responsible_role == "coordinator"
    assert allocate.title == "Allocate the return home interview"
    assert allocate.due_at == ldt(2026, 5, 18, 9, 30)  # Thursday, two working days: Friday, Monday
    assert allocate.basis.citation.startswith('seed 000, "Flowchart One": "The missing co-ordinator allocates')


# --- rhi_offered on the allocation clock; every offer --------------------------------------


def test_re_allocation_never_moves_the_clock_the_first_allocation_started() -> None:
    """The Django side passes the first allocation; the offer is owed 72 h after it."""
    first = found(rhi=RhiFacts(allocated_at=later(F, 10)))
    check(ev(child(), first, later(F, 50), ALLOCATION), "rhi_offered", Expect(later(F, 10), later(F, 82), "pending"))


def test_the_allocation_clock_runs_72_elapsed_hours_across_the_autumn_change() -> None:
    the_episode = episode(
        ldt(2026, 10, 22, 12), found_at=ldt(2026, 10, 23, 9), rhi=RhiFacts(allocated_at=ldt(2026, 10, 23, 12))
    )
    check(
        ev(child(), the_episode, ldt(2026, 10, 24), ALLOCATION),
        "rhi_offered",
        Expect(utc(2026, 10, 23, 11), utc(2026, 10, 26, 11), "pending"),  # 11:00 GMT
    )


def test_rhi_offered_is_done_by_the_first_offer_from_the_return_on() -> None:
    offers = (later(F, -3), later(F, 30), later(F, 20))
    check(
        ev(child(), found(rhi=RhiFacts(offers=offers)), later(F, 40)),
        "rhi_offered",
        Expect(F, later(F, 72), "done", later(F, 20)),
    )
    check(
        ev(child(), found(rhi=RhiFacts(offers=offers)), later(F, 25)),
        "rhi_offered",
        Expect(F, later(F, 72), "done", later(F, 20)),
    )
    check(
        ev(child(), found(rhi=RhiFacts(offers=(later(F, -3),))), later(F, 25)),
        "rhi_offered",
        Expect(F, later(F, 72), "pending"),
    )
    # every offer, when given, is what counts; offered_at alone otherwise
    both = RhiFacts(offered_at=later(F, 1), offers=(later(F, 5),))
    check(ev(child(), found(rhi=both), later(F, 6)), "rhi_offered", Expect(F, later(F, 72), "done", later(F, 5)))
    check(
        ev(child(), found(rhi=RhiFacts(offered_at=later(F, -1))), later(F, 6)),
        "rhi_offered",
        Expect(F, later(F, 72), "pending"),
    )


def test_an_offer_before_the_allocation_but_after_the_return_counts() -> None:
    rhi = RhiFacts(allocated_at=later(F, 10), offered_at=later(F, 5))
    check(
        ev(child(), found(rhi=rhi), later(F, 11), ALLOCATION),
        "rhi_offered",
        Expect(later(F, 10), later(F, 82), "done", later(F, 5)),
    )


def test_reclassified_as_missing_after_the_allocation_the_offer_runs_from_then() -> None:
    the_episode = found(
        classification="absent", reclassified=[("missing", later(F, 20))], rhi=RhiFacts(allocated_at=later(F, 10))
    )
    result = ev(child(), the_episode, later(F, 21), ALLOCATION)
    check(result, "rhi_offered", Expect(later(F, 20), later(F, 92), "pending"))
    (offer,) = [o for o in result if o.code == "rhi_offered"]
    assert offer.basis.trigger == "reclassified_missing_at"
    assert offer.basis.deadline_from == "the reclassification as missing"


# --- rhi_completed -------------------------------------------------------------------------

COMPLETION = protocol("[rhi]\ncompletion_duty = true")


@pytest.mark.parametrize(
    ("the_child", "the_episode", "as_of", "the_protocol", "expected"),
    [
        pytest.param(
            child(),
            found(rhi=RhiFacts(allocated_at=later(F, 10))),
            later(F, 11),
            None,
            None,
            id="off by default",
        ),
        pytest.param(child(), found(), later(F, 11), COMPLETION, None, id="not allocated yet"),
        pytest.param(
            child(),
            found(rhi=RhiFacts(allocated_at=later(F, 10))),
            later(F, 11),
            COMPLETION,
            Expect(later(F, 10), later(F, 82), "pending"),
            id="72 h from the first allocation",
        ),
        pytest.param(
            child(),
            found(rhi=RhiFacts(allocated_at=later(F, 10), completed_at=later(F, 50))),
            later(F, 51),
            COMPLETION,
            Expect(later(F, 10), later(F, 82), "done", later(F, 50)),
            id="completed, whatever the outcome",
        ),
        pytest.param(
            child(),
            found(rhi=RhiFacts(allocated_at=later(F, 10), completed_at=later(F, 90))),
            later(F, 91),
            COMPLETION,
            Expect(later(F, 10), later(F, 82), "done", later(F, 90), late=True),
            id="completed late",
        ),
        pytest.param(
            child(),
            found(rhi=RhiFacts(allocated_at=later(F, 10), completed_at=later(F, 90))),
            later(F, 83),
            COMPLETION,
            Expect(later(F, 10), later(F, 82), "overdue"),
            id="completed after as_of",
        ),
        pytest.param(
            child(),
            found(rhi=RhiFacts(allocated_at=later(F, -5), completed_at=later(F, -1))),
            later(F, 1),
            COMPLETION,
            Expect(F, later(F, 72), "pending"),
            id="allocated before the return: from the return, an earlier record does not count",
        ),
        pytest.param(
            child(),
            found(rhi=RhiFacts(allocated_at=later(F, 10))),
            later(F, 11),
            protocol('[rhi]\ncompletion_duty = true\nclock = "allocation"'),
            Expect(later(F, 10), later(F, 82), "pending"),
            id="on the allocation clock too",
        ),
        pytest.param(
            looked_after(HOME, responsible=OTHER),
            found(rhi=RhiFacts(allocated_at=later(F, 10))),
            later(F, 11),
            COMPLETION,
            None,
            id="the placing authority's interview",
        ),
        pytest.param(
            child(),
            found(classification="absent", rhi=RhiFacts(allocated_at=later(F, 10))),
            later(F, 11),
            COMPLETION,
            None,
            id="absent",
        ),
    ],
)
def test_rhi_completed(
    the_child: ChildFacts, the_episode: EpisodeFacts, as_of: datetime, the_protocol: object, expected: Expect | None
) -> None:
    check(ev(the_child, the_episode, as_of, the_protocol), "rhi_completed", expected)  # type: ignore[arg-type]


def test_rhi_completed_is_the_practitioners_72_elapsed_hours_across_the_spring_change() -> None:
    the_episode = episode(
        ldt(2026, 3, 26, 12), found_at=ldt(2026, 3, 27, 9), rhi=RhiFacts(allocated_at=ldt(2026, 3, 27, 12))
    )
    result = ev(child(), the_episode, ldt(2026, 3, 28), COMPLETION)
    check(result, "rhi_completed", Expect(utc(2026, 3, 27, 12), utc(2026, 3, 30, 12), "pending"))  # 13:00 BST
    (complete,) = [o for o in result if o.code == "rhi_completed"]
    assert (complete.responsible_role, complete.title) == ("rhi_practitioner", "Complete the return home interview")
    assert "aim to complete all RHI's within 72 hours" in complete.basis.citation
    assert complete.basis.policy_value == (
        "rhi_completed = 72h; rhi.completion_duty = true from Homeward default protocol 2017-01-16"
    )
