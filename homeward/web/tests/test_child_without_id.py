"""A child reported at 2 a.m. without a case-system id: the page records them, the child page
says the id is not yet recorded and links to adding it; the API still requires it; the id
stays unique when given."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from homeward.audit.models import AuditEntry
from homeward.casework.episodes import episode_report
from homeward.children.models import Child

pytestmark = pytest.mark.django_db

NEW_CHILD = {
    "given_name": "Jade", "family_name": "Nowak", "date_of_birth_day": "3", "date_of_birth_month": "4",
    "date_of_birth_year": "2012", "sex": "female", "legal_status": "looked_after", "responsible_authority": "855",
    "placement_authority": "941", "placement_provider": "Hill House",
}


def test_the_report_page_records_a_child_without_a_case_system_id(web: Client) -> None:
    form = web.get("/report/new-child").content.decode()
    assert "Case-system id (optional)" in form
    response = web.post("/report/new-child", {**NEW_CHILD, "external_id": "  "})
    child = Child.objects.get(given_name="Jade", family_name="Nowak")
    assert response.status_code == 302 and response["Location"] == f"/report/children/{child.pk}"
    assert child.external_id == ""
    # A second child without one is recorded too: only given ids must be unique.
    assert web.post("/report/new-child", {**NEW_CHILD, "given_name": "Kai", "external_id": ""}).status_code == 302
    assert Child.objects.filter(external_id="").count() == 2


def test_a_given_case_system_id_stays_unique_on_the_page_and_in_the_database(web: Client, make_child: Any) -> None:
    make_child(external_id="MOS77")
    body = web.post("/report/new-child", {**NEW_CHILD, "external_id": " MOS77 "}).content.decode()
    assert 'href="#id_external_id">A child with case-system id' in body
    assert not Child.objects.filter(given_name="Jade").exists()
    make_child(external_id="", external_id_required=False)
    make_child(external_id="", external_id_required=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        Child.objects.filter(external_id="").update(external_id="MOS77")


def test_the_api_still_requires_the_case_system_id(api: Any) -> None:
    valid = {"given_name": "Amy", "family_name": "Lee", "date_of_birth": "2011-05-17", "sex": "female",
             "legal_status": "looked_after", "responsible_authority": "941"}
    for body in (valid, {**valid, "external_id": ""}, {**valid, "external_id": "   "}):
        response = api.post("/api/v1/children", body, format="json")
        assert response.status_code == 400, body
        assert "external_id" in [e["field"] for e in response.json()["errors"]]
    assert not Child.objects.filter(given_name="Amy").exists()


def test_the_child_page_asks_for_the_id_and_the_id_can_be_added(
    web: Client, client_for: Any, make_child: Any, make_user: Any, coordinator: Any,
) -> None:
    child = make_child(external_id="", external_id_required=False, given_name="Kai")
    page = web.get(f"/children/{child.pk}").content.decode()
    assert "Case-system id not yet recorded" in page
    assert f'href="/children/{child.pk}/case-system-id">Add the case-system id</a>' in page
    philomena = web.get(f"/children/{child.pk}/philomena").content.decode()
    assert "Not yet recorded" in philomena

    form = web.get(f"/children/{child.pk}/case-system-id").content.decode()
    assert "Add the case-system id" in form
    empty = web.post(f"/children/{child.pk}/case-system-id", {"external_id": ""}).content.decode()
    assert 'href="#id_external_id">Enter the child&#x27;s case-system id' in empty
    make_child(external_id="MOS5")
    taken = web.post(f"/children/{child.pk}/case-system-id", {"external_id": "MOS5"}).content.decode()
    assert 'href="#id_external_id">A child with case-system id' in taken
    response = web.post(f"/children/{child.pk}/case-system-id", {"external_id": " MOS6 "})
    assert response.status_code == 302 and response["Location"] == f"/children/{child.pk}"
    child.refresh_from_db()
    assert child.external_id == "MOS6"
    change = AuditEntry.objects.filter(action="update", object_type="child", child=child).latest("id")
    assert change.detail["changes"]["external_id"] == {"before": "", "after": "MOS6"}
    page = web.get(f"/children/{child.pk}").content.decode()
    assert "not yet recorded" not in page and "MOS6" in page

    # Police see the child but may not change it: no link, and the page is refused.
    episode_report(actor=coordinator, child=child, reported_at=timezone.now() - timedelta(hours=1),
                   reported_by="police", classification="missing")
    police = client_for(make_user("police_liaison"))
    other = make_child(external_id="", external_id_required=False, given_name="Lou")
    episode_report(actor=coordinator, child=other, reported_at=timezone.now() - timedelta(hours=1),
                   reported_by="police", classification="missing")
    page = police.get(f"/children/{other.pk}").content.decode()
    assert "Case-system id not yet recorded" in page and "Add the case-system id" not in page
    assert police.post(f"/children/{other.pk}/case-system-id", {"external_id": "MOS9"}).status_code == 403
    assert Child.objects.get(pk=other.pk).external_id == ""


def test_the_missing_now_board_flags_a_child_without_an_id(web: Client, make_child: Any, coordinator: Any) -> None:
    child = make_child(external_id="", external_id_required=False, given_name="Kai", date_of_birth=date(2012, 1, 1))
    episode_report(actor=coordinator, child=child, reported_at=timezone.now() - timedelta(hours=2),
                   reported_by="police", classification="missing")
    board = web.get("/missing-now").content.decode()
    assert "Kai" in board and "case-system id not yet recorded" in board
