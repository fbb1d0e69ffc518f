"""Auditors read who did what to which record, not what it said (issue 14, item 5)."""

from __future__ import annotations

from typing import Any

import pytest

from homeward.children.services import responsible_adult_add

pytestmark = pytest.mark.django_db


def test_the_auditor_reads_field_names_never_the_people_around_the_child(
        make_user: Any, make_child: Any, coordinator: Any, api_for: Any) -> None:
    child = make_child(school="St Crispin's Academy", placement={"authority": "941", "address": "4 Elm Row"})
    responsible_adult_add(actor=coordinator, child=child, name="Dana Whitlock", relationship="mother",
                          phone="07700 900123", address="12 Hidden Lane")
    auditor = make_user("auditor")
    seen = api_for(auditor).get("/api/v1/audit", {"child": child.pk}).content.decode()
    for secret in ("Dana Whitlock", "07700 900123", "12 Hidden Lane", "St Crispin", "4 Elm Row"):
        assert secret not in seen, secret
    entries = api_for(auditor).get("/api/v1/audit", {"child": child.pk}).json()["results"]
    adult = next(e for e in entries if e["object_type"] == "responsible_adult")
    assert "name" in " ".join(adult["detail"]["fields"])
    # Those who may read the child's record read the entry whole, as before.
    whole = api_for(coordinator).get(f"/api/v1/children/{child.pk}/access-log").content.decode()
    assert "Dana Whitlock" in whole
