"""Credentials and scope: 401 without a valid token, 404 for what a person may not see,
403 for what a role may not do."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.payloads import CHILD

pytestmark = pytest.mark.django_db


def test_no_token_is_401() -> None:
    response = APIClient().get("/api/v1/episodes")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"] == "Bearer"


def test_bad_token_is_401() -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    assert client.get("/api/v1/episodes").status_code == 401


def test_social_worker_cannot_see_another_teams_child(make_user: Any, make_child: Any, api_for: Any) -> None:
    mine = make_child(team=None)
    worker = make_user("social_worker", team="Children in Care North")
    api = api_for(worker)
    assert api.get(f"/api/v1/children/{mine.pk}").status_code == 404
    assert api.get("/api/v1/children/987654").status_code == 404


def test_social_worker_sees_their_teams_child(make_user: Any, make_child: Any, api_for: Any) -> None:
    worker = make_user("social_worker", team="Children in Care North")
    child = make_child(team="Children in Care North")
    assert api_for(worker).get(f"/api/v1/children/{child.pk}").status_code == 200


def test_auditor_may_not_create_children_even_with_a_bad_body(make_user: Any, api_for: Any) -> None:
    response = api_for(make_user("auditor")).post("/api/v1/children", {"external_id": "X"}, format="json")
    assert response.status_code == 403


def test_police_may_not_create_children(make_user: Any, api_for: Any) -> None:
    response = api_for(make_user("police_liaison")).post("/api/v1/children", CHILD, format="json")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
