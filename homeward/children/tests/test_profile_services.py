"""The Philomena profile and the people around a child: who may change them, validation that
names the field and stores nothing, and the audit with before and after."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from homeward.audit.models import AuditEntry
from homeward.children.models import PhilomenaProfile, ResponsibleAdult
from homeward.children.services import (
    philomena_profile_update,
    responsible_adult_add,
    responsible_adult_archive,
    responsible_adult_update,
)
from homeward.common.errors import DomainValidationError, PermissionDenied

pytestmark = pytest.mark.django_db


def image_upload(fmt: str = "PNG", name: str = "photo.png", size: tuple[int, int] = (4, 4)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def test_preparing_a_profile_creates_it_and_audits_what_was_set(coordinator: Any, make_child: Any) -> None:
    child = make_child()
    profile = philomena_profile_update(actor=coordinator, child=child, description="  Tall, red hair ",
                                       risk_cse=True, places_frequented="Bus station")
    assert profile.description == "Tall, red hair" and profile.risk_cse and not profile.risk_cce
    entry = AuditEntry.objects.get(object_type="philomena_profile", child=child)
    assert entry.action == "create"
    assert entry.detail["changes"]["description"] == {"before": "", "after": "Tall, red hair"}
    assert entry.detail["changes"]["risk_cse"] == {"before": False, "after": True}
    assert child.chronology.filter(kind="philomena_updated", summary="Philomena profile prepared.").exists()


def test_updating_changes_only_the_fields_given_with_before_and_after(coordinator: Any, make_child: Any) -> None:
    child = make_child()
    philomena_profile_update(actor=coordinator, child=child, description="Tall", health_needs="Asthma")
    philomena_profile_update(actor=coordinator, child=child, description="Tall, dyed black hair")
    profile = PhilomenaProfile.objects.get(child=child)
    assert (profile.description, profile.health_needs) == ("Tall, dyed black hair", "Asthma")
    entry = AuditEntry.objects.filter(object_type="philomena_profile", action="update").get()
    assert entry.detail["changes"] == {"description": {"before": "Tall", "after": "Tall, dyed black hair"}}
    # Nothing changed: nothing audited.
    philomena_profile_update(actor=coordinator, child=child, description="Tall, dyed black hair")
    assert AuditEntry.objects.filter(object_type="philomena_profile", action="update").count() == 1


def test_a_photo_is_stored_under_a_name_of_ours_and_a_new_one_keeps_the_old_file(
    coordinator: Any, make_child: Any,
) -> None:
    child = make_child()
    first = philomena_profile_update(actor=coordinator, child=child,
                                     photo=image_upload("JPEG", "../../evil name.jpg")).photo
    assert first.name.startswith(f"philomena/{child.pk}-") and first.name.endswith(".jpg")
    first_path = Path(first.path)
    second = philomena_profile_update(actor=coordinator, child=child, photo=image_upload()).photo
    # Every photo is kept as a re-encoded JPEG (issue 14, item 7).
    assert second.name.endswith(".jpg") and second.name != first.name
    assert first_path.exists() and Path(second.path).exists()
    entry = AuditEntry.objects.filter(object_type="philomena_profile").order_by("-id").first()
    assert entry.detail["changes"]["photo"] == {"before": first.name, "after": second.name}
    philomena_profile_update(actor=coordinator, child=child, remove_photo=True)
    assert not PhilomenaProfile.objects.get(child=child).photo


@pytest.mark.parametrize("upload", [
    SimpleUploadedFile("notes.png", b"not an image at all", content_type="image/png"),
    SimpleUploadedFile("x.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", content_type="image/gif"),
])
def test_a_file_that_is_not_a_jpg_or_png_names_the_photo_and_stores_nothing(
    coordinator: Any, make_child: Any, upload: SimpleUploadedFile,
) -> None:
    child = make_child()
    with pytest.raises(DomainValidationError) as caught:
        philomena_profile_update(actor=coordinator, child=child, description="Tall", photo=upload)
    assert [e.field for e in caught.value.errors] == ["photo"]
    assert not PhilomenaProfile.objects.filter(child=child).exists()
    assert not AuditEntry.objects.filter(object_type="philomena_profile").exists()


def test_a_photo_over_5_mb_is_refused(coordinator: Any, make_child: Any, settings: Any) -> None:
    upload = image_upload()
    upload.size = 6 * 1024 * 1024
    with pytest.raises(DomainValidationError) as caught:
        philomena_profile_update(actor=coordinator, child=make_child(), photo=upload)
    assert "smaller than 5 MB" in caught.value.errors[0].message


@pytest.mark.parametrize("role", ["placement_provider", "social_worker", "edt"])
def test_casework_roles_and_the_placement_provider_may_keep_the_profile(
    role: str, make_user: Any, make_child: Any,
) -> None:
    philomena_profile_update(actor=make_user(role), child=make_child(), known_associates="J (17)")


@pytest.mark.parametrize("role", ["police_liaison", "auditor", "iro", "rhi_practitioner"])
def test_police_auditors_iros_and_practitioners_may_not_change_the_profile(
    role: str, make_user: Any, make_child: Any,
) -> None:
    with pytest.raises(PermissionDenied):
        philomena_profile_update(actor=make_user(role), child=make_child(), description="x")


def test_adding_correcting_and_removing_a_person_is_audited_and_nothing_is_deleted(
    coordinator: Any, make_child: Any,
) -> None:
    child = make_child()
    adult = responsible_adult_add(actor=coordinator, child=child, name=" Dawn Child ", relationship="Mother",
                                  phone="01632 960 001", email="dawn@example.com")
    assert adult.name == "Dawn Child" and adult.has_parental_responsibility
    created = AuditEntry.objects.get(object_type="responsible_adult", action="create")
    assert created.detail["after"]["name"] == "Dawn Child" and created.child_id == child.pk

    responsible_adult_update(actor=coordinator, adult=adult, phone="07700 900 982", name="Dawn Child")
    updated = AuditEntry.objects.get(object_type="responsible_adult", action="update")
    assert updated.detail["changes"] == {"phone": {"before": "01632 960 001", "after": "07700 900 982"}}

    responsible_adult_archive(actor=coordinator, adult=adult, reason="Entered in error")
    adult.refresh_from_db()
    assert adult.archived_at is not None and adult.archive_reason == "Entered in error"
    assert ResponsibleAdult.objects.filter(pk=adult.pk).exists()
    archived = AuditEntry.objects.get(object_type="responsible_adult", action="archive")
    assert archived.detail["before"] == {"archived_at": None} and archived.detail["after"]["archived_at"]
    with pytest.raises(DomainValidationError) as caught:
        responsible_adult_update(actor=coordinator, adult=adult, phone="01632 960 002")
    assert caught.value.errors[0].field == "adult"


def test_bad_details_of_a_person_name_each_field_and_store_nothing(coordinator: Any, make_child: Any) -> None:
    child = make_child()
    with pytest.raises(DomainValidationError) as caught:
        responsible_adult_add(actor=coordinator, child=child, name=" ", relationship="", phone="call me",
                              email="not-an-email")
    assert [e.field for e in caught.value.errors] == ["name", "relationship", "phone", "email"]
    assert not ResponsibleAdult.objects.filter(child=child).exists()
    assert not AuditEntry.objects.filter(object_type="responsible_adult").exists()


def test_removing_a_person_needs_a_reason(coordinator: Any, make_child: Any) -> None:
    adult = responsible_adult_add(actor=coordinator, child=make_child(), name="Dawn", relationship="Mother")
    with pytest.raises(DomainValidationError) as caught:
        responsible_adult_archive(actor=coordinator, adult=adult, reason="  ")
    assert caught.value.errors[0].field == "reason"


@pytest.mark.parametrize("role", ["placement_provider", "police_liaison", "iro", "auditor"])
def test_only_casework_roles_change_the_people_around_a_child(role: str, make_user: Any, make_child: Any) -> None:
    with pytest.raises(PermissionDenied):
        responsible_adult_add(actor=make_user(role), child=make_child(), name="Dawn", relationship="Mother")
