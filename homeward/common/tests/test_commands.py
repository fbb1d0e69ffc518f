"""The `homeward` command: createuser, token, and run serving a real HTTP server."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from homeward.accounts.models import ApiToken, User
from homeward.accounts.services import hash_token


@pytest.mark.django_db
def test_createuser_reads_the_password_from_the_environment(monkeypatch: Any) -> None:
    monkeypatch.setenv("HOMEWARD_PASSWORD", "a-long-and-unusual-password-42")
    out = io.StringIO()
    call_command("createuser", "nadia", "--role", "social_worker", "--team", "Children in Care North",
                 stdout=out)
    user = User.objects.get(username="nadia")
    assert user.role == "social_worker"
    assert user.team is not None and user.team.name == "Children in Care North"
    assert user.check_password("a-long-and-unusual-password-42")
    assert "Created nadia" in out.getvalue()


@pytest.mark.django_db
def test_createuser_refuses_a_weak_password(monkeypatch: Any) -> None:
    monkeypatch.setenv("HOMEWARD_PASSWORD", "short")
    with pytest.raises(CommandError, match="password"):
        call_command("createuser", "weak", "--role", "coordinator")
    assert not User.objects.filter(username="weak").exists()


@pytest.mark.django_db
def test_token_prints_the_token_alone(make_user: Any) -> None:
    make_user("coordinator", username="priya")
    out = io.StringIO()
    call_command("token", "priya", stdout=out)
    token = out.getvalue().strip()
    assert "\n" not in token and len(token) >= 40
    assert ApiToken.objects.filter(key_hash=hash_token(token), user__username="priya").exists()


@pytest.mark.django_db
def test_token_for_an_unknown_person_fails() -> None:
    with pytest.raises(CommandError, match="nobody"):
        call_command("token", "nobody")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _homeward(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "homeward.cli", *args], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=120, check=False)


def test_run_serves_demonstration_data_and_the_api(tmp_path: Path) -> None:
    """`homeward run` on an empty SQLite file: migrate, reference data, demo data, serve."""
    port, smtp_port = _free_port(), _free_port()
    env = {**os.environ, "DATABASE_URL": "", "DJANGO_SETTINGS_MODULE": "config.settings.local",
           "HOMEWARD_VAR_DIR": str(tmp_path / "var"), "HOMEWARD_SMTP_PORT": str(smtp_port)}
    env.pop("HOMEWARD_SMTP_HOST", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "homeward.cli", "run", "--port", str(port)], env=env, cwd=tmp_path,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        deadline = time.monotonic() + 240
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    assert response.status == 200
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    server.kill()  # so reading its output cannot block on a live server
                    output = server.stdout.read() if server.stdout else ""
                    pytest.fail(f"homeward run did not become ready:\n{output}")
                time.sleep(0.5)
        token = _homeward("token", "coordinator", env=env, cwd=tmp_path)
        assert token.returncode == 0, token.stderr
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/episodes?status=open",
            headers={"Authorization": f"Bearer {token.stdout.strip()}"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read().decode()
        assert '"count"' in body and '"status":"open"' in body
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/schema", timeout=10) as response:
            assert b"openapi" in response.read()
        # No SMTP server was configured: the demonstration's notifications of the children
        # missing now are caught by the local mail sink and kept as files.
        mail = tmp_path / "var" / "mail"
        deadline = time.monotonic() + 60
        while not list(mail.glob("*.eml")) and time.monotonic() < deadline:
            time.sleep(0.5)
        kept = sorted(mail.glob("*.eml"))
        assert kept, "no notification email was caught"
        assert b"Subject:" in kept[0].read_bytes()
    finally:
        server.terminate()
        server.wait(timeout=30)
    # It said what it was doing as it went: a new database from the shipped schema, then the
    # demonstration step by step.
    output = server.stdout.read() if server.stdout else ""
    for step in ("made from the schema of", "Creating demonstration data", "episodes of 40 of 40 children",
                 "stored obligations", "Demonstration data: 40 children"):
        assert step in output, output
