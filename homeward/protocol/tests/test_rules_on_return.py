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
