"""Episodes through the API: report, dedupe police notifications, regrade, reclassify,
record found, cancel; every bad input of DOMAIN.md section 2 refused whole."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from homeward.audit.models import AuditEntry
from homeward.children.models import ChronologyEntry
from homeward.episodes.models import ClassificationChange, Episode, RiskGrading

pytestmark = pytest.mark.django_db


def iso(delta_hours: float) -> str:
    return (timezone.now() - timedelta(hours=delta_hours)).isoformat()


def hours_ago(hours: float) -> str:
    """A marker resolved when the test runs, so that test ids do not change with the clock."""
    return f"hours_ago:{hours}"


def resolve(value: Any) -> Any:
    if isinstance(value, str) and value.startswith("hours_ago:"):
        return iso(float(value.split(":")[1]))
    return value


def report(api: Any, child: Any, **overrides: Any) -> Any:
    body = {
        "child": child.pk,
        "reported_at": iso(3),
        "reported_by": "police",
        "last_seen_at": iso(5),
        "location_last_seen": "Abington Park",
        "missing_from": "care",
        "classification": "missing",
        "risk_level": "medium",
        "police_force": "northamptonshire",
        "police_reference": "NP-1",
    }
    body.update({key: resolve(value) for key, value in overrides.items()})
    return api.post("/api/v1/episodes", {k: v for k, v in body.items() if v is not None}, format="json")


def stored() -> tuple[int, ...]:
    return (Episode.objects.count(), ClassificationChange.objects.count(), RiskGrading.objects.count(),
            ChronologyEntry.objects.filter(episode__isnull=False).count(), AuditEntry.objects.count())


def test_report_creates_an_open_episode_from_last_seen(api: Any, make_child: Any) -> None:
    child = make_child(placement={"authority": "941"})
    response = report(api, child)
    assert response.status_code == 201, response.content
    body = response.json()
    episode = Episode.objects.get(pk=body["id"])
    assert body["status"] == "open"
    assert episode.missing_since == episode.last_seen_at
    assert body["rhi_responsibility"] == {"authority": "941", "out_of_area": False, "neighbouring": False,
                                          "chargeable": False}
    assert body["rhi"]["stage"] == "to_allocate"
    assert [c["classification"] for c in body["classification_history"]] == ["missing"]
    assert ChronologyEntry.objects.filter(episode=episode, kind="episode_reported").exists()


def test_missing_since_is_reported_at_without_last_seen(api: Any, make_child: Any) -> None:
    response = report(api, make_child(), last_seen_at=None)
    assert response.status_code == 201
    assert response.json()["missing_since"] == response.json()["reported_at"]


def test_same_police_notification_twice_gives_one_episode(api: Any, make_child: Any) -> None:
    child = make_child()
    first = report(api, child)
    again = report(api, child, reported_at=iso(1))
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert Episode.objects.filter(child=child).count() == 1


@pytest.mark.parametrize("force", ["Northamptonshire Police", "NORTHAMPTONSHIRE CONSTABULARY", "northamptonshire"])
def test_the_force_may_be_named_as_partners_name_it_and_the_answer_gives_its_code(
        api: Any, make_child: Any, force: str) -> None:
    child = make_child()
    response = report(api, child, police_force=force)
    assert response.status_code == 201, response.content
    assert response.json()["police_force"] == "northamptonshire"
    # The same notification named the other way is the same episode.
    again = report(api, child, police_force="northamptonshire", reported_at=iso(1))
    assert (again.status_code, again.json()["id"]) == (200, response.json()["id"])


def test_a_force_nobody_knows_is_a_400_naming_the_field_and_how_to_name_it(api: Any, make_child: Any) -> None:
    response = report(api, make_child(), police_force="Atlantis Police")
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["field"] == "police_force"
    assert "'Atlantis Police' is not a known police force" in error["message"]


def test_a_placement_outside_the_home_authority_is_out_of_area_a_neighbours_marked_neighbouring(
        api: Any, make_child: Any) -> None:
    """DOMAIN.md section 4: out of area whenever the placement lies outside the home authority,
    neighbours included; `neighbouring` marks the neighbours of seed 001's pilot."""
    far = report(api, make_child(placement={"authority": "203"}), police_reference="NP-far").json()
    near = report(api, make_child(placement={"authority": "855"}), police_reference="NP-near").json()
    assert far["rhi_responsibility"] == {"authority": "941", "out_of_area": True, "neighbouring": False,
                                         "chargeable": False}
    assert near["rhi_responsibility"] == {"authority": "941", "out_of_area": True, "neighbouring": True,
                                          "chargeable": False}


def test_another_authoritys_child_placed_here_is_theirs_to_interview(api: Any, make_child: Any) -> None:
    child = make_child(responsible_authority="333", placement={"authority": "941"})
    body = report(api, child).json()
    assert body["rhi_responsibility"] == {"authority": "333", "out_of_area": False, "neighbouring": False,
                                          "chargeable": True}


@pytest.mark.parametrize(
    ("overrides", "child_overrides", "field"),
    [
        ({}, {"date_of_birth": date(2000, 1, 1)}, "child"),
        ({"last_seen_at": hours_ago(1), "reported_at": hours_ago(3)}, {}, "last_seen_at"),
        ({"reported_at": hours_ago(-48)}, {}, "reported_at"),
        ({"risk_level": "extreme"}, {}, "risk_level"),
        ({"classification": "runaway"}, {}, "classification"),
        ({"reported_by": "neighbour"}, {}, "reported_by"),
        ({"police_force": "atlantis"}, {}, "police_force"),
        ({"reported_at": "2026-11-20T23:15:00"}, {}, "reported_at"),
        ({"reported_at": "yesterday"}, {}, "reported_at"),
        ({"missing_from": "space"}, {}, "missing_from"),
    ],
)
def test_bad_report_names_the_field_and_stores_nothing(
    api: Any, make_child: Any, overrides: dict[str, Any], child_overrides: dict[str, Any], field: str
) -> None:
    child = make_child(**child_overrides)
    before = stored()
    response = report(api, child, **overrides)
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert field in [e["field"] for e in response.json()["errors"]]
    assert stored() == before


def test_child_turning_18_the_day_after_last_seen_is_still_a_child(api: Any, make_child: Any) -> None:
    today = timezone.localdate()
    child = make_child(date_of_birth=today.replace(year=today.year - 18) + timedelta(days=1),
                       legal_status_since=None)
    assert report(api, child, reported_at=iso(1), last_seen_at=iso(2)).status_code == 201


def test_second_open_episode_is_refused(api: Any, make_child: Any) -> None:
    child = make_child()
    assert report(api, child).status_code == 201
    before = stored()
    response = report(api, child, police_reference="NP-2")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "child"
    assert stored() == before


def test_unknown_child_is_a_field_error(api: Any) -> None:
    response = api.post("/api/v1/episodes", {"child": 999999, "reported_at": iso(1), "reported_by": "police"},
                        format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "child"


def test_regrade_keeps_every_grading(api: Any, make_child: Any) -> None:
    episode_id = report(api, make_child()).json()["id"]
    response = api.post(f"/api/v1/episodes/{episode_id}/risk-gradings",
                        {"risk_level": "high", "graded_at": iso(1), "graded_by": "Insp. Rowe",
                         "rationale": "Seen with an adult of concern."}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["risk_level"] == "high"
    assert [g["risk_level"] for g in body["risk_gradings"]] == ["medium", "high"]


def test_regrade_outside_the_list_is_refused(api: Any, make_child: Any) -> None:
    episode_id = report(api, make_child()).json()["id"]
    response = api.post(f"/api/v1/episodes/{episode_id}/risk-gradings",
                        {"risk_level": "severe", "graded_at": iso(1)}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "risk_level"
    assert RiskGrading.objects.filter(episode_id=episode_id).count() == 1


def test_reclassify_absent_to_missing(api: Any, make_child: Any) -> None:
    episode_id = report(api, make_child(), classification="absent").json()["id"]
    response = api.post(f"/api/v1/episodes/{episode_id}/classifications",
                        {"classification": "missing", "at": iso(2), "rationale": "Phone off."}, format="json")
    assert response.status_code == 201, response.content
    assert [c["classification"] for c in response.json()["classification_history"]] == ["absent", "missing"]


def test_record_found(api: Any, make_child: Any) -> None:
    episode_id = report(api, make_child()).json()["id"]
    response = api.post(f"/api/v1/episodes/{episode_id}/found",
                        {"found_at": iso(1), "found_location": "Bus station", "found_by": "Police",
                         "whereabouts": "A friend's flat", "with_whom": "Friends", "condition": "Hungry"},
                        format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "returned"
    assert response.json()["found_location"] == "Bus station"


@pytest.mark.parametrize(("found_hours_ago", "message_part"), [(10, "before"), (-24, "future")])
def test_found_before_missing_or_in_future_is_refused(api: Any, make_child: Any, found_hours_ago: float,
                                                      message_part: str) -> None:
    episode_id = report(api, make_child()).json()["id"]
    response = api.post(f"/api/v1/episodes/{episode_id}/found", {"found_at": iso(found_hours_ago)},
                        format="json")
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["field"] == "found_at"
    assert message_part in error["message"]
    assert Episode.objects.get(pk=episode_id).status == "open"


def test_cancel_keeps_the_episode_with_its_reason(api: Any, make_child: Any) -> None:
    episode_id = report(api, make_child()).json()["id"]
    response = api.post(f"/api/v1/episodes/{episode_id}/cancel", {"reason": "Reported in error."}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert Episode.objects.get(pk=episode_id).cancel_reason == "Reported in error."


def test_list_filters_by_status(api: Any, make_child: Any) -> None:
    open_id = report(api, make_child()).json()["id"]
    other = report(api, make_child(), police_reference="NP-9").json()["id"]
    api.post(f"/api/v1/episodes/{other}/found", {"found_at": iso(1)}, format="json")
    response = api.get("/api/v1/episodes?status=open")
    assert response.status_code == 200
    assert [e["id"] for e in response.json()["results"]] == [open_id]
    assert api.get("/api/v1/episodes?status=lost").status_code == 400
