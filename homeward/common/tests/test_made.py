"""Instances made at once (`common.made`) hold what `Model(**values)` holds."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.db.models.signals import post_init

from homeward.accounts.models import User
from homeward.audit.models import AuditEntry
from homeward.children.models import Child
from homeward.common.made import instance_made, related_held
from homeward.obligations.models import StoredObligation


def _fields(instance: Any) -> dict[str, Any]:
    """Each field's value; a default made by a call (the time now) by its type."""
    return {f.attname: type(value) if f.has_default() and callable(f.default) and not isinstance(value, dict)
            else value for f in type(instance)._meta.concrete_fields
            for value in [getattr(instance, f.attname)]}


@pytest.mark.parametrize(("model", "values"), [
    (Child, {"id": 7, "given_name": "Zoë", "family_name": "O'Neill", "known_as": ""}),
    (User, {"id": 3, "username": "sam", "first_name": "Sam", "last_name": "Ray"}),
    (StoredObligation, {"id": 9, "episode_id": 4, "child_id": 7, "code": "return_interview", "instance": 2,
                        "due_at": datetime(2026, 11, 20, 9, tzinfo=UTC), "basis": {"rule": "x"}}),
    (AuditEntry, {"username": "sam", "action": "view", "child_id": 7, "detail": {"records": [1]}}),
])
def test_an_instance_made_at_once_holds_what_init_gives(model: Any, values: dict[str, Any]) -> None:
    made = instance_made(model, values, db="default")
    built = model(**values)
    assert _fields(made) == _fields(built)
    assert (made._state.adding, made._state.db) == (False, "default")
    new = instance_made(model, values, db=None)
    assert (new._state.adding, new._state.db) == (True, None)


def test_a_default_made_anew_is_not_shared_between_instances() -> None:
    first = instance_made(AuditEntry, {"username": "a"}, db=None)
    second = instance_made(AuditEntry, {"username": "b"}, db=None)
    assert first.detail == second.detail == AuditEntry(username="c").detail
    assert first.detail is not second.detail


def test_a_watched_model_is_made_through_init() -> None:
    seen: list[Any] = []

    def watch(sender: Any, instance: Any, **kwargs: Any) -> None:
        seen.append(instance)

    post_init.connect(watch, sender=Child)
    try:
        made = instance_made(Child, {"id": 5, "given_name": "Ada"}, db="default")
    finally:
        post_init.disconnect(watch, sender=Child)
    assert seen == [made] and made.given_name == "Ada" and not made._state.adding


def test_a_related_instance_is_held_without_a_read() -> None:
    row = instance_made(StoredObligation, {"id": 1, "child_id": 7, "owner_user_id": None}, db="default")
    child = instance_made(Child, {"id": 7, "given_name": "Ada"}, db="default")
    related_held(row, "child", child)
    assert row.child is child and row.owner_user is None
