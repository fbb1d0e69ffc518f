"""Every page's footer names the home authority, from a name each process keeps a minute
(issue 11: it was a query on every request), forgotten as soon as an authority is saved."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from homeward.reference.models import Authority

pytestmark = pytest.mark.django_db


def _authority_reads(captured: CaptureQueriesContext) -> int:
    return sum('"reference_authority"' in query["sql"] for query in captured.captured_queries)


def test_the_footer_names_the_home_authority_read_once_and_again_when_renamed(web: Client) -> None:
    home = Authority.objects.get(code=settings.HOMEWARD_AUTHORITY)
    web.get("/")
    with CaptureQueriesContext(connection) as captured:
        page = web.get("/")
    assert f"the case system of {home.name}" in page.content.decode()
    assert _authority_reads(captured) == 0
    former = home.name
    try:
        home.name = "Renamed Council"
        home.save(update_fields=["name"])
        with CaptureQueriesContext(connection) as captured:
            page = web.get("/")
        assert "the case system of Renamed Council" in page.content.decode()
        assert _authority_reads(captured) == 1
    finally:
        # Saved back, so the name kept by this process is forgotten for the tests after.
        home.name = former
        home.save(update_fields=["name"])
    assert f"the case system of {former}" in web.get("/").content.decode()


def test_an_unknown_home_authority_leaves_the_footer_unnamed(web: Client, settings: Any) -> None:
    settings.HOMEWARD_AUTHORITY = "000"
    assert "the case system of the council" in web.get("/").content.decode()
