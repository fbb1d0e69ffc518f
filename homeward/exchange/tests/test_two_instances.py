"""Two Homeward on loopback, each its own processes and SQLite database, with different home
authorities: 940 places a looked-after child in 941. The host (941) reports the child missing
and found; the placing authority (940) takes both into its own records, its worklist shows its
duties, and its interview offer and outcome come back to the host. Every message is signed and
acknowledged; a forged, altered or replayed message is refused with nothing stored; a placing
authority that is down receives the found message when it is back, once.

Each instance is `homeward run --no-demo --no-worker` (the web server) and `homeward worker`
(the outbox, as in production), started by the test.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from homeward.exchange.signing import sign, signing_key_load

PASSWORD = "a-long-and-unusual-password-42"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Instance:
    authority: str
    root: Path
    port: int = field(default_factory=_free_port)
    token: str = ""
    server: subprocess.Popen[str] | None = None
    worker: subprocess.Popen[str] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def key_path(self) -> Path:
        return self.root / "exchange-key.pem"

    @property
    def env(self) -> dict[str, str]:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{self.root / 'homeward.sqlite3'}",
               "DJANGO_SETTINGS_MODULE": "config.settings.local", "HOMEWARD_AUTHORITY": self.authority,
               "HOMEWARD_VAR_DIR": str(self.root / "var"), "HOMEWARD_EXCHANGE_KEY": str(self.key_path),
               "HOMEWARD_EXCHANGE_POLL_SECONDS": "1", "HOMEWARD_EXCHANGE_RETRY_SECONDS": "1",
               "HOMEWARD_SMTP_PORT": str(_free_port()), "HOMEWARD_PASSWORD": PASSWORD,
               "HOMEWARD_LOG_LEVEL": "WARNING"}
        env.pop("HOMEWARD_SMTP_HOST", None)
        return env

    def _spawn(self, *args: str, log: str) -> subprocess.Popen[str]:
        out = (self.root / log).open("a")
        return subprocess.Popen([sys.executable, "-m", "homeward.cli", *args], env=self.env, cwd=self.root,
                                stdout=out, stderr=subprocess.STDOUT, text=True)

    def start_server(self) -> None:
        self.server = self._spawn("run", "--no-demo", "--no-worker", "--no-mail-sink", "--threads", "4",
                                  "--port", str(self.port), log="server.log")

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            if (self.server and self.server.poll() is not None) or time.monotonic() > deadline:
                pytest.fail(f"{self.authority} did not start:\n{(self.root / 'server.log').read_text()}")
            time.sleep(0.3)

    def stop_server(self) -> None:
        if self.server is not None and self.server.poll() is None:
            self.server.kill()
            self.server.wait(10)

    def start_worker(self) -> None:
        self.worker = self._spawn("worker", "--interval", "1", log="worker.log")

    def command(self, *args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "homeward.cli", *args], env=self.env, cwd=self.root,
                              capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, f"homeward {' '.join(args)}: {done.stdout}{done.stderr}"
        return done.stdout

    def call(self, method: str, path: str, body: dict[str, Any] | None = None, *,
             token: str | None = None) -> tuple[int, Any]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if token is None and self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(f"{self.url}{path}", method=method, headers=headers,
                                         data=json.dumps(body).encode() if body is not None else None)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"null")

    def ok(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        status, answer = self.call(method, path, body)
        assert status < 300, f"{method} {path} on {self.authority}: {status} {answer}"
        return answer

    def exchange(self, episode: int) -> list[dict[str, Any]]:
        return list(self.ok("GET", f"/api/v1/episodes/{episode}/exchange")["messages"])

    def stop(self) -> None:
        for process in (self.worker, self.server):
            if process is not None and process.poll() is None:
                process.terminate()
        for process in (self.worker, self.server):
            if process is not None:
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()


def wait_for(what: str, check: Callable[[], Any], timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.3)


@pytest.fixture
def instances(tmp_path: Path) -> Iterator[tuple[Instance, Instance]]:
    placing = Instance("940", tmp_path / "placing")
    host = Instance("941", tmp_path / "host")
    for each in (placing, host):
        each.root.mkdir()
        each.start_server()
    try:
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(lambda each: each.wait_ready(), (placing, host)))

            def configure(pair: tuple[Instance, Instance]) -> None:
                me, other = pair
                me.command("createuser", "coord", "--role", "coordinator")
                me.token = me.command("token", "coord").strip()
                me.command("exchange-partner", other.authority, "--endpoint", f"{other.url}/api/v1/exchange/inbox",
                           "--keys-url", f"{other.url}/api/v1/exchange/keys")
                me.start_worker()

            list(pool.map(configure, ((placing, host), (host, placing))))
        yield placing, host
    finally:
        for each in (placing, host):
            each.stop()


def test_two_authorities_exchange_missing_found_and_the_interview(instances: tuple[Instance, Instance]) -> None:
    started = time.monotonic()
    placing, host = instances
    child = {"given_name": "Rosa", "family_name": "Marsh", "date_of_birth": "2011-06-14", "sex": "female",
             "legal_status": "looked_after", "responsible_authority": "940",
             "placement": {"authority": "941", "provider": "Willow Lodge"}}
    ours = placing.ok("POST", "/api/v1/children", {**child, "external_id": "WN-3001"})
    hosted = host.ok("POST", "/api/v1/children", {**child, "external_id": "NN-88"})

    # The host reports the child missing: the placing authority records it as its own episode.
    reported_at = (_now() - timedelta(hours=3)).isoformat()
    host_episode = host.ok("POST", "/api/v1/episodes", {
        "child": hosted["id"], "reported_at": reported_at, "reported_by": "placement_provider",
        "classification": "missing", "risk_level": "medium", "location_last_seen": "Willow Lodge"})["id"]
    sent = wait_for("the missing message acknowledged", lambda: [
        m for m in host.exchange(host_episode) if m["type"] == "missing" and m["status"] == "acknowledged"])
    assert "Acknowledged: recorded" in sent[0]["detail"]
    episodes = placing.ok("GET", f"/api/v1/episodes?child={ours['id']}")["results"]
    assert len(episodes) == 1 and episodes[0]["status"] == "open"
    placing_episode = episodes[0]["id"]
    received = placing.exchange(placing_episode)
    assert [(m["direction"], m["type"], m["status"]) for m in received] == [("received", "missing", "recorded")]
    # The placing authority's own duties, from the host's report, on its worklist.
    worklist = placing.ok("GET", "/api/v1/worklist?code=strategy_meeting")["results"]
    assert [row["episode"] for row in worklist] == [placing_episode]

    # The placing authority's Homeward is down when the child is found; it hears when it is back, once.
    placing.stop_server()
    found_at = (_now() - timedelta(minutes=20)).isoformat()
    host.ok("POST", f"/api/v1/episodes/{host_episode}/found", {
        "found_at": found_at, "found_location": "Northampton bus station", "found_by": "Police"})
    wait_for("a failed attempt", lambda: [m for m in host.exchange(host_episode)
                                          if m["type"] == "found" and m["attempts"] >= 1
                                          and m["status"] == "queued"])
    placing.start_server()
    placing.wait_ready()
    wait_for("the found message acknowledged", lambda: [
        m for m in host.exchange(host_episode) if m["type"] == "found" and m["status"] == "acknowledged"])
    episode = placing.ok("GET", f"/api/v1/episodes/{placing_episode}")
    assert episode["status"] == "returned"
    found = [m for m in placing.exchange(placing_episode) if m["type"] == "found"]
    assert [(m["direction"], m["status"]) for m in found] == [("received", "recorded")]
    # Now the placing authority owes the return interview: on its worklist, not the host's.
    assert [row["episode"] for row in placing.ok("GET", "/api/v1/worklist?code=rhi_offered")["results"]] == [
        placing_episode]
    assert host.ok("GET", "/api/v1/worklist?code=rhi_offered")["results"] == []

    # The placing authority offers and holds the interview: both come back to the host.
    placing.ok("POST", f"/api/v1/episodes/{placing_episode}/rhi/offer", {
        "offered_at": (_now() - timedelta(minutes=10)).isoformat(), "method": "phone call to the carer"})
    placing.ok("POST", f"/api/v1/episodes/{placing_episode}/rhi/interview", {
        "outcome": "declined", "conducted_at": (_now() - timedelta(minutes=5)).isoformat()})
    def interview_back() -> list[dict[str, Any]] | None:
        rows = host.exchange(host_episode)
        got = {(m["type"], m["status"]) for m in rows if m["direction"] == "received"}
        return rows if got == {("interview_offered", "recorded"), ("interview_outcome", "recorded")} else None

    back = wait_for("the interview offered and its outcome at the host", interview_back)
    outcome = next(m for m in back if m["type"] == "interview_outcome")
    assert "declined" in outcome["detail"]
    assert {(m["type"], m["status"]) for m in placing.exchange(placing_episode) if m["direction"] == "sent"} == {
        ("interview_offered", "acknowledged"), ("interview_outcome", "acknowledged")}
    # Nothing echoed back: the host sent missing and found, once each.
    assert sorted(m["type"] for m in host.exchange(host_episode) if m["direction"] == "sent") == ["found", "missing"]

    # Forged, altered and replayed messages are refused, naming the problem, and nothing is stored.
    def stored() -> tuple[int, int, int]:
        return (len(placing.exchange(placing_episode)), len(placing.ok("GET", "/api/v1/exchange/held")["messages"]),
                placing.ok("GET", "/api/v1/episodes")["count"])

    host_key = signing_key_load(host.key_path)
    message = {"v": 1, "id": str(uuid.uuid4()), "type": "found", "from": "941", "to": "940",
               "child": {"ref": "NN-88", "your_ref": "WN-3001", "given_name": "Rosa", "family_name": "Marsh",
                         "date_of_birth": "2011-06-14"},
               "episode": {"ref": str(host_episode), "your_ref": str(placing_episode)},
               "event": {"found_at": found_at, "found_location": "", "found_by": ""}}
    before = stored()
    forger = signing_key_load(host.root / "forger.pem")
    status, problem = placing.call("POST", "/api/v1/exchange/inbox",
                                   {"jws": sign({**message, "sent_at": _now().isoformat()}, forger)}, token="")
    assert status == 400 and problem["errors"][0]["field"] == "jws", problem
    genuine = sign({**message, "sent_at": _now().isoformat()}, host_key)
    head, _payload, signature = genuine.split(".")
    other_payload = sign({**message, "type": "missing", "sent_at": _now().isoformat()}, host_key).split(".")[1]
    status, problem = placing.call("POST", "/api/v1/exchange/inbox", {"jws": f"{head}.{other_payload}.{signature}"},
                                   token="")
    assert status == 400 and "forged or altered" in problem["errors"][0]["message"], problem
    assert stored() == before
    status, first = placing.call("POST", "/api/v1/exchange/inbox", {"jws": genuine}, token="")
    assert status == 202 and first["status"] == "recorded", first
    after_first = stored()
    status, problem = placing.call("POST", "/api/v1/exchange/inbox", {"jws": genuine}, token="")
    assert status == 400 and "Replayed" in problem["errors"][0]["message"], problem
    assert stored() == after_first

    # A message the placing authority cannot match is held, and the host is told so; once the
    # placing authority's co-ordinator matches it, the host is told it is recorded (the
    # follow-up acknowledgement, through the placing authority's outbox and worker).
    lena = {**child, "given_name": "Lena"}
    theirs = placing.ok("POST", "/api/v1/children", {**lena, "external_id": "WN-3002"})
    lena_here = host.ok("POST", "/api/v1/children", {**lena, "date_of_birth": "2011-06-15", "external_id": "NN-89"})
    lena_episode = host.ok("POST", "/api/v1/episodes", {
        "child": lena_here["id"], "reported_at": (_now() - timedelta(hours=1)).isoformat(),
        "reported_by": "placement_provider", "classification": "missing", "risk_level": "medium"})["id"]
    wait_for("the held acknowledgement at the host", lambda: [
        m for m in host.exchange(lena_episode) if m["detail"].startswith("Acknowledged: held")])
    [held] = placing.ok("GET", "/api/v1/exchange/held")["messages"]
    placing.ok("POST", f"/api/v1/exchange/messages/{held['id']}/match", {"child": theirs["id"]})
    told = wait_for("the follow-up acknowledgement at the host", lambda: [
        m for m in host.exchange(lena_episode) if m["detail"].startswith("Acknowledged: recorded")])
    assert "matched to the child by hand" in told[0]["detail"] and len(host.exchange(lena_episode)) == 1
    [lena_there] = placing.ok("GET", f"/api/v1/episodes?child={theirs['id']}")["results"]
    assert [(m["direction"], m["type"], m["status"]) for m in placing.exchange(lena_there["id"])] == [
        ("received", "missing", "recorded"), ("sent", "acknowledgement", "acknowledged")]
    assert time.monotonic() - started < 60
