"""A report and a return through the API record who must be told (DOMAIN.md section 4)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from homeward.notifications.models import ContactPoint
from homeward.reference.models import Authority, PoliceForce

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def contacts() -> None:
    for kind, email in (("front_door", "mash@la.example"), ("mct", "mct@la.example"), ("edt", "edt@la.example")):
        ContactPoint.objects.create(kind=kind, name=kind, email=email)
    ContactPoint.objects.create(kind="authority", authority=Authority.objects.get(code="855"),
                                name="Leicestershire", email="mct@leics.example")
    ContactPoint.objects.create(kind="police", police_force=PoliceForce.objects.get(code="northamptonshire"),
                                name="Mispers", email="mispers@police.example")


def test_friday_night_report_and_return_tell_the_right_people(api: Any, make_child: Any, make_user: Any,
                                                             contacts: None) -> None:
    worker = make_user("social_worker", team="Children in Care North", username="nadia")
    worker.email = "nadia@la.example"
    worker.save()
    make_user("iro", username="deb")
    child = make_child(placement={"authority": "855"}, allocated_worker="nadia", iro="deb")
    friday_night = datetime(2026, 11, 20, 23, 15, tzinfo=LONDON)
    response = api.post("/api/v1/episodes", {
        "child": child.pk, "reported_at": friday_night.isoformat(),
        "last_seen_at": (friday_night - timedelta(hours=1)).isoformat(), "reported_by": "placement_provider",
        "police_force": "northamptonshire", "police_reference": "NP-1"}, format="json")
    assert response.status_code == 201
    episode_id = response.json()["id"]
    told = api.get(f"/api/v1/episodes/{episode_id}/notifications")
    assert told.status_code == 200
    roles = {n["recipient_role"] for n in told.json()["notifications"]}
    assert {"allocated_social_worker", "edt", "mct", "host_authority"} <= roles
    assert all(n["status"] in ("queued", "failed") and n["channel"] == "email" for n in told.json()["notifications"])

    found = api.post(f"/api/v1/episodes/{episode_id}/found",
                     {"found_at": (friday_night + timedelta(hours=10)).isoformat()}, format="json")
    assert found.status_code == 200
    after = api.get(f"/api/v1/episodes/{episode_id}/notifications").json()["notifications"]
    returned_roles = {n["recipient_role"] for n in after if n["event"] == "returned"}
    assert {"police", "iro"} <= returned_roles
    # Reporting the same police notification again tells nobody twice.
    again = api.post("/api/v1/episodes", {"child": child.pk, "reported_at": friday_night.isoformat(),
                                          "reported_by": "police", "police_force": "northamptonshire",
                                          "police_reference": "NP-1"}, format="json")
    assert again.status_code == 200
    assert len(api.get(f"/api/v1/episodes/{episode_id}/notifications").json()["notifications"]) == len(after)
