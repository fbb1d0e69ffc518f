"""The Django admin is no side door (issue 14): no one's second factor is shown, no child is
named, and every read of a notification is audited naming its child."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from homeward.audit.models import AuditEntry
from homeward.casework.episodes import episode_report
from homeward.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(make_user: Any) -> Client:
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    admin = make_user("admin", username="sysadmin")
    type(admin).objects.filter(pk=admin.pk).update(is_staff=True, is_superuser=True)
    admin.refresh_from_db()
    TOTPDevice.objects.create(user=admin, name="phone", confirmed=True)
    static = StaticDevice.objects.create(user=admin, name="backup", confirmed=True)
    StaticToken.objects.create(device=static, token="recovery1")
    client = Client()
    client.force_login(admin)
    session = client.session
    # Signed in with the second factor, as the pages require (ADR 0007).
    from django_otp import DEVICE_ID_SESSION_KEY

    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=admin).persistent_id
    session.save()
    client.defaults["HTTP_USER_AGENT"] = "test"
    return client


def test_second_factors_are_not_in_the_admin(operator: Client) -> None:
    index = operator.get("/django-admin/")
    assert index.status_code == 200
    body = index.content.decode()
    assert "otp_totp" not in body and "otp_static" not in body
    assert operator.get("/django-admin/otp_totp/totpdevice/").status_code == 404
    assert operator.get("/django-admin/otp_static/staticdevice/").status_code == 404


def test_the_notification_admin_names_no_child_and_audits_each_read(
        operator: Client, coordinator: Any, make_child: Any) -> None:
    child = make_child(given_name="Zebedee", family_name="Quartermaine", placement={"authority": "941"})
    episode_report(actor=coordinator, child=child, reported_at=timezone.now() - timedelta(hours=1),
                   reported_by="placement_provider", classification="missing")
    notification = Notification.objects.filter(child=child).first()
    assert notification is not None
    listing = operator.get("/django-admin/notifications/notification/")
    assert listing.status_code == 200 and "Quartermaine" not in listing.content.decode()
    assert AuditEntry.objects.filter(object_type="notification_admin", child_id=child.pk).exists()
    detail = operator.get(f"/django-admin/notifications/notification/{notification.pk}/change/")
    assert detail.status_code == 200 and "Quartermaine" not in detail.content.decode()
    assert AuditEntry.objects.filter(object_type="notification", object_id=str(notification.pk),
                                     child_id=child.pk, action="view").exists()
