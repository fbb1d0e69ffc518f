"""Issue 14, items 10 and 11: input that once made a server error is a 400 naming the field;
every API error, 500 included, is application/problem+json; nothing is cached."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from homeward.episodes.models import Episode
from tests.payloads import CHILD

pytestmark = pytest.mark.django_db
PROBLEM = "application/problem+json"


def fields(response: Any) -> set[str]:
    assert response["Content-Type"] == PROBLEM, response.content
    return {e["field"] for e in response.json().get("errors", [])}


@pytest.mark.parametrize("path", [
    "/api/v1/episodes?status=open%00", "/api/v1/episodes?child=1%00", "/api/v1/audit?user=x%00",
    "/api/v1/audit?action=%00view", "/api/v1/worklist?status=%00", "/api/v1/children?q=%00",
])
def test_a_nul_in_any_api_query_string_is_a_400_naming_the_parameter(api: APIClient, path: str) -> None:
    response = api.get(path)
    assert response.status_code == 400
    name = path.split("?")[1].split("=")[0]
    assert fields(response) == {name}


def test_a_nul_in_a_parameter_name_is_a_400_too(api: APIClient) -> None:
    response = api.get("/api/v1/episodes?st%00atus=open")
    assert response.status_code == 400 and fields(response) == {"status"}


@pytest.mark.parametrize("when", [
    "2026-11-20T10:00:00+16:00", "2026-11-20T10:00:00-16:00", "2026-11-20T10:00:00+23:59",
    "0001-01-01T00:00:00+00:00", "0001-01-01T00:30:00+01:00", "1899-12-31T23:00:00Z",
])
def test_date_times_out_of_range_are_a_400_naming_the_field(api: APIClient, make_child: Any, when: str) -> None:
    child = make_child()
    response = api.post("/api/v1/episodes", {"child": child.pk, "reported_at": when, "reported_by": "police",
                                             "missing_from": "care", "classification": "missing"}, format="json")
    assert response.status_code == 400
    assert "reported_at" in fields(response)
    assert not Episode.objects.exists()
    listed = api.get("/api/v1/audit", {"since": when})
    assert listed.status_code in (400, 403) and listed["Content-Type"] == PROBLEM


def test_an_offset_of_15_59_is_accepted(api: APIClient, make_child: Any) -> None:
    response = api.post("/api/v1/episodes", {
        "child": make_child().pk, "reported_at": "2026-01-05T01:00:00+15:59", "reported_by": "police",
        "missing_from": "care", "classification": "missing"}, format="json")
    assert response.status_code != 500
    assert "reported_at" not in (fields(response) if response.status_code == 400 else set())


def test_year_one_in_a_report_period_is_a_400(api: APIClient) -> None:
    response = api.get("/api/v1/reports/performance", {"to": "0001-01-01"})
    assert response.status_code in (400, 403)
    if response.status_code == 400:
        assert fields(response) == {"to"}


def test_json_nested_5000_deep_is_a_400(api: APIClient) -> None:
    body = "[" * 5000 + "]" * 5000
    response = api.post("/api/v1/children", body, content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    shallow = api.post("/api/v1/children", {**CHILD, "placement": None}, format="json")
    assert shallow.status_code == 201, shallow.content


def test_a_deep_string_is_not_nesting(api: APIClient) -> None:
    response = api.post("/api/v1/children", {**CHILD, "school": "[" * 150}, format="json")
    assert response.status_code == 201, response.content


def test_a_text_longer_than_the_record_keeps_is_a_400_naming_it(api: APIClient) -> None:
    """PostgreSQL refused the row (a 500) where SQLite kept it whole."""
    response = api.post("/api/v1/children", {**CHILD, "school": "x" * 5000}, format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "school"


def test_an_unknown_api_address_is_problem_json(api: APIClient) -> None:
    response = api.get("/api/v1/no-such-thing")
    assert response.status_code == 404 and response["Content-Type"] == PROBLEM
    assert response.json()["status"] == 404


def test_an_api_500_is_problem_json(api: APIClient, monkeypatch: Any) -> None:
    from homeward.api.v1 import children

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(children, "child_get_for_user", broken)
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=api._credentials["HTTP_AUTHORIZATION"])
    response = client.get("/api/v1/children/1")
    assert response.status_code == 500
    assert response["Content-Type"] == PROBLEM
    assert response.json() == {"type": "about:blank", "title": "Internal Server Error", "status": 500}
    assert response["Cache-Control"] == "no-store"


def test_a_case_system_id_with_a_line_break_is_a_400(api: APIClient) -> None:
    response = api.post("/api/v1/children", {**CHILD, "external_id": "MOS1\r\nX: y"}, format="json")
    assert response.status_code == 400 and fields(response) == {"external_id"}


def test_every_api_answer_is_no_store(api: APIClient, make_child: Any) -> None:
    child = make_child()
    for path in (f"/api/v1/children/{child.pk}", "/api/v1/episodes", "/api/v1/no-such-thing"):
        assert api.get(path)["Cache-Control"] == "no-store"
    assert APIClient().get("/api/v1/episodes")["Cache-Control"] == "no-store"


def test_static_files_may_be_cached(client: Client) -> None:
    response = client.get("/static/homeward/philomena-pdf.css")
    assert "no-store" not in response.get("Cache-Control", "")


def test_a_taken_case_system_id_is_not_revealed_through_the_api(
    api_for: Any, make_user: Any, make_child: Any,
) -> None:
    """Issue 14, item 11: someone who may not see the child holding an id is refused it with
    a message that neither names nor confirms that child."""
    from homeward.children.services import EXTERNAL_ID_UNAVAILABLE

    make_child(external_id="MOS777")
    worker = api_for(make_user("social_worker", team="Another Team"))
    response = worker.post("/api/v1/children", {**CHILD, "external_id": "MOS777", "team": "Another Team"},
                           format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "external_id", "message": EXTERNAL_ID_UNAVAILABLE}]


@pytest.mark.parametrize("name", ["Kai\u202e", "\u2066Kai"])
def test_bidi_override_characters_in_names_are_a_400(api: APIClient, name: str) -> None:
    response = api.post("/api/v1/children", {**CHILD, "given_name": name}, format="json")
    assert response.status_code == 400 and fields(response) == {"given_name"}


def test_a_placement_patched_without_its_authority_is_a_400_naming_it(api: Any, make_child: Any) -> None:
    """Schemathesis (issue 14): PATCH is partial, and DRF passed that down to the placement, so a
    placement without its authority reached the service and was a 500."""
    child = make_child()
    answer = api.patch(f"/api/v1/children/{child.pk}", {"placement": {"provider": "Oakfield House"}}, format="json")
    assert answer.status_code == 400
    assert answer["Content-Type"] == "application/problem+json"
    assert {"field": "placement.authority", "message": "This field is required."} in answer.json()["errors"]


@pytest.mark.parametrize(("query", "field"), [
    ("/api/v1/worklist?as_of=", "as_of"),
    ("/api/v1/worklist?status=", "status"),
    ("/api/v1/worklist?team=0", "team"),
    ("/api/v1/worklist?page_size=null", "page_size"),
    ("/api/v1/worklist?page_size=501", "page_size"),
    ("/api/v1/episodes?page=0", "page"),
    ("/api/v1/episodes?child=-1", "child"),
    ("/api/v1/episodes?child=" + "9" * 30, "child"),
    ("/api/v1/reports/weekly?as_of=", "as_of"),
    ("/api/v1/reports/patterns?to=", "to"),
    ("/api/v1/reports/patterns?min_place_count=0", "min_place_count"),
    ("/api/v1/audit?user=", "user"),
])
def test_a_query_parameter_given_empty_or_out_of_bounds_is_a_400_naming_it(api: Any, query: str, field: str) -> None:
    """Schemathesis (issue 14): an empty or out-of-bounds parameter was quietly read as absent
    or as the default, answering another question than the one asked."""
    answer = api.get(query)
    assert answer.status_code == 400, query
    assert answer["Content-Type"] == "application/problem+json"
    assert [e["field"] for e in answer.json()["errors"]] == [field]


def test_questions_too_far_ahead_are_refused_before_any_work(api: Any, make_child: Any) -> None:
    """`as_of` in the year 2405 made the worklist evaluate centuries of duties (a 10 s answer)."""
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from homeward.casework.episodes import episode_report

    actor = get_user_model().objects.get(username="coord")
    episode = episode_report(actor=actor, child=make_child(), reported_at=timezone.now(), reported_by="police").episode
    ahead = (timezone.now() + timedelta(days=8)).isoformat()
    answer = api.get("/api/v1/worklist", {"as_of": ahead})
    assert answer.status_code == 400
    assert answer.json()["errors"] == [{"field": "as_of", "message": "Ask about a time at most 7 days ahead."}]
    assert api.get(f"/api/v1/episodes/{episode.pk}/obligations", {"as_of": ahead}).status_code == 200
    far = (timezone.now() + timedelta(days=400)).isoformat()
    assert api.get(f"/api/v1/episodes/{episode.pk}/obligations", {"as_of": far}).status_code == 400


def test_an_id_beyond_the_database_is_a_404_not_a_500(api: Any) -> None:
    answer = api.get("/api/v1/episodes/" + "7" * 24)
    assert answer.status_code == 404
    assert api.post(f"/api/v1/episodes/1/strategy-meetings/{'7' * 24}/actions/1/done", {}, format="json"
                    ).status_code == 404


def test_a_form_body_is_refused_as_415_problem_json(api: Any) -> None:
    """Bodies are JSON (API.md): a form could not carry the lists the API takes."""
    answer = api.post("/api/v1/episodes", {"child": "1"}, format="multipart")
    assert answer.status_code == 415
    assert answer["Content-Type"] == "application/problem+json"


def test_the_description_gives_dates_and_numbers_their_bounds(api: Any) -> None:
    schema = api.get("/api/v1/schema", HTTP_ACCEPT="application/json").json()
    worklist = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/worklist"]["get"]["parameters"]}
    assert worklist["as_of"]["pattern"].startswith("^(19|2[0-9])")
    assert (worklist["page_size"]["minimum"], worklist["page_size"]["maximum"]) == (1, 500)
    assert worklist["code"]["minLength"] == 1
    episode = schema["paths"]["/api/v1/episodes/{episode_id}"]["get"]["parameters"][0]["schema"]
    assert episode == {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}


def test_pages_count_up_to_a_cap_and_still_lead_on(api: Any, make_child: Any, monkeypatch: Any) -> None:
    """Issue 11: an exact count over a million episodes grew with history; the count stops at
    COUNT_CAP and says so, and `next` still leads on."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from homeward.api import pagination
    from homeward.casework.episodes import episode_record_found, episode_report

    actor = get_user_model().objects.get(username="coord")
    child = make_child()
    for hours in (30, 20, 10):
        episode = episode_report(actor=actor, child=child, reported_at=timezone.now() - timedelta(hours=hours),
                                 reported_by="police").episode
        episode_record_found(actor=actor, episode=episode, found_at=timezone.now() - timedelta(hours=hours - 1))
    monkeypatch.setattr(pagination, "COUNT_CAP", 2)
    first = api.get("/api/v1/episodes", {"page_size": 1}).json()
    assert (first["count"], first["count_capped"], len(first["results"])) == (2, True, 1)
    last = api.get("/api/v1/episodes", {"page_size": 1, "page": 3}).json()
    assert (last["count"], last["count_capped"], last["next"]) == (3, False, None)
    assert api.get("/api/v1/episodes", {"page_size": 1, "page": 4}).status_code == 404
