"""Schemathesis as the coordinator (tests/api_contract/contract.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .contract import role_marks, schemathesis_finds_no_failure

pytestmark = role_marks("coordinator")


def test_schemathesis_finds_no_failure(live_server: Any, make_child: Any, coordinator: Any, tmp_path: Path) -> None:
    schemathesis_finds_no_failure("coordinator", live_server, make_child, coordinator, tmp_path)
