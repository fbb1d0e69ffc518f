"""The person the benchmark reads as: the missing co-ordinator (who sees the whole authority),
signed in to the pages with a confirmed second factor as production asks (ADR 0007), and with
an API token."""

from __future__ import annotations

from dataclasses import dataclass

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from homeward.accounts.models import User
from homeward.accounts.services import token_create

from .setting import COORDINATOR


@dataclass
class SignedIn:
    user: User
    pages: Client
    token: str

    def api_headers(self) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token}"}


def signed_in(username: str = COORDINATOR) -> SignedIn:
    """A test client whose session has passed both steps of signing in, and a fresh token."""
    user = User.objects.get(username=username)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="bench", confirmed=True)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return SignedIn(user=user, pages=client, token=token_create(user=user))
