"""What people read of a rule's basis names the guidance documents, not Homeward's own
labels for them ("seed 002") or its design notes (DOMAIN.md)."""

from __future__ import annotations

import re

import pytest

from homeward.protocol import default_protocol
from homeward.protocol import route_return_interview as route
from homeward.protocol.rules import SPECS
from homeward.protocol.sources import GUIDANCE, guidance_name, name_sources
from homeward.protocol.tests.builders import HOME, NEIGHBOUR, ldt, looked_after

INTERNAL = re.compile(r"[Ss]eeds? \d|DOMAIN\.md|API\.md|ADR")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            'seed 002, "When a Child Returns": "x"',
            'Royal Borough of Greenwich, Factsheet 4: Missing, "When a Child Returns": "x"',
        ),
        (
            "(seeds 000 and 004)",
            "(Northamptonshire Children's Trust, Think Missing fact sheet and Bath & North "
            "East Somerset Council, One Minute Guide to Children Missing from Home, Care or "
            "Education Settings)",
        ),
        ("seeds 000, 002 and 003", f"{GUIDANCE['000']}; {GUIDANCE['002']}; and {GUIDANCE['003']}"),
        ("the interview (DOMAIN.md section 4); arises", "the interview; arises"),
        ("seed 009", "guidance document 009"),
        ("nothing to name", "nothing to name"),
    ],
)
def test_name_sources(text: str, expected: str) -> None:
    assert name_sources(text) == expected


@pytest.mark.parametrize("code", sorted(SPECS))
def test_every_rule_as_people_read_it_names_its_guidance(code: str) -> None:
    spec = SPECS[code]
    # the machine form stays as it is; ukmpu_notified is a product decision and says so first
    assert spec.citation.startswith("seed 00" if code != "ukmpu_notified" else "Homeward's product decision")
    shown = name_sources(spec.citation)
    assert not INTERNAL.search(shown) and any(name in shown for name in GUIDANCE.values())
    assert not INTERNAL.search(name_sources(spec.rule)) and not INTERNAL.search(spec.title)


def test_the_neighbouring_pilot_reason_names_the_protocol() -> None:
    routing = route(
        child=looked_after(NEIGHBOUR),
        home_authority=HOME,
        policy=default_protocol().versions[0],
        missing_since=ldt(2024, 1, 1),
        exceptional=False,
    )
    assert routing.conducted_by_home and routing.out_of_area and routing.neighbouring
    assert guidance_name("001") in routing.reason and not INTERNAL.search(routing.reason)
