"""Issue 14, items 7, 10 and 11 on the pages: a NUL in a query string is a GOV.UK 400 naming
the parameter; a year out of range is a field error; a legacy case-system id with a line
break no longer breaks the PDF; a huge photo stored before is left out of the PDF; child
pages, PDFs and photos are never cached; a provider's photo upload is bounded."""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from homeward.children.models import Child, PhilomenaProfile
from tests.images import png_bomb

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.parametrize("path", ["/search?q=Kai%00", "/missing-now?page=%00", "/work?owner=%00",
                                  "/reports/import?x=1%00"])
def test_a_nul_in_a_page_query_string_is_a_govuk_400_naming_it(web: Client, path: str) -> None:
    response = web.get(path)
    assert response.status_code == 400
    body = response.content.decode()
    assert "govuk-error-summary" in body and "There is a problem" in body
    assert f"{path.split('?')[1].split('=')[0]}: Remove the NUL character" in body


def test_a_nul_in_the_audit_log_filter_is_a_400(client_for: Any, make_user: Any) -> None:
    auditor = client_for(make_user("auditor", username="audrey"))
    response = auditor.get("/audit?child=%00")
    assert response.status_code == 400 and "child: Remove the NUL character" in response.content.decode()


def test_year_one_in_a_govuk_date_is_a_field_error(web: Client, make_child: Any) -> None:
    child = make_child()
    response = web.post(f"/children/{child.pk}/details", {
        "given_name": "Test", "family_name": "Child", "date_of_birth_day": "1", "date_of_birth_month": "1",
        "date_of_birth_year": "0001", "sex": "female", "legal_status": "looked_after",
    })
    assert response.status_code == 200
    assert "Date of birth must be in the years 1900 to 2999" in response.content.decode()


def test_a_case_system_id_with_a_line_break_is_refused_and_an_old_one_keeps_the_pdf_working(
    web: Client, make_child: Any,
) -> None:
    child = make_child()
    response = web.post(f"/children/{child.pk}/case-system-id", {"external_id": "=HYPERLINK(\"x\")"})
    assert response.status_code == 200 and "formula" in response.content.decode()
    Child.objects.filter(pk=child.pk).update(external_id="MOS1\r\nX-Injected: 1")
    pdf = web.get(f"/children/{child.pk}/philomena.pdf")
    assert pdf.status_code == 200 and "X-Injected" not in pdf.headers
    assert pdf["Content-Disposition"].startswith('attachment; filename="philomena-MOS1X-Injected1-')


def test_child_pages_pdfs_and_photos_are_never_cached(web: Client, coordinator: Any, make_child: Any) -> None:
    from homeward.children.services import philomena_profile_update

    child = make_child()
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), (1, 2, 3)).save(buffer, format="PNG")
    philomena_profile_update(actor=coordinator, child=child,
                             photo=SimpleUploadedFile("p.png", buffer.getvalue(), content_type="image/png"))
    for path in (f"/children/{child.pk}", f"/children/{child.pk}/philomena", f"/children/{child.pk}/philomena.pdf",
                 f"/children/{child.pk}/philomena/photo", "/missing-now", "/search?q=Test"):
        response = web.get(path)
        assert response.status_code == 200, path
        assert response["Cache-Control"] == "no-store", path


def test_a_huge_photo_stored_before_is_left_out_and_the_pdf_stays_fast(web: Client, make_child: Any) -> None:
    child = make_child()
    profile = PhilomenaProfile(child=child, description="Tall")
    profile.photo.save("old.png", ContentFile(png_bomb(12000, 12000)), save=True)
    started = time.monotonic()
    response = web.get(f"/children/{child.pk}/philomena.pdf")
    assert response.status_code == 200
    assert time.monotonic() - started < 10


@pytest.mark.parametrize("side", [12000, 20000])
def test_a_decompression_bomb_on_the_philomena_page_is_a_field_error(web: Client, make_child: Any, side: int) -> None:
    child = make_child()
    response = web.post(f"/children/{child.pk}/philomena/edit", {
        "description": "Tall", "photo": SimpleUploadedFile("bomb.png", png_bomb(side, side), content_type="image/png"),
    })
    assert response.status_code == 200
    body = response.content.decode()
    assert "govuk-error-summary" in body and "4000 by 4000 pixels" in body
    assert not PhilomenaProfile.objects.filter(child=child).exists()


def test_a_placement_provider_may_upload_a_bounded_photo_for_a_child_placed_with_them(
    make_user: Any, make_child: Any, client_for: Any,
) -> None:
    from homeward.accounts.models import Organisation

    provider = make_user("placement_provider", organisation="Oakfield House Ltd")
    organisation = Organisation.objects.get(name="Oakfield House Ltd")
    child = make_child(placement={"authority": "941", "provider": "Oakfield House",
                                  "provider_organisation_id": organisation.pk})
    web = client_for(provider)
    buffer = io.BytesIO()
    Image.new("RGB", (2400, 1600), (9, 9, 9)).save(buffer, format="JPEG")
    response = web.post(f"/children/{child.pk}/philomena/edit", {
        "description": "Tall", "photo": SimpleUploadedFile("p.jpg", buffer.getvalue(), content_type="image/jpeg"),
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    stored = PhilomenaProfile.objects.get(child=child).photo
    with Image.open(stored.path) as image:
        assert image.size == (1200, 800)
    bomb = web.post(f"/children/{child.pk}/philomena/edit", {
        "photo": SimpleUploadedFile("bomb.png", png_bomb(20000, 20000), content_type="image/png"),
    })
    assert bomb.status_code == 200 and "4000 by 4000 pixels" in bomb.content.decode()
