"""The child page's chronology grows with the child's history: it is shown 50 entries at a time,
newest first, each page after the last entry of the one before (issue 11)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from homeward.audit.models import AuditEntry
from homeward.children.models import ChronologyEntry
from homeward.web.views.children import CHRONOLOGY_PAGE

pytestmark = pytest.mark.django_db


def shown(body: str) -> list[str]:
    return re.findall(r"Line (\d+) of the history", body)


def older_link(body: str) -> str | None:
    found = re.search(r'href="([^"]*before=[^"]*)" rel="next"', body)
    return found.group(1).replace("&amp;", "&") if found else None


def test_the_chronology_pages_through_every_entry_once_newest_first(web: Client, make_child: Any) -> None:
    child = make_child()
    base = timezone.now() - timedelta(days=400)
    # Two lines at each instant: the page cut falls between lines of one instant, too.
    ChronologyEntry.objects.bulk_create([
        ChronologyEntry(child=child, at=base + timedelta(hours=n // 2), kind="note", summary=f"Line {n} of the history")
        for n in range(2 * CHRONOLOGY_PAGE + 7)])
    by_newest = [str(n) for n in sorted(range(2 * CHRONOLOGY_PAGE + 7), key=lambda n: (-(n // 2), -n))]
    seen: list[str] = []
    path: str | None = f"/children/{child.pk}"
    pages = 0
    while path is not None:
        response = web.get(path)
        assert response.status_code == 200
        body = response.content.decode()
        lines = shown(body)
        assert 0 < len(lines) <= CHRONOLOGY_PAGE
        seen += lines
        assert ("Newest entries" in body) == (pages > 0)
        path = older_link(body)
        pages += 1
    assert pages == 3
    assert seen == by_newest
    # Each page is the child's record read: audited naming the child.
    assert AuditEntry.objects.filter(action="view", object_type="child", child=child).count() == pages


def test_a_cursor_that_is_not_one_shows_the_newest_entries(web: Client, make_child: Any) -> None:
    child = make_child()
    ChronologyEntry.objects.create(child=child, at=timezone.now(), kind="note", summary="Line 1 of the history")
    for before in ("nonsense", "2026-01-01T00:00:00~x", "2026-01-01T00:00:00~3"):
        body = web.get(f"/children/{child.pk}", {"before": before}).content.decode()
        assert shown(body) == ["1"]


def test_the_child_page_asks_as_many_queries_however_long_the_history(web: Client, make_child: Any) -> None:
    def queries(child: Any) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert web.get(f"/children/{child.pk}").status_code == 200
        return len(captured.captured_queries)

    short, long = make_child(), make_child(given_name="Long")
    ChronologyEntry.objects.create(child=short, at=timezone.now(), kind="note", summary="Line 1 of the history")
    ChronologyEntry.objects.bulk_create([
        ChronologyEntry(child=long, at=timezone.now() - timedelta(hours=n), kind="note", summary=f"Line {n}")
        for n in range(3 * CHRONOLOGY_PAGE)])
    queries(short)  # the session's first request reads more (its device, its key): not the page's own
    assert queries(short) == queries(long)
