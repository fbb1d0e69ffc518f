from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest
from django.test import Client


@pytest.mark.django_db
def test_healthz_answers_200_when_the_database_answers() -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
def test_openapi_schema_and_docs_are_served(api: Any) -> None:
    schema = api.get("/api/v1/schema")
    assert schema.status_code == 200
    text = schema.content.decode()
    for path in ("/api/v1/children", "/api/v1/episodes/{episode_id}/found", "bearerAuth"):
        assert path in text
    docs = Client().get("/api/v1/docs")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content


def _production(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.production", **env},
        capture_output=True, text=True, timeout=60, check=False,
    )


def test_production_refuses_to_start_without_a_secret_key() -> None:
    result = _production({"DJANGO_SECRET_KEY": "", "DJANGO_ALLOWED_HOSTS": "homeward.example"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts() -> None:
    result = _production({"DJANGO_SECRET_KEY": "x" * 50, "DJANGO_ALLOWED_HOSTS": ""})
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS" in result.stderr


def test_production_starts_with_both() -> None:
    result = _production({"DJANGO_SECRET_KEY": "x" * 50, "DJANGO_ALLOWED_HOSTS": "homeward.example"})
    assert result.returncode == 0, result.stderr


def test_malformed_protocol_file_stops_start_up(tmp_path: Any) -> None:
    bad = tmp_path / "protocol.toml"
    bad.write_text('name = "Broken"\neffective_from = 2020-01-01\n[deadlines]\nrhi_offered = "72x"\n')
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "HOMEWARD_PROTOCOL": str(bad)},
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode != 0
    assert "deadlines.rhi_offered" in result.stderr
