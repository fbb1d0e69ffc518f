"""POST/GET/PATCH /api/v1/children, with histories kept and bad input refused whole."""

from __future__ import annotations

from typing import Any

import pytest

from homeward.audit.models import AuditEntry
from homeward.children.models import Child, LegalStatusPeriod, Placement

pytestmark = pytest.mark.django_db

VALID: dict[str, Any] = {
    "external_id": "MOS123456",
    "given_name": "Jade",
    "family_name": "Okafor",
    "date_of_birth": "2011-03-02",
    "sex": "female",
    "legal_status": "looked_after",
    "legal_status_since": "2023-09-01",
    "responsible_authority": "941",
    "placement": {"authority": "855", "provider": "Oakfield House", "type": "k2",
                  "address": "1 Mill Road", "postcode": "le1 5ww"},
}


def test_create_child_returns_it_with_its_id(api: Any) -> None:
    response = api.post("/api/v1/children", VALID, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["id"] == Child.objects.get(external_id="MOS123456").pk
    assert body["legal_status"] == "looked_after"
    assert body["legal_status_since"] == "2023-09-01"
    assert body["placement"]["authority"] == "855"
    assert body["placement"]["postcode"] == "LE1 5WW"
    assert body["episodes"] == []
    assert body["episodes_last_90_days"] == 0


def test_get_child_is_audited(api: Any, make_child: Any) -> None:
    child = make_child()
    response = api.get(f"/api/v1/children/{child.pk}")
    assert response.status_code == 200
    assert response.json()["external_id"] == child.external_id
    entry = AuditEntry.objects.filter(action="view", object_type="child", child=child).get()
    assert entry.username == "coord"
    assert entry.channel == "api"


def test_patch_legal_status_keeps_the_earlier_one(api: Any, make_child: Any) -> None:
    child = make_child(legal_status="child_in_need", legal_status_since=None)
    response = api.patch(f"/api/v1/children/{child.pk}",
                         {"legal_status": "looked_after", "legal_status_since": "2025-02-01"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["legal_status"] == "looked_after"
    assert [h["status"] for h in body["legal_status_history"]] == ["child_in_need", "looked_after"]
    assert LegalStatusPeriod.objects.filter(child=child).count() == 2
    update = AuditEntry.objects.get(action="update", object_type="child", child=child)
    assert update.detail["changes"]["legal_status"] == {"before": "child_in_need", "after": "looked_after"}


@pytest.fixture
def oakfield(make_user: Any) -> Any:
    """A placement provider whose organisation was made with them (`createuser --organisation`)."""
    return make_user("placement_provider", organisation="Oakfield Children's Homes", username="oakfield")


def test_a_placement_naming_the_providers_organisation_is_linked_to_it(api: Any, api_for: Any,
                                                                       oakfield: Any) -> None:
    body = {**VALID, "placement": {"authority": "941", "provider": "oakfield  children's homes"}}
    response = api.post("/api/v1/children", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["placement"]["provider_organisation"] == "Oakfield Children's Homes"
    assert Placement.objects.get().provider_organisation_id == oakfield.organisation_id
    assert api_for(oakfield).get(f"/api/v1/children/{response.json()['id']}").status_code == 200


def test_patch_may_name_the_providers_organisation_exactly(api: Any, api_for: Any, make_child: Any,
                                                           oakfield: Any) -> None:
    child = make_child(placement={"authority": "941", "provider": "Foster family A"})
    provider = api_for(oakfield)
    assert provider.get(f"/api/v1/children/{child.pk}").status_code == 404
    response = api.patch(f"/api/v1/children/{child.pk}", {"placement": {
        "authority": "941", "provider": "Oakfield House", "provider_organisation": "Oakfield Children's Homes"}},
        format="json")
    assert response.status_code == 200, response.content
    assert response.json()["placement"]["provider"] == "Oakfield House"
    assert response.json()["placement"]["provider_organisation"] == "Oakfield Children's Homes"
    assert provider.get(f"/api/v1/children/{child.pk}").status_code == 200
    update = AuditEntry.objects.get(action="update", object_type="child", child=child)
    assert update.detail["changes"]["placement"]["after"]["provider_organisation"] == "Oakfield Children's Homes"


def test_a_provider_of_no_known_organisation_stays_unlinked(api: Any, oakfield: Any) -> None:
    body = {**VALID, "placement": {"authority": "941", "provider": "Foster family B"}}
    response = api.post("/api/v1/children", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["placement"]["provider_organisation"] is None


def test_an_organisation_nobody_is_called_is_a_400_naming_it(api: Any, oakfield: Any) -> None:
    body = {**VALID, "placement": {"authority": "941", "provider_organisation": "Elmwood Care"}}
    response = api.post("/api/v1/children", body, format="json")
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["placement.provider_organisation"]
    assert Child.objects.count() == 0


def test_an_organisation_that_provides_no_placements_is_not_linked(api: Any, make_user: Any) -> None:
    make_user("rhi_practitioner", organisation="Safe Return")
    body = {**VALID, "placement": {"authority": "941", "provider": "Safe Return"}}
    response = api.post("/api/v1/children", body, format="json")
    assert response.json()["placement"]["provider_organisation"] is None


def test_patch_placement_ends_the_old_one(api: Any, make_child: Any) -> None:
    child = make_child(placement={"authority": "941", "provider": "Foster family A"})
    response = api.patch(f"/api/v1/children/{child.pk}",
                         {"placement": {"authority": "203", "provider": "Far House", "started_on": "2026-01-05"}},
                         format="json")
    assert response.status_code == 200, response.content
    assert response.json()["placement"]["authority"] == "203"
    placements = list(Placement.objects.filter(child=child).order_by("id"))
    assert len(placements) == 2
    assert str(placements[0].ended_on) == "2026-01-05"
    assert placements[1].ended_on is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"responsible_authority": "999"}, "responsible_authority"),
        ({"placement": {"authority": "12"}}, "placement.authority"),
        ({"placement": {"authority": "998"}}, "placement.authority"),
        ({"legal_status": "in_care"}, "legal_status"),
        ({"sex": "x"}, "sex"),
        ({"date_of_birth": "2011-02-30"}, "date_of_birth"),
        ({"date_of_birth": "2099-01-01"}, "date_of_birth"),
        ({"given_name": ""}, "given_name"),
        ({"allocated_worker": "nobody"}, "allocated_worker"),
        ({"team": "No such team"}, "team"),
    ],
)
def test_bad_child_input_names_the_field_and_stores_nothing(api: Any, change: dict[str, Any], field: str) -> None:
    before = (Child.objects.count(), Placement.objects.count(), AuditEntry.objects.count())
    response = api.post("/api/v1/children", {**VALID, **change}, format="json")
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    fields = [error["field"] for error in response.json()["errors"]]
    assert field in fields
    assert (Child.objects.count(), Placement.objects.count(), AuditEntry.objects.count()) == before


def test_duplicate_external_id_is_refused(api: Any, make_child: Any) -> None:
    make_child(external_id="MOS123456")
    response = api.post("/api/v1/children", VALID, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "external_id"


def test_patch_with_unknown_authority_changes_nothing(api: Any, make_child: Any) -> None:
    child = make_child(given_name="Amy")
    response = api.patch(f"/api/v1/children/{child.pk}",
                         {"given_name": "Changed", "responsible_authority": "000"}, format="json")
    assert response.status_code == 400
    child.refresh_from_db()
    assert child.given_name == "Amy"
