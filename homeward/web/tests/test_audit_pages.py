"""The audit log page (auditors, administrators) and "who has looked at this record"."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from homeward.audit.models import AuditEntry
from homeward.audit.services import audit_record

pytestmark = pytest.mark.django_db


def test_an_auditor_filters_the_log_by_child_person_and_date(client_for: Any, make_user: Any, make_child: Any,
                                                            coordinator: Any) -> None:
    auditor = make_user("auditor", username="audrey")
    ella = make_child(given_name="Ella", external_id="MOS42")
    other = make_child(given_name="Sam")
    web = client_for(auditor)
    worker = make_user("social_worker", username="nadia")
    audit_record(actor=worker, action="view", object_type="child", object_id=str(ella.pk), child_id=ella.pk)
    audit_record(actor=coordinator, action="view", object_type="child", object_id=str(other.pk), child_id=other.pk)
    old = audit_record(actor=worker, action="view", object_type="child", object_id=str(ella.pk), child_id=ella.pk,
                       at=timezone.now() - timedelta(days=40))

    body = web.get("/audit").content.decode()
    assert "Audit log" in body and "nadia" in body and "coord" in body

    by_case_id = web.get("/audit", {"child": "mos42"}).content.decode()
    assert "nadia" in by_case_id and f"child {other.pk}<" not in by_case_id and f"child {ella.pk}<" in by_case_id
    by_person = web.get("/audit", {"person": "coord", "action": "view"}).content.decode()
    assert "nadia" not in by_person
    today = timezone.localdate()
    recent = web.get("/audit", {"child": str(ella.pk), "since_day": str(today.day), "since_month": str(today.month),
                                "since_year": str(today.year)})
    assert recent.status_code == 200
    from homeward.web.templatetags.homeward import london

    assert london(old.at) not in recent.content.decode()
    assert london(old.at) in web.get("/audit", {"child": str(ella.pk)}).content.decode()
    # Reading the log is itself audited.
    assert AuditEntry.objects.filter(user=auditor, object_type="audit_log").count() == 5


def test_the_audit_filters_explain_mistakes(client_for: Any, make_user: Any) -> None:
    web = client_for(make_user("admin"))
    body = web.get("/audit", {"child": "NOPE", "since_day": "31", "since_month": "2", "since_year": "2026"}
                   ).content.decode()
    assert "govuk-error-summary" in body
    assert "No child has that number or case-system id" in body
    assert "From must be a real date" in body


def test_the_audit_log_is_paginated(client_for: Any, make_user: Any, coordinator: Any) -> None:
    auditor = make_user("auditor")
    for number in range(60):
        audit_record(actor=coordinator, action="search", object_type="child", detail={"query": str(number)})
    web = client_for(auditor)
    first = web.get("/audit", {"action": "search"}).content.decode()
    assert "Page 1 of 2" in first and 'rel="next"' in first and "action=search&amp;page=2" in first
    second = web.get("/audit", {"action": "search", "page": "2"}).content.decode()
    assert "Page 2 of 2" in second and 'rel="prev"' in second


@pytest.mark.parametrize("role", ["coordinator", "social_worker", "police_liaison"])
def test_other_roles_cannot_read_the_audit_log(client_for: Any, make_user: Any, role: str) -> None:
    assert client_for(make_user(role)).get("/audit").status_code == 403


def test_only_auditors_and_admins_have_the_audit_log_in_the_menu(client_for: Any, make_user: Any) -> None:
    assert 'href="/audit"' in client_for(make_user("auditor")).get("/audit").content.decode()
    assert 'href="/audit"' not in client_for(make_user("coordinator")).get("/").content.decode()


def test_who_has_looked_at_a_child(client_for: Any, make_user: Any, make_child: Any, coordinator: Any) -> None:
    worker = make_user("social_worker", username="nadia", team="Children in Care North")
    child = make_child(given_name="Ella", team="Children in Care North")
    client_for(worker).get(f"/children/{child.pk}")
    web = client_for(coordinator)
    page = web.get(f"/children/{child.pk}").content.decode()
    assert f'href="/children/{child.pk}/access-log"' in page
    log = web.get(f"/children/{child.pk}/access-log")
    assert log.status_code == 200
    body = log.content.decode()
    assert "Who has looked at this record" in body and "nadia" in body
    assert AuditEntry.objects.filter(user=coordinator, object_type="child_access_log", child=child).exists()
    # The social worker may ask too; police liaison sees the child but not who looked.
    assert client_for(worker).get(f"/children/{child.pk}/access-log").status_code == 200
    police = make_user("police_liaison")
    if client_for(police).get(f"/children/{child.pk}").status_code == 200:
        assert "/access-log" not in client_for(police).get(f"/children/{child.pk}").content.decode()
    assert client_for(police).get(f"/children/{child.pk}/access-log").status_code in (403, 404)
    # Someone who may not see the child gets Not found.
    stranger = make_user("social_worker", team="Children in Care South")
    assert client_for(stranger).get(f"/children/{child.pk}/access-log").status_code == 404


def test_the_auditors_navigation_leads_only_where_they_may_go(client_for: Any, make_user: Any) -> None:
    page = client_for(make_user("auditor", username="audrey")).get("/").content.decode()
    navigation = page[page.index('id="navigation"'):page.index("</nav>")]
    assert 'href="/audit"' in navigation and 'href="/"' in navigation
    for path in ("/missing-now", "/search", "/report", "/reports"):  # they may read no child
        assert f'href="{path}"' not in navigation
        assert f'href="{path}"' not in page
    assert "Your role reads the audit log" in page
    coordinator = client_for(make_user("coordinator")).get("/").content.decode()
    assert 'href="/missing-now"' in coordinator and 'href="/search"' in coordinator
