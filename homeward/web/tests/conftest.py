"""Page clients signed in as people in each role."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client


@pytest.fixture
def client_for(db: Any) -> Callable[[Any], Client]:
    def make(user: Any) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def web(client_for: Callable[[Any], Client], coordinator: Any) -> Client:
    return client_for(coordinator)


def london_parts(prefix: str, when: Any) -> dict[str, str]:
    """The day, month, year and time inputs of a GOV.UK date-time field."""
    from homeward.common.timeutil import LONDON

    local = when.astimezone(LONDON)
    return {f"{prefix}_day": str(local.day), f"{prefix}_month": str(local.month),
            f"{prefix}_year": str(local.year), f"{prefix}_time": f"{local:%H:%M}"}
