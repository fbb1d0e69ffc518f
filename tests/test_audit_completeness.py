"""Every read and write of a child's records through the API leaves an audit entry naming
the child, the person and the channel (the endpoints of the permission matrix)."""

from __future__ import annotations

from typing import Any

import pytest

from homeward.audit.models import AuditEntry

from .test_permission_matrix import ENDPOINTS, Endpoint, World, _person, world  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

# Reference data and the audit log itself are not a child's record.
NOT_CHILD_DATA = {"codes", "audit log"}


def _actor_for(endpoint: Endpoint) -> str:
    for role in ("coordinator", "admin", "police_liaison", "placement_provider", "auditor"):
        if role in endpoint.allowed and role not in endpoint.hidden_from:
            return role
    raise AssertionError(endpoint.name)


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e.name not in NOT_CHILD_DATA],
                         ids=[e.name for e in ENDPOINTS if e.name not in NOT_CHILD_DATA])
def test_every_endpoint_audits_the_child(endpoint: Endpoint, world: World, api_for: Any) -> None:  # noqa: F811
    endpoint.prepare(world)
    world.episode.refresh_from_db()
    person = _person(_actor_for(endpoint))
    client = api_for(person)
    last = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    path = endpoint.path.format(child=world.child.pk, episode=world.episode.pk)
    response = getattr(client, endpoint.method)(path, endpoint.body(world), format="json")
    assert 200 <= response.status_code < 300, response.content
    entries = AuditEntry.objects.filter(id__gt=last, user=person)
    assert entries.exists(), f"{endpoint.name} left no audit entry"
    assert all(e.channel == "api" for e in entries)
    if endpoint.name == "child create":
        assert entries.filter(action="create", object_type="child").exists()
    else:
        assert entries.filter(child=world.child).exists(), f"{endpoint.name} did not name the child"
    if endpoint.method != "get":
        assert entries.exclude(action="view").exists(), f"{endpoint.name} recorded no change"


def test_reading_the_audit_log_is_itself_audited(api_for: Any, make_user: Any) -> None:
    auditor = make_user("auditor")
    assert api_for(auditor).get("/api/v1/audit").status_code == 200
    assert AuditEntry.objects.filter(user=auditor, object_type="audit_log").exists()
