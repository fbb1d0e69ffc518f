"""Samples of police notifications (one per layout, docs/police-notifications.md) and their children."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

SAMPLES = Path(__file__).parent / "samples"


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


@pytest.fixture
def jade(make_child: Callable[..., Any]) -> Any:
    """The child of the West Midlands COMPACT samples (seed 003)."""
    return make_child(given_name="Jade", family_name="Okafor", date_of_birth=date(2011, 3, 2), external_id="SW1001",
                      responsible_authority="333")


@pytest.fixture
def kyle(make_child: Callable[..., Any]) -> Any:
    """The child of the Northamptonshire CSV sample."""
    return make_child(given_name="Kyle", family_name="Brennan", date_of_birth=date(2010, 5, 17), sex="male")


@pytest.fixture
def tobi(make_child: Callable[..., Any]) -> Any:
    """The child of the Metropolitan Police PDF sample."""
    return make_child(given_name="Tobi", family_name="Adeyemi", date_of_birth=date(2012, 8, 9), sex="male")


@pytest.fixture
def mct(make_user: Callable[..., Any]) -> Any:
    return make_user("mct_admin", username="mct.intake")
