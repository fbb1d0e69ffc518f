"""A partner authority (940, West Northamptonshire's neighbour in these tests) with its own key,
and our own key in a temporary file."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.utils import timezone

from homeward.exchange.models import Partner
from homeward.exchange.signing import SigningKey, public_jwk, sign
from homeward.reference.models import Authority

PARTNER = "940"


def new_key() -> SigningKey:
    private = Ed25519PrivateKey.generate()
    return SigningKey(private_key=private, jwk=public_jwk(private.public_key()))


@pytest.fixture(autouse=True)
def own_key(settings: Any, tmp_path: Path) -> Path:
    settings.HOMEWARD_EXCHANGE_KEY = str(tmp_path / "exchange-key.pem")
    return tmp_path / "exchange-key.pem"


@pytest.fixture
def partner_key() -> SigningKey:
    return new_key()


@pytest.fixture
def partner(db: Any, partner_key: SigningKey) -> Partner:
    return Partner.objects.create(authority=Authority.objects.get(code=PARTNER),
                                  endpoint="http://127.0.0.1:9/api/v1/exchange/inbox",
                                  jwks={"keys": [partner_key.jwk]})


@pytest.fixture
def placed_child(make_child: Callable[..., Any]) -> Any:
    """Our looked-after child (941), placed with the partner (940)."""
    return make_child(given_name="Amira", family_name="Stone", date_of_birth=date(2011, 4, 3), external_id="WN-77",
                      placement={"authority": PARTNER, "provider": "Oak House", "started_on": date(2024, 1, 1)})


def missing_message(*, when: datetime | None = None, message_id: str | None = None, **child: Any) -> dict[str, Any]:
    when = when or timezone.now() - timedelta(hours=2)
    return {
        "v": 1, "id": message_id or str(uuid.uuid4()), "type": "missing", "from": PARTNER, "to": "941",
        "child": {"ref": "NN-12", "your_ref": None, "given_name": "Amira", "family_name": "Stone",
                  "date_of_birth": "2011-04-03", "sex": "female", "responsible_authority": "941",
                  "placement_authority": PARTNER, **child},
        "episode": {"ref": "501", "your_ref": None},
        "event": {"reported_at": when.isoformat(), "last_seen_at": None, "missing_since": when.isoformat(),
                  "classification": "missing", "risk_level": "medium", "whereabouts_known": False,
                  "police_force": "", "police_reference": "", "location_last_seen": "Oak House",
                  "circumstances": "Did not return from school.", "missing_from": "care"},
    }


def signed(body: dict[str, Any], key: SigningKey, *, sent_at: datetime | None = None) -> str:
    return sign({**body, "sent_at": (sent_at or timezone.now()).isoformat()}, key)
