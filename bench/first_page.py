"""How long `homeward run` takes, on a new SQLite database (a new HOMEWARD_VAR_DIR), from
starting until its first page (the sign-in page) answers 200. The email catcher is left off
(`--no-mail-sink`) so that the run never clashes with another on port 1025."""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def stop(process: subprocess.Popen[bytes]) -> None:
    """End a process started in a session of its own, and everything it started."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def first_page_seconds(say: Callable[[str], None], timeout: float = 300) -> float | None:
    var = tempfile.mkdtemp(prefix="homeward-first-page-")
    port = _free_port()
    env = {key: value for key, value in os.environ.items()
           if key not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "HOMEWARD_REQUIRE_2FA", "HOMEWARD_AUDIT_KEY")}
    env["HOMEWARD_VAR_DIR"] = var
    homeward = Path(sys.executable).with_name("homeward")
    command = [str(homeward), "run", "--port", str(port), "--no-mail-sink"]
    started = time.perf_counter()
    # What it says goes to a file, not a pipe that could fill while nobody reads it.
    log_path = Path(var) / "run.log"
    log = log_path.open("wb")
    process = subprocess.Popen(  # noqa: S603 - our own command line
        command, env=env, cwd=var, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    answered: float | None = None
    try:
        while time.perf_counter() - started < timeout:
            if process.poll() is not None:
                break
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/sign-in")
                if conn.getresponse().status == 200:
                    answered = time.perf_counter() - started
                    break
            except OSError:
                pass
            time.sleep(0.1)
    finally:
        stop(process)
        log.close()
        lines = log_path.read_text(errors="replace").strip().splitlines()
        shutil.rmtree(var, ignore_errors=True)
    if answered is None:
        why = f"it stopped (exit {process.returncode})" if process.returncode not in (None, -15) else (
            f"no answer within {timeout:.0f} s")
        say(f"first page: {why}; homeward run said: {' | '.join(lines[-8:])}")
        return None
    said = " | ".join(line for line in lines if "demonstration" in line.lower() or "serving" in line.lower())
    say(f"first page: {answered:.1f} s after starting `homeward run` on a new SQLite database ({said})")
    return round(answered, 1)
