"""A bearer token signs in its active person while it is not revoked, and notes when it was last
used, at most once a minute (`token_authenticate`, one fixed statement a request)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from homeward.accounts.models import ApiToken
from homeward.accounts.services import token_authenticate, token_create

pytestmark = pytest.mark.django_db


def test_a_live_token_signs_in_its_person_and_notes_its_use(make_user: Any) -> None:
    person = make_user("coordinator")
    raw = token_create(user=person)
    token = ApiToken.objects.get(user=person)
    assert token.last_used_at is None
    found = token_authenticate(raw)
    assert found is not None and found.pk == person.pk and found.username == person.username
    assert found.role == person.role and found.team_id == person.team_id
    used = ApiToken.objects.get(pk=token.pk).last_used_at
    assert used is not None and timezone.now() - used < timedelta(seconds=5)
    # Within the minute: not touched again.
    assert token_authenticate(raw) is not None
    assert ApiToken.objects.get(pk=token.pk).last_used_at == used
    # Over a minute later: touched.
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=used - timedelta(seconds=61))
    assert token_authenticate(raw) is not None
    assert ApiToken.objects.get(pk=token.pk).last_used_at > used


def test_a_revoked_token_an_unknown_one_and_an_inactive_persons_sign_in_no_one(make_user: Any) -> None:
    revoked, inactive = make_user("coordinator"), make_user("social_worker")
    raw_revoked, raw_inactive = token_create(user=revoked), token_create(user=inactive)
    ApiToken.objects.filter(user=revoked).update(revoked_at=timezone.now())
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    assert token_authenticate(raw_revoked) is None
    assert token_authenticate(raw_inactive) is None
    assert token_authenticate("not-a-token") is None
