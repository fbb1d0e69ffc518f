"""The protocol this installation follows: HOMEWARD_PROTOCOL, else the shipped default."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from homeward.protocol.policy import Protocol, ProtocolError, default_protocol, load_protocol_file


@cache
def _load(path: str) -> Protocol:
    if not path:
        return default_protocol()
    try:
        return load_protocol_file(path)
    except FileNotFoundError:
        raise ImproperlyConfigured(f"HOMEWARD_PROTOCOL: no protocol file at {path}") from None
    except ProtocolError as exc:
        raise ImproperlyConfigured(f"HOMEWARD_PROTOCOL {path}: {exc}") from exc


def active_protocol() -> Protocol:
    return _load(settings.HOMEWARD_PROTOCOL)


def home_authority() -> str:
    return str(settings.HOMEWARD_AUTHORITY)
