"""Fixtures shared by every app's tests: reference data, people in each role, API clients."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from rest_framework.test import APIClient

# Fixtures through which a test reaches the Django database.
DATABASE_FIXTURES = frozenset({"db", "transactional_db", "django_db_setup", "live_server"})


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--only-database-tests", action="store_true",
        help="run only the tests that use the Django database (make test's PostgreSQL pass: the "
        "others, the pure protocol engine and the SQLite-only subprocess tests, ran on SQLite)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.getoption("--only-database-tests"):
        return
    kept: list[pytest.Item] = []
    database_free: list[pytest.Item] = []
    for item in items:
        uses_database = item.get_closest_marker("django_db") or DATABASE_FIXTURES & set(
            getattr(item, "fixturenames", ()))
        (kept if uses_database else database_free).append(item)
    if database_free:
        config.hook.pytest_deselected(items=database_free)
        items[:] = kept


def _flush_by_delete(self: Any, style: Any, tables: Any, *, reset_sequences: bool = False,
                     allow_cascade: bool = False) -> list[str]:
    """A transactional test's flush on PostgreSQL: DELETE the tables in one transaction (the
    foreign keys Django makes are deferred to its commit) instead of one TRUNCATE of them all,
    which makes new files for every table and index: 0.1 s instead of 2.3 s a flush for our ~70
    tables. The audit app's tables refuse DELETE (their append-only triggers), so they alone are
    truncated, together since they refer to each other."""
    if reset_sequences or not tables:
        truncate: list[str] = _truncate(self, style, tables, reset_sequences=reset_sequences,
                                        allow_cascade=allow_cascade)
        return truncate
    audit = [table for table in tables if table.startswith("audit_")]
    statements: list[str] = _truncate(self, style, audit) if audit else []
    # Table names come from Django's own introspection of the test database.
    statements += ["SET CONSTRAINTS ALL DEFERRED"]
    statements += [f"DELETE FROM {self.quote_name(table)}" for table in tables if table not in audit]  # noqa: S608
    return statements


_truncate: Any = None


@pytest.fixture(scope="session", autouse=True)
def _postgresql_flush_by_delete() -> Iterator[None]:
    global _truncate
    from django.db.backends.postgresql.operations import DatabaseOperations

    _truncate = DatabaseOperations.sql_flush
    DatabaseOperations.sql_flush = _flush_by_delete  # type: ignore[method-assign]
    yield
    DatabaseOperations.sql_flush = _truncate  # type: ignore[method-assign]


@pytest.fixture(scope="session", autouse=True)
def _live_server_answers_without_delay() -> Iterator[None]:
    """The live server (browser and schemathesis tests) sends its answers at once. Django's
    request handler writes an answer's status line and its headers in two sends without
    TCP_NODELAY, so the second waited for the client's delayed acknowledgement: 40 ms on nearly
    every request, three quarters of the schemathesis runs' time (strace: the status line, then
    the headers 43 ms later)."""
    from django.core.servers.basehttp import WSGIRequestHandler

    before = WSGIRequestHandler.disable_nagle_algorithm
    WSGIRequestHandler.disable_nagle_algorithm = True
    yield
    WSGIRequestHandler.disable_nagle_algorithm = before


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
