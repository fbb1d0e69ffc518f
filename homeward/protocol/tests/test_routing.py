"""DOMAIN.md section 4: who conducts the return interview, and who must be told."""

from __future__ import annotations

from datetime import date

import pytest

from homeward.protocol import ChildFacts, LegalStatusPeriod, default_protocol, notification_recipients
from homeward.protocol import route_return_interview as route
from homeward.protocol.policy import load_protocol_text
from homeward.protocol.tests.builders import FAR_AWAY, HOME, NEIGHBOUR, OTHER, child, ldt, looked_after

POLICY = default_protocol().versions[0]
SINCE = ldt(2026, 5, 12, 20)


@pytest.mark.parametrize(
    ("the_child", "exceptional", "expected"),
    [
        # (authority, out_of_area, chargeable, conducted_by_home, neighbouring, placing_authority_child)
        pytest.param(child(), False, (HOME, False, False, True, False, False), id="lives here, not looked after"),
        pytest.param(
            looked_after(HOME), False, (HOME, False, False, True, False, False), id="looked after, placed here"
        ),
        pytest.param(
            looked_after(NEIGHBOUR),
            False,
            (HOME, True, False, True, True, False),
            id="looked after, placed next door: out of area, neighbouring, the pilot",
        ),
        pytest.param(
            looked_after(FAR_AWAY), False, (HOME, True, False, True, False, False), id="looked after, placed far away"
        ),
        pytest.param(
            child(status="looked_after"),
            False,
            (HOME, False, False, True, False, False),
            id="looked after, no placement known",
        ),
        pytest.param(
            looked_after(HOME, responsible=OTHER),
            False,
            (OTHER, False, True, False, False, True),
            id="another authority's child placed here",
        ),
        pytest.param(
            looked_after(HOME, responsible=OTHER),
            True,
            (HOME, False, True, True, False, True),
            id="another authority's child placed here, exceptional",
        ),
        pytest.param(child(responsible=OTHER), False, (OTHER, False, False, False, False, False), id="lives elsewhere"),
        pytest.param(
            looked_after(FAR_AWAY, responsible=OTHER),
            False,
            (OTHER, False, False, False, False, False),
            id="another authority's child placed elsewhere",
        ),
        pytest.param(
            child(status="child_in_need", placed_in=FAR_AWAY),
            False,
            (HOME, False, False, True, False, False),
            id="a placement of a child not looked after is not read",
        ),
    ],
)
def test_return_interview_routing(the_child: ChildFacts, exceptional: bool, expected: tuple[object, ...]) -> None:
    routing = route(child=the_child, home_authority=HOME, policy=POLICY, missing_since=SINCE, exceptional=exceptional)
    assert (
        routing.authority,
        routing.out_of_area,
        routing.chargeable,
        routing.conducted_by_home,
        routing.neighbouring,
        routing.placing_authority_child,
    ) == expected
    assert routing.reason
    assert ("out of area" in routing.reason) == routing.out_of_area


def test_the_neighbour_list_comes_from_the_protocol() -> None:
    no_neighbours = load_protocol_text("effective_from = 2020-01-01\n[rhi]\nneighbouring_authorities = []")
    routing = route(
        child=looked_after(NEIGHBOUR), home_authority=HOME, policy=no_neighbours.versions[0], missing_since=SINCE
    )
    assert (routing.out_of_area, routing.neighbouring) == (True, False)
    far_is_near = load_protocol_text(f'effective_from = 2020-01-01\n[rhi]\nneighbouring_authorities = ["{FAR_AWAY}"]')
    routing = route(
        child=looked_after(FAR_AWAY), home_authority=HOME, policy=far_is_near.versions[0], missing_since=SINCE
    )
    assert (routing.out_of_area, routing.neighbouring, routing.conducted_by_home) == (True, True, True)
    assert "neighbouring authority 330" in routing.reason


def test_routing_reads_the_status_and_placement_in_force_at_missing_since() -> None:
    the_child = ChildFacts(
        date_of_birth=date(2010, 1, 1),
        responsible_authority=HOME,
        legal_status_history=(
            LegalStatusPeriod("child_in_need", date(2020, 1, 1)),
            LegalStatusPeriod("looked_after", date(2026, 5, 13)),
        ),
        placements=looked_after(FAR_AWAY, placed_since=date(2026, 5, 13)).placements,
    )
    before = route(child=the_child, home_authority=HOME, policy=POLICY, missing_since=ldt(2026, 5, 12, 23, 59))
    after = route(child=the_child, home_authority=HOME, policy=POLICY, missing_since=ldt(2026, 5, 13, 0, 1))
    assert before.out_of_area is False
    assert after.out_of_area is True


BASE = ("team_manager", "mct")


@pytest.mark.parametrize(
    ("event", "the_child", "out_of_hours", "expected"),
    [
        pytest.param(
            "reported", child(), False, ("allocated_social_worker", "team_manager", "mct"), id="allocated, office hours"
        ),
        pytest.param(
            "reported",
            child(allocated=False),
            True,
            ("front_door", "team_manager", "edt", "mct"),
            id="unallocated, out of hours",
        ),
        pytest.param(
            "reported",
            looked_after(FAR_AWAY),
            False,
            ("allocated_social_worker", "team_manager", "mct", "host_authority"),
            id="our child placed elsewhere",
        ),
        pytest.param(
            "reported",
            looked_after(NEIGHBOUR),
            True,
            ("allocated_social_worker", "team_manager", "edt", "mct", "host_authority"),
            id="our child placed next door, out of hours",
        ),
        pytest.param(
            "reported",
            looked_after(HOME, responsible=OTHER),
            False,
            ("allocated_social_worker", "team_manager", "mct", "placing_authority"),
            id="another authority's child placed here",
        ),
        pytest.param(
            "reported",
            child(responsible=OTHER),
            False,
            ("allocated_social_worker", "team_manager", "mct", "responsible_authority"),
            id="a child of another authority, not looked after",
        ),
        pytest.param(
            "returned",
            looked_after(HOME),
            False,
            ("allocated_social_worker", "team_manager", "mct", "iro", "police"),
            id="returned, looked after with IRO",
        ),
        pytest.param(
            "returned",
            child(allocated=False),
            True,
            ("front_door", "team_manager", "edt", "mct", "police"),
            id="returned, no IRO, out of hours",
        ),
        pytest.param(
            "returned",
            looked_after(FAR_AWAY, responsible=HOME),
            False,
            ("allocated_social_worker", "team_manager", "mct", "host_authority", "iro", "police"),
            id="returned, placed elsewhere",
        ),
    ],
)
def test_who_must_be_told(event: str, the_child: ChildFacts, out_of_hours: bool, expected: tuple[str, ...]) -> None:
    recipients = notification_recipients(
        event=event,  # type: ignore[arg-type]
        child=the_child,
        home_authority=HOME,
        missing_since=SINCE,
        out_of_hours=out_of_hours,
    )
    assert recipients == expected
