"""Issue 14: case-system ids that are formulas or carry control characters, bidi override
characters in names, a case-system id's holder kept secret from those who may not see them,
and photos that are decompression bombs (items 6, 7, 10 and 11)."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from homeward.casework.children import child_update
from homeward.children.models import Child, PhilomenaProfile
from homeward.children.photos import MAX_SIDE, STORED_SIDE, photo_fit_to_show
from homeward.children.services import EXTERNAL_ID_UNAVAILABLE, child_create, philomena_profile_update
from homeward.common.errors import DomainValidationError
from tests.images import png_bomb

pytestmark = pytest.mark.django_db


def fields(exc: pytest.ExceptionInfo[DomainValidationError]) -> dict[str, str]:
    return {e.field: e.message for e in exc.value.errors}


@pytest.mark.parametrize("external_id", [
    "=HYPERLINK(\"http://evil.example\",\"A1\")", "+SUM(1,2)", "-2+3", "@SUM(A1)", "=1+1",
])
def test_a_formula_as_case_system_id_is_refused_at_create_and_update(
    make_child: Any, coordinator: Any, external_id: str,
) -> None:
    with pytest.raises(DomainValidationError) as exc:
        make_child(external_id=external_id)
    assert "formula" in fields(exc)["external_id"]
    child = make_child()
    with pytest.raises(DomainValidationError) as exc:
        child_update(actor=coordinator, child=child, external_id=external_id)
    assert "formula" in fields(exc)["external_id"]
    child.refresh_from_db()
    assert not child.external_id.startswith(("=", "+", "-", "@"))


@pytest.mark.parametrize("external_id", ["MOS1\r\nX-Evil: 1", "MOS1\nMOS2", "MOS\x001", "MOS\u202e1"])
def test_control_and_bidi_characters_in_a_case_system_id_are_refused(make_child: Any, external_id: str) -> None:
    with pytest.raises(DomainValidationError) as exc:
        make_child(external_id=external_id)
    assert set(fields(exc)) == {"external_id"}
    assert not Child.objects.filter(external_id__contains="MOS").exists()


@pytest.mark.parametrize("name", ["Kai\u202eder", "\u2067Kai", "Kai\u200f", "Kai\x00", "Kai\nReid"])
def test_bidi_overrides_and_control_characters_in_names_are_refused(
    make_child: Any, coordinator: Any, name: str,
) -> None:
    with pytest.raises(DomainValidationError) as exc:
        make_child(given_name=name, family_name=name, known_as=name)
    assert set(fields(exc)) == {"given_name", "family_name", "known_as"}
    child = make_child()
    with pytest.raises(DomainValidationError) as exc:
        child_update(actor=coordinator, child=child, family_name=name)
    assert set(fields(exc)) == {"family_name"}
    if "\n" in name:  # a line break is fine in free text
        return
    with pytest.raises(DomainValidationError) as exc:
        philomena_profile_update(actor=coordinator, child=child, description=f"Tall {name}")
    assert set(fields(exc)) == {"description"}


def test_names_in_other_scripts_are_kept(make_child: Any) -> None:
    child = make_child(given_name="زينب", family_name="Ó Súilleabháin", known_as="Zé")
    assert child.given_name == "زينب"


def test_a_taken_id_is_named_only_to_someone_who_may_see_its_child(
    make_child: Any, make_user: Any, coordinator: Any,
) -> None:
    other_team = make_user("social_worker", team="Another Team")
    make_child(external_id="MOS555")  # seen by the co-ordinator, not by the other team
    mine = make_child(external_id="MOS556", team="Another Team")
    with pytest.raises(DomainValidationError) as exc:
        make_child(external_id="MOS555")
    assert "already exists" in fields(exc)["external_id"]
    with pytest.raises(DomainValidationError) as exc:
        child_create(actor=other_team, external_id="MOS555", given_name="Kai", family_name="Reid",
                     date_of_birth=date(2012, 6, 9), sex="male", legal_status="child_in_need",
                     responsible_authority="941", team="Another Team")
    assert fields(exc)["external_id"] == EXTERNAL_ID_UNAVAILABLE
    assert "MOS555" not in str(exc.value)
    with pytest.raises(DomainValidationError) as exc:
        child_update(actor=other_team, child=mine, external_id="MOS555")
    assert fields(exc)["external_id"] == EXTERNAL_ID_UNAVAILABLE
    mine.refresh_from_db()
    assert mine.external_id == "MOS556"


# --- Photos ------------------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def upload(content: bytes, name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/png")


@pytest.mark.parametrize("side", [12000, 20000])
def test_a_decompression_bomb_is_refused_with_a_field_error(coordinator: Any, make_child: Any, side: int) -> None:
    child = make_child()
    bomb = png_bomb(side, side)
    assert len(bomb) < 60_000
    with pytest.raises(DomainValidationError) as exc:
        philomena_profile_update(actor=coordinator, child=child, photo=upload(bomb), description="Tall")
    assert "4000 by 4000" in fields(exc)["photo"]
    assert not PhilomenaProfile.objects.filter(child=child).exists()


def test_a_photo_just_over_the_side_limit_is_refused(coordinator: Any, make_child: Any) -> None:
    with pytest.raises(DomainValidationError) as exc:
        philomena_profile_update(actor=coordinator, child=make_child(), photo=upload(png_bomb(MAX_SIDE + 1, 10)))
    assert "photo" in fields(exc)


def test_a_photo_is_stored_re_encoded_bounded_and_without_metadata(coordinator: Any, make_child: Any) -> None:
    image = Image.new("RGB", (3000, 2000), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"  # Make
    exif[0x0131] = "Phone software"  # Software
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif.tobytes())
    profile = philomena_profile_update(actor=coordinator, child=make_child(),
                                       photo=upload(buffer.getvalue(), "photo.jpg"))
    assert profile.photo.name.endswith(".jpg")
    with Image.open(profile.photo.path) as stored:
        assert stored.format == "JPEG"
        assert max(stored.size) == STORED_SIDE and stored.size == (STORED_SIDE, 800)
        assert not stored.getexif()
    assert Path(profile.photo.path).stat().st_size < len(buffer.getvalue())


def test_a_transparent_png_is_kept_as_a_jpeg(coordinator: Any, make_child: Any) -> None:
    buffer = io.BytesIO()
    Image.new("RGBA", (40, 30), (0, 0, 0, 0)).save(buffer, format="PNG")
    profile = philomena_profile_update(actor=coordinator, child=make_child(), photo=upload(buffer.getvalue()))
    with Image.open(profile.photo.path) as stored:
        assert (stored.format, stored.size) == ("JPEG", (40, 30))


def test_a_huge_photo_stored_before_is_left_out_of_pages_without_decoding(tmp_path: Path) -> None:
    path = tmp_path / "old.png"
    path.write_bytes(png_bomb(12000, 12000))
    assert not photo_fit_to_show(path)
    small = tmp_path / "small.png"
    small.write_bytes(png_bomb(100, 100))
    assert photo_fit_to_show(small)
