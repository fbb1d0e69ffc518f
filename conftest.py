"""Fixtures shared by every app's tests: reference data, people in each role, API clients."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from rest_framework.test import APIClient


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    """Every test database starts with the shipped reference data, as `homeward run` loads it."""
    from homeward.reference.loader import load_reference_data

    with django_db_blocker.unblock():
        load_reference_data()


@pytest.fixture(scope="module")
def reference_data_after_flush(django_db_blocker: Any) -> Iterator[None]:
    """For a module of transactional tests: each flush empties every table, reference data
    included, so it is loaded again once the module's last flush is done, and the next tests
    of this worker find the database as the session set it up."""
    yield
    from homeward.reference.loader import load_reference_data

    with django_db_blocker.unblock():
        load_reference_data()


@pytest.fixture
def make_user(db: Any) -> Callable[..., Any]:
    from homeward.accounts.services import user_create

    counter = {"n": 0}

    def make(role: str = "coordinator", *, team: str = "", organisation: str = "", username: str = "") -> Any:
        counter["n"] += 1
        return user_create(
            username=username or f"{role}{counter['n']}", role=role, password="a-long-test-password",
            team_name=team, organisation_name=organisation, validate=False,
        )

    return make


@pytest.fixture
def coordinator(make_user: Callable[..., Any]) -> Any:
    return make_user("coordinator", team="Missing Children Team", username="coord")


@pytest.fixture
def api_for(db: Any) -> Callable[[Any], APIClient]:
    """An API client that sends `Authorization: Bearer <token>` for a person."""
    from homeward.accounts.services import token_create

    def client_for(user: Any) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_create(user=user)}")
        return client

    return client_for


@pytest.fixture
def api(api_for: Callable[[Any], APIClient], coordinator: Any) -> APIClient:
    return api_for(coordinator)


@pytest.fixture
def make_child(coordinator: Any) -> Callable[..., Any]:
    from homeward.children.services import PlacementInput, child_create

    counter = {"n": 0}

    def make(**overrides: Any) -> Any:
        counter["n"] += 1
        placement = overrides.pop("placement", None)
        values: dict[str, Any] = {
            "external_id": f"TEST{counter['n']:05d}",
            "given_name": "Test",
            "family_name": f"Child{counter['n']}",
            "date_of_birth": date(2011, 5, 17),
            "sex": "female",
            "legal_status": "looked_after",
            "legal_status_since": date(2020, 1, 1),
            "responsible_authority": "941",
        }
        values.update(overrides)
        if isinstance(placement, dict):
            placement = PlacementInput(**placement)
        return child_create(actor=overrides.pop("actor", coordinator), placement=placement, **values)

    return make
