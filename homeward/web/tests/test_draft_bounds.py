"""Issue 14, item 8: the signed-out draft stash keeps only what a form could use, bounded."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from homeward.web.auth import DRAFTS_KEY, MAX_DRAFT_CHARS, MAX_DRAFT_FIELDS, MAX_DRAFT_VALUE_CHARS, MAX_DRAFTS

pytestmark = pytest.mark.django_db


def _signed_out(client: Client, make_user: Any) -> None:
    make_user("coordinator", username="priya")
    client.post("/sign-in", {"username": "priya", "password": "a-long-test-password"})
    client.cookies.pop("sessionid", None)


def _session_bytes() -> int:
    return sum(len(s.session_data) for s in Session.objects.all())


def test_ten_posts_of_two_megabytes_add_almost_nothing_to_the_session_table(
    client: Client, make_user: Any, make_child: Any,
) -> None:
    _signed_out(client, make_user)
    child = make_child()
    for n in range(10):
        response = client.post(f"/report/children/{child.pk}",
                               {"circumstances": "x" * (2 * 1024 * 1024), f"junk{n}": "y" * 1000})
        assert response.status_code == 302
    assert _session_bytes() < 50_000
    drafts = client.session.get(DRAFTS_KEY, {})
    assert len(drafts) <= MAX_DRAFTS
    assert all(not any("x" * 100 in v for values in d["data"].values() for v in values) for d in drafts.values())


def test_too_many_fields_or_too_much_text_keep_no_draft(client: Client, make_user: Any, make_child: Any) -> None:
    _signed_out(client, make_user)
    child = make_child()
    many = {f"field{n}": "a" for n in range(MAX_DRAFT_FIELDS + 1)}
    response = client.post(f"/report/children/{child.pk}", many)
    assert response.status_code == 302 and "draft" not in response["Location"]
    count = MAX_DRAFT_CHARS // MAX_DRAFT_VALUE_CHARS + 1
    much = {f"field{n}": "a" * (MAX_DRAFT_VALUE_CHARS - 10) for n in range(count)}
    response = client.post(f"/report/children/{child.pk}", much)
    assert "draft" not in response["Location"]
    assert not client.session.get(DRAFTS_KEY)


def test_only_the_forms_own_fields_come_back(client: Client, make_user: Any, make_child: Any) -> None:
    _signed_out(client, make_user)
    child = make_child()
    response = client.post(f"/report/children/{child.pk}", {
        "reporter_name": "Night staff", "not_a_field": "Injected", "bad name!": "x",
    })
    stored = next(iter(client.session[DRAFTS_KEY].values()))["data"]
    assert "bad name!" not in stored
    next_url = parse_qs(urlsplit(response["Location"]).query)["next"][0]
    client.post("/sign-in", {"username": "priya", "password": "a-long-test-password", "next": next_url})
    page = client.get(next_url)
    body = page.content.decode()
    assert 'value="Night staff"' in body and "Injected" not in body
    form = page.context["form"]
    assert "not_a_field" not in form.data
