"""Schemathesis with every check, stateful included, against a running Homeward as the
co-ordinator, police liaison and a placement provider: no server error and no failure (issue 14).
Each role is a test file of its own (test_schemathesis_<role>.py), so that the suite's two
workers, which share out whole files, run two roles at once.

The API is served by the test's live server; schemathesis runs as its own process, as a partner's
tooling would, with `tests/api_contract/schemathesis.toml`. Each role meets a small world (a
looked-after child placed with the provider, an open episode reported by police, an earlier
returned one with its interview allocated) whose ids are given to schemathesis, so that the
operations on an episode or a child reach their rules rather than a 404.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

CONFIG = Path(__file__).with_name("schemathesis.toml")

# Each run takes two to three minutes, so `make test` runs each role once, sharing them between
# its two passes (the API and its description are the same on both databases):
# HOMEWARD_CONTRACT_EVERY_ROLE=1 runs every role on whichever database is in use.
ON = {"coordinator": "postgresql", "police_liaison": "postgresql", "placement_provider": "sqlite"}


def role_marks(role: str) -> list[Any]:
    """The marks of one role's test: a live server's database, emptied after it, and run on
    the database ON names unless every role is asked for."""
    vendor = ON[role]
    return [
        pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_data_after_flush"),
        pytest.mark.skipif(connection.vendor != vendor and not os.environ.get("HOMEWARD_CONTRACT_EVERY_ROLE"),
                           reason=f"run on {vendor} (HOMEWARD_CONTRACT_EVERY_ROLE=1 runs it here)"),
    ]


def _world(make_child: Any, coordinator: Any) -> dict[str, Any]:
    from homeward.accounts.services import user_create
    from homeward.casework.episodes import episode_record_found, episode_report
    from homeward.casework.interviews import rhi_allocate
    from homeward.reference.loader import load_reference_data

    load_reference_data()  # a transactional test starts from empty tables
    practitioner = user_create(username="contract.practitioner", role="rhi_practitioner", password=None,
                               validate=False, organisation_name="Safe Return")
    provider = user_create(username="contract.provider", role="placement_provider", password=None,
                           validate=False, organisation_name="Oakfield Homes")
    police = user_create(username="contract.police", role="police_liaison", password=None, validate=False)
    child = make_child(placement={
        "authority": "941", "provider": "Oakfield House", "provider_organisation_id": provider.organisation_id})
    now = timezone.now()
    earlier = episode_report(actor=coordinator, child=child, reported_at=now - timedelta(hours=30),
                             reported_by="police", police_force="northamptonshire",
                             police_reference="NP-CONTRACT-1").episode
    episode_record_found(actor=coordinator, episode=earlier, found_at=now - timedelta(hours=20))
    rhi_allocate(actor=coordinator, episode=earlier, practitioner=practitioner, allocated_at=now - timedelta(hours=19))
    episode = episode_report(actor=coordinator, child=child, reported_at=now - timedelta(hours=6),
                             reported_by="police").episode
    return {"coordinator": coordinator, "police_liaison": police, "placement_provider": provider,
            "child": child, "episode": episode}


def schemathesis_finds_no_failure(role: str, live_server: Any, make_child: Any, coordinator: Any,
                                  tmp_path: Path) -> None:
    from homeward.accounts.services import token_create

    world = _world(make_child, coordinator)
    token = token_create(user=world[role])
    config = tmp_path / "schemathesis.toml"
    # The shared configuration, and the ids of this world for the operations that need one.
    config.write_text(CONFIG.read_text() + f"""
[parameters]
"path.episode_id" = {world["episode"].pk}
"path.child_id" = {world["child"].pk}
""")
    command = [
        str(Path(sys.executable).with_name("schemathesis")), "--config-file", str(config), "--no-color", "run",
        f"{live_server.url}/api/v1/schema", "--checks", "all", "-H", f"Authorization: Bearer {token}",
        "--max-examples", "5", "--seed", "20261202", "--workers", "1", "--generation-database", ":memory:",
        "--request-timeout", "30",
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=900, cwd=tmp_path,
                            env={**os.environ, "NO_COLOR": "1"}, check=False)
    summary = result.stdout[-6000:]
    assert result.returncode == 0, f"schemathesis as {role} found failures:\n{summary}\n{result.stderr[-2000:]}"
    assert "No issues found" in result.stdout or " passed" in result.stdout, summary
