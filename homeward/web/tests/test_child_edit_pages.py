"""The pages that change a child's record, reached from the child's page: details, the
Philomena profile and the people around the child. Valid and invalid posts, what was typed
kept on the form, 403 for a role that may not, 404 outside the person's scope."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from homeward.accounts.services import user_create
from homeward.audit.models import AuditEntry
from homeward.casework.episodes import episode_report
from homeward.children.models import Child, PhilomenaProfile, ResponsibleAdult
from homeward.children.services import responsible_adult_add

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def provider() -> Any:
    return user_create(username="oak.manager", role="placement_provider", password=None, validate=False,
                       organisation_name="Oakfield Homes")


@pytest.fixture
def child(make_child: Any, provider: Any) -> Child:
    from homeward.accounts.models import Organisation

    Organisation.objects.filter(pk=provider.organisation_id).update(kind="placement_provider")
    user_create(username="sw.north", role="social_worker", password=None, validate=False,
                team_name="Children in Care North", first_name="Nadia", last_name="Osei")
    user_create(username="iro.jones", role="iro", password=None, validate=False)
    return make_child(given_name="Ella", family_name="Morgan", external_id="MOS5001", team="Children in Care North",
                      allocated_worker="sw.north", placement={
                          "authority": "941", "provider": "Oakfield House", "address": "1 Oak Lane",
                          "postcode": "NN1 1AA", "provider_organisation_id": provider.organisation_id})


def details_post(child: Child, **changes: Any) -> dict[str, Any]:
    """The details form as it opens for the child, with some fields changed."""
    placement = child.placements.get(ended_on__isnull=True)
    data = {
        "given_name": child.given_name, "family_name": child.family_name, "known_as": child.known_as,
        "date_of_birth_day": str(child.date_of_birth.day), "date_of_birth_month": str(child.date_of_birth.month),
        "date_of_birth_year": str(child.date_of_birth.year), "sex": child.sex, "ethnicity": child.ethnicity,
        "external_id": child.external_id, "legal_status": child.legal_status,
        "legal_status_since_day": "1", "legal_status_since_month": "1", "legal_status_since_year": "2020",
        "responsible_authority": child.responsible_authority.code, "placement_authority": placement.authority.code,
        "placement_provider": placement.provider, "placement_organisation": str(placement.provider_organisation_id),
        "placement_type": placement.type, "placement_address": placement.address,
        "placement_postcode": placement.postcode, "allocated_worker": "sw.north",
        "team": "Children in Care North", "iro": "", "school": child.school,
    }
    data.update(changes)
    return data


def test_the_child_page_links_to_each_change_page_for_casework(web: Client, child: Child) -> None:
    responsible_adult_add(actor=child.allocated_worker, child=child, name="Dawn Morgan", relationship="Mother")
    adult = child.responsible_adults.get()
    body = web.get(f"/children/{child.pk}").content.decode()
    for path in (f"/children/{child.pk}/details", f"/children/{child.pk}/philomena/edit",
                 f"/children/{child.pk}/people/new", f"/children/{child.pk}/people/{adult.pk}",
                 f"/children/{child.pk}/people/{adult.pk}/remove"):
        assert f'href="{path}"' in body, path


def test_the_provider_sees_only_the_philomena_link_and_police_none(client_for: Any, child: Child,
                                                                    provider: Any) -> None:
    body = client_for(provider).get(f"/children/{child.pk}").content.decode()
    assert f'href="/children/{child.pk}/philomena/edit"' in body
    assert f'href="/children/{child.pk}/details"' not in body
    episode_report(actor=child.allocated_worker, child=child, reported_at=timezone.now(), reported_by="police")
    police = user_create(username="pc", role="police_liaison", password=None, validate=False)
    body = client_for(police).get(f"/children/{child.pk}").content.decode()
    assert "/philomena/edit" not in body and "/details" not in body and "/people/new" not in body


def test_the_details_page_opens_filled_in(web: Client, child: Child) -> None:
    body = web.get(f"/children/{child.pk}/details").content.decode()
    assert 'name="given_name" type="text" value="Ella"' in body
    assert 'name="placement_address"' in body and ">1 Oak Lane</textarea>" in body
    assert '<option value="sw.north" selected>Nadia Osei (sw.north)</option>' in body
    assert 'autocomplete="bday-day"' in body


def test_changing_details_keeps_history_and_audits_before_and_after(web: Client, child: Child) -> None:
    response = web.post(f"/children/{child.pk}/details", details_post(
        child, given_name="Ela", ethnicity="WBRI", legal_status="child_in_need",
        legal_status_since_day="3", legal_status_since_month="2", legal_status_since_year="2026",
        placement_provider="Hill House", placement_authority="855", placement_postcode="le1 1aa",
        placement_started_on_day="1", placement_started_on_month="2", placement_started_on_year="2026",
        iro="iro.jones", school="Northampton Academy",
    ))
    assert response.status_code == 302 and response["Location"] == f"/children/{child.pk}"
    child.refresh_from_db()
    assert (child.given_name, child.ethnicity, child.legal_status, child.school, child.iro.username) == (
        "Ela", "WBRI", "child_in_need", "Northampton Academy", "iro.jones")
    assert [(p.status, p.started_on) for p in child.legal_statuses.order_by("id")] == [
        ("looked_after", date(2020, 1, 1)), ("child_in_need", date(2026, 2, 3))]
    placements = list(child.placements.order_by("id"))
    assert [(p.provider, p.ended_on) for p in placements] == [
        ("Oakfield House", date(2026, 2, 1)), ("Hill House", None)]
    assert placements[1].postcode == "LE1 1AA" and placements[1].authority.code == "855"
    changes = AuditEntry.objects.get(object_type="child", action="update", channel="web").detail["changes"]
    assert changes["given_name"] == {"before": "Ella", "after": "Ela"}
    assert changes["legal_status"] == {"before": "looked_after", "after": "child_in_need"}
    assert changes["placement"]["after"]["provider"] == "Hill House"


def test_saving_an_unchanged_form_changes_nothing(web: Client, child: Child) -> None:
    before = child.placements.count()
    response = web.post(f"/children/{child.pk}/details", details_post(child))
    assert response.status_code == 302
    assert child.placements.count() == before and child.legal_statuses.count() == 1
    assert not AuditEntry.objects.filter(object_type="child", action="update").exists()


def test_ending_the_placement(web: Client, child: Child) -> None:
    web.post(f"/children/{child.pk}/details", details_post(
        child, placement_authority="", placement_provider="", placement_type="", placement_address="",
        placement_postcode="", placement_organisation=""))
    assert not child.placements.filter(ended_on__isnull=True).exists()


def test_bad_details_show_the_error_summary_and_keep_what_was_typed(web: Client, child: Child,
                                                                     make_child: Any) -> None:
    make_child(external_id="MOS7777")
    response = web.post(f"/children/{child.pk}/details", details_post(
        child, given_name="", family_name="Morgan-Typed", date_of_birth_year="20x1", external_id="MOS7777"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in body and 'class="govuk-error-summary"' in body
    assert 'href="#id_given_name">Enter the child&#x27;s given name' in body
    # Only the year is wrong: the summary links to it and it alone is marked (GOV.UK date input).
    assert 'href="#id_date_of_birth_year">Date of birth must be a real date' in body
    assert 'govuk-input--error" id="id_date_of_birth_year"' in body
    assert 'govuk-input--error" id="id_date_of_birth_day"' not in body
    assert 'value="Morgan-Typed"' in body and 'value="20x1"' in body
    child.refresh_from_db()
    assert child.family_name == "Morgan"
    # A rule of the service is shown on its field too, with what was typed kept.
    response = web.post(f"/children/{child.pk}/details", details_post(child, external_id="MOS7777",
                                                                       family_name="Morgan-Typed"))
    body = response.content.decode()
    assert 'href="#id_external_id">A child with case-system id &#x27;MOS7777&#x27; already exists.' in body
    assert 'value="Morgan-Typed"' in body
    child.refresh_from_db()
    assert (child.external_id, child.family_name) == ("MOS5001", "Morgan")


def test_a_placement_needs_its_council_area(web: Client, child: Child) -> None:
    body = web.post(f"/children/{child.pk}/details", details_post(
        child, placement_authority="", placement_provider="New Home")).content.decode()
    assert 'href="#id_placement_authority">Select the council area the child is placed in' in body


def test_the_philomena_profile_is_prepared_with_a_photo_and_shown(web: Client, child: Child) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (10, 20, 30)).save(buffer, format="JPEG")
    response = web.post(f"/children/{child.pk}/philomena/edit", {
        "description": "Tall, red hair", "known_associates": "J (17), Far Cotton", "risks": ["risk_cse", "risk_cce"],
        "photo": SimpleUploadedFile("me.jpg", buffer.getvalue(), content_type="image/jpeg"),
    })
    assert response.status_code == 302 and response["Location"] == f"/children/{child.pk}#philomena"
    profile = PhilomenaProfile.objects.get(child=child)
    assert profile.risk_cse and profile.risk_cce and not profile.risk_self_harm and profile.photo
    assert web.get(f"/children/{child.pk}/philomena/photo").status_code == 200
    assert AuditEntry.objects.filter(object_type="philomena_profile", action="create", channel="web").exists()
    body = web.get(f"/children/{child.pk}/philomena/edit").content.decode()
    assert ">Tall, red hair</textarea>" in body
    assert 'value="risk_cse" checked' in body and 'value="risk_self_harm">' in body
    assert 'name="remove_photo"' in body and 'enctype="multipart/form-data"' in body


def test_a_bad_photo_is_named_and_the_typed_profile_kept(web: Client, child: Child) -> None:
    response = web.post(f"/children/{child.pk}/philomena/edit", {
        "description": "Typed description", "risks": ["risk_self_harm"],
        "photo": SimpleUploadedFile("notes.png", b"not an image", content_type="image/png"),
    })
    body = response.content.decode()
    assert response.status_code == 200
    assert 'href="#id_photo">The photo must be a JPG or PNG image.' in body
    assert ">Typed description</textarea>" in body and 'value="risk_self_harm" checked' in body
    assert not PhilomenaProfile.objects.filter(child=child).exists()


def test_the_placement_provider_keeps_the_profile_of_a_child_placed_with_it(
    client_for: Any, child: Child, provider: Any,
) -> None:
    client = client_for(provider)
    assert client.get(f"/children/{child.pk}/philomena/edit").status_code == 200
    response = client.post(f"/children/{child.pk}/philomena/edit", {"places_frequented": "Bus station"})
    assert response.status_code == 302
    assert PhilomenaProfile.objects.get(child=child).places_frequented == "Bus station"
    # Not the child's details, nor the people around the child.
    assert client.get(f"/children/{child.pk}/details").status_code == 403
    assert client.post(f"/children/{child.pk}/people/new", {"name": "X", "relationship": "Y"}).status_code == 403


def test_a_provider_without_the_child_placed_with_it_gets_404(client_for: Any, child: Child) -> None:
    other = user_create(username="elm.manager", role="placement_provider", password=None, validate=False,
                        organisation_name="Elm Homes")
    assert client_for(other).get(f"/children/{child.pk}/philomena/edit").status_code == 404
    assert client_for(other).post(f"/children/{child.pk}/philomena/edit", {"description": "x"}).status_code == 404


@pytest.mark.parametrize("role", ["police_liaison", "iro", "rhi_practitioner", "auditor"])
def test_roles_that_may_not_change_a_child_they_do_not_see_get_404(client_for: Any, make_user: Any, child: Child,
                                                                   role: str) -> None:
    """The child is looked up first: one these people do not see (never reported missing, not
    their IRO's, no interview of theirs) is 404, as the API answers; tests/test_page_permission_matrix.py
    has the 403 for each of these roles where they do see the child."""
    client = client_for(make_user(role))
    for path in (f"/children/{child.pk}/details", f"/children/{child.pk}/philomena/edit",
                 f"/children/{child.pk}/people/new", f"/children/{child.pk}/case-system-id"):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/children/{child.pk}/details", details_post(child, given_name="X")).status_code == 404
    child.refresh_from_db()
    assert child.given_name == "Ella"


def test_outside_scope_is_404(client_for: Any, make_user: Any, child: Child) -> None:
    stranger = client_for(make_user("social_worker", team="Another Team"))
    for path in (f"/children/{child.pk}/details", f"/children/{child.pk}/philomena/edit",
                 f"/children/{child.pk}/people/new", f"/children/{child.pk + 999}/details"):
        assert stranger.get(path).status_code == 404, path
    assert client_for(make_user("auditor")).get(f"/children/{child.pk}/details").status_code == 404


def test_add_change_and_remove_a_person(web: Client, child: Child) -> None:
    response = web.post(f"/children/{child.pk}/people/new", {
        "name": "Dawn Morgan", "relationship": "Mother", "has_parental_responsibility": "yes",
        "phone": "01632 960 001", "email": "dawn@example.com"})
    assert response.status_code == 302 and response["Location"] == f"/children/{child.pk}#people"
    adult = ResponsibleAdult.objects.get(child=child)
    assert adult.has_parental_responsibility and adult.email == "dawn@example.com"
    assert "Dawn Morgan</strong>, Mother (parental responsibility)" in web.get(f"/children/{child.pk}").content.decode()

    body = web.get(f"/children/{child.pk}/people/{adult.pk}").content.decode()
    assert 'value="Dawn Morgan"' in body and 'value="yes" checked' in body
    web.post(f"/children/{child.pk}/people/{adult.pk}", {"name": "Dawn Morgan", "relationship": "Mother",
                                                         "phone": "07700 900 982"})
    adult.refresh_from_db()
    assert adult.phone == "07700 900 982" and not adult.has_parental_responsibility
    assert AuditEntry.objects.filter(object_type="responsible_adult", action="update").exists()

    missing = web.post(f"/children/{child.pk}/people/{adult.pk}/remove", {"reason": ""}).content.decode()
    assert 'href="#id_reason">Say why this person is being removed' in missing
    response = web.post(f"/children/{child.pk}/people/{adult.pk}/remove", {"reason": "Entered in error"})
    assert response.status_code == 302
    adult.refresh_from_db()
    assert adult.archived_at is not None
    assert "Dawn Morgan</strong>" not in web.get(f"/children/{child.pk}").content.decode()
    assert web.get(f"/children/{child.pk}/people/{adult.pk}").status_code == 404


def test_bad_details_of_a_person_keep_what_was_typed(web: Client, child: Child) -> None:
    body = web.post(f"/children/{child.pk}/people/new", {
        "name": "Dawn Typed", "relationship": "", "email": "dawn-at-example", "address": "2 Elm Road"}).content.decode()
    assert 'href="#id_relationship">Enter the person&#x27;s relationship to the child' in body
    assert 'href="#id_email">Enter an email address in the correct format' in body
    assert 'value="Dawn Typed"' in body and ">2 Elm Road</textarea>" in body
    assert not ResponsibleAdult.objects.filter(child=child).exists()


def test_a_person_of_another_child_is_not_found(web: Client, child: Child, make_child: Any) -> None:
    other = make_child()
    adult = responsible_adult_add(actor=child.allocated_worker, child=other, name="Sam", relationship="Father")
    assert web.get(f"/children/{child.pk}/people/{adult.pk}").status_code == 404
    assert web.post(f"/children/{child.pk}/people/{adult.pk}/remove", {"reason": "x"}).status_code == 404
