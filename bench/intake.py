"""Intake: missing reports POSTed to a real server by 8 clients at once.

The server is gunicorn serving `config.wsgi` with BENCH_SERVER_WORKERS sync workers (default
one per core: with PostgreSQL on the same cores, two per core cost 2 ms more CPU a report in
switching between them, for fewer reports a second) on the benchmark database. Each client
reports children who have no open episode (`POST /api/v1/episodes`, a bearer token, the body of
API.md) until BENCH_INTAKE_REPORTS
reports (default 400) or BENCH_INTAKE_SECONDS (default 60) have passed.

- reports_per_s: reports answered 201, per second of the run; p99_ms: of every answer.
- cpu_ms_per_report: the CPU time (user and system, /proc/<pid>/stat) of the server's
  processes, of the audit chain's step (`chain_step`, the worker's part in the audit log) and of
  the PostgreSQL backends connected to the benchmark database, over the run and until the chain
  has linked what it wrote, per report. The clients' own CPU is not counted, nor the delivery
  of the notifications the reports queue (the worker's outbox).
- lock_hold_ms: how long advisory locks (the audit chain's `pg_advisory_xact_lock`) were held
  per report: pg_locks is sampled every 2 ms from a connection to another database, and the
  granted advisory locks of the benchmark database seen in each sample, times the interval,
  add up to the time held. 0 when nothing takes one.

Afterwards the episodes made are removed (with their rows) and the obligations of the children's
other episodes stored again as at the build instant, so the kept database is as it was built.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from homeward.children.models import Child
from homeward.episodes.models import Episode, EpisodeStatus
from homeward.obligations.services import obligations_refresh

from .first_page import stop
from .timing import percentile

CLIENTS = 8
REFERENCE_PREFIX = "BENCH-INTAKE-"
TICKS = os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    # Fields 14 and 15 of stat (utime, stime), counted after the command's closing parenthesis.
    return (int(fields[11]) + int(fields[12])) / TICKS


def _children_of(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (FileNotFoundError, ProcessLookupError, IndexError):
                continue
            if parent == pid:
                out.append(int(entry.name))
    return out


def _backends(database: str) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [database])
        return [row[0] for row in cursor.fetchall()]


@dataclass
class LockSampler:
    """Adds up how long advisory locks of one database are held, by sampling pg_locks."""

    url: str
    database_oid: int
    interval: float = 0.002
    held_seconds: float = 0.0
    samples: int = 0
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            last = time.perf_counter()
            while not self.stop.is_set():
                row = conn.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                                   "AND database = %s", [self.database_oid]).fetchone()
                now = time.perf_counter()
                self.held_seconds += (row[0] if row else 0) * (now - last)
                self.samples += 1
                last = now
                time.sleep(self.interval)


def _server_url(url: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/postgres"))


def _eligible_children(count: int, now: datetime) -> list[int]:
    """Children with no open episode, none recent, every episode closed or cancelled, under 17½."""
    busy = Episode.objects.exclude(status__in=[EpisodeStatus.CLOSED, EpisodeStatus.CANCELLED]).values("child_id")
    recent = Episode.objects.filter(missing_since__gte=now - timedelta(days=30)).values("child_id")
    return list(Child.objects.filter(date_of_birth__gt=(now - timedelta(days=int(17.5 * 365.25))).date())
                .exclude(pk__in=busy).exclude(pk__in=recent).order_by("id").values_list("id", flat=True)[:count])


def _server_command(port: int, workers: int) -> list[str]:
    return [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
            "--workers", str(workers), "--worker-class", "sync", "--log-level", "warning", "--no-control-socket"]


def _wait_until_up(port: int, process: subprocess.Popen[bytes], timeout: float = 120) -> None:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped (exit {process.returncode})")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the server did not answer /healthz within 2 minutes")


def _client(port: int, token: str, children: list[int], deadline: float, force: str, run: str,
            latencies: list[float], statuses: dict[int, int], lock: threading.Lock) -> None:
    for child in children:
        if time.perf_counter() > deadline:
            return
        now = timezone.now()
        body = json.dumps({
            "child": child, "reported_at": now.isoformat(), "reported_by": "police",
            "last_seen_at": (now - timedelta(hours=2)).isoformat(), "location_last_seen": "Northampton bus station",
            "circumstances": "Did not return after school.", "missing_from": "care", "classification": "missing",
            "risk_level": "medium", "police_force": force, "police_reference": f"{REFERENCE_PREFIX}{run}-{child}",
        })
        t0 = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        try:
            conn.request("POST", "/api/v1/episodes", body=body, headers={
                "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
            response = conn.getresponse()
            response.read()
            status = response.status
        except OSError:
            status = 0
        finally:
            conn.close()
        with lock:
            latencies.append(time.perf_counter() - t0)
            statuses[status] = statuses.get(status, 0) + 1


def _warm_up(port: int, token: str) -> None:
    """Every worker loads the API before the clock starts, as a running server has."""
    def get() -> None:
        for _ in range(3):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            conn.request("GET", "/api/v1/episodes?status=open&page_size=1",
                         headers={"Authorization": f"Bearer {token}"})
            conn.getresponse().read()
            conn.close()

    threads = [threading.Thread(target=get) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _chain_caught_up(say: Callable[[str], None]) -> None:
    """Link what the reads wrote to the audit log before the clock starts, as the worker would
    have by then, so that intake is charged only for its own entries."""
    from homeward.audit import models, services

    step = getattr(services, "audit_chain_extend", None)
    waiting = getattr(models, "AuditPending", None)
    if step is None or waiting is None:
        return
    started = time.perf_counter()
    before = waiting.objects.count()
    # A step may link none of a batch (entries that do not verify stay off the chain), so go
    # by what is still waiting rather than by what a step linked.
    while waiting.objects.exists() and time.perf_counter() - started < 600:
        step()
    say(f"intake: first linked the {before:,} audit entries waiting, in {time.perf_counter() - started:.1f} s "
        f"({waiting.objects.count():,} still waiting)")


def intake_run(*, token: str, force: str, build_now: datetime, say: Callable[[str], None]) -> dict[str, Any]:
    reports = int(os.environ.get("BENCH_INTAKE_REPORTS", "400"))
    seconds = float(os.environ.get("BENCH_INTAKE_SECONDS", "60"))
    workers = int(os.environ.get("BENCH_SERVER_WORKERS", str(os.cpu_count() or 1)))
    database = str(settings.DATABASES["default"]["NAME"])
    _chain_caught_up(say)
    children = _eligible_children(reports, timezone.now())
    if len(children) < reports:
        say(f"intake: only {len(children)} children can be reported missing now")
    port = _free_port()
    env = {**os.environ, "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost"}
    # Its error log goes to a file, not a pipe that could fill while nobody reads it.
    log = (Path(settings.VAR_DIR) / "intake-server.log").open("wb")
    server = subprocess.Popen(  # noqa: S603 - our own command line
        _server_command(port, workers), env=env, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True)
    stepper = subprocess.Popen(
        [sys.executable, "-m", "bench.chain_step"], env=env, stdout=subprocess.DEVNULL, stderr=log,
        start_new_session=True)
    run_id = timezone.now().strftime("%Y%m%d%H%M%S")
    try:
        _wait_until_up(port, server)
        _warm_up(port, token)
        say(f"intake: gunicorn with {workers} sync workers on 127.0.0.1:{port}; {CLIENTS} clients, "
            f"{len(children)} reports or {seconds:.0f} s")
        with connection.cursor() as cursor:
            cursor.execute("SELECT oid FROM pg_database WHERE datname = %s", [database])
            row = cursor.fetchone()
        sampler = LockSampler(_server_url(str(os.environ["DATABASE_URL"])), int(row[0]) if row else 0)
        server_pids = [server.pid, *_children_of(server.pid), stepper.pid]
        backends_before = _backends(database)
        cpu_before = {pid: _cpu_seconds(pid) for pid in server_pids + backends_before}
        latencies: list[float] = []
        statuses: dict[int, int] = {}
        lock = threading.Lock()
        deadline = time.perf_counter() + seconds
        threads = [threading.Thread(target=_client, args=(port, token, children[k::CLIENTS], deadline, force,
                                                          run_id, latencies, statuses, lock))
                   for k in range(CLIENTS)]
        sampler_thread = threading.Thread(target=sampler.run, daemon=True)
        sampler_thread.start()
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        # Let the chain's step link what the run wrote before counting.
        time.sleep(2)
        sampler.stop.set()
        sampler_thread.join()
        server_pids = [server.pid, *_children_of(server.pid)]
        parts = {"server": set(server_pids), "chain_step": {stepper.pid},
                 "database": set(_backends(database)) | (set(cpu_before) - set(server_pids) - {stepper.pid})}
        spent = {name: sum(max(0.0, _cpu_seconds(pid) - cpu_before.get(pid, 0.0)) for pid in pids)
                 for name, pids in parts.items()}
        cpu = sum(spent.values())
    finally:
        for process in (server, stepper):
            stop(process)
        log.close()
        errors = Path(log.name).read_text(errors="replace")[-2000:]
    created = statuses.get(201, 0)
    if created < len(latencies):
        say(f"intake: answers {statuses}; server said: {errors.strip()[-600:]}")
    figures = {
        "reports_per_s": round(created / elapsed, 1) if elapsed else None,
        "p99_ms": round(percentile(latencies, 99) * 1000, 1) if latencies else None,
        "cpu_ms_per_report": round(cpu * 1000 / created, 1) if created else None,
        "lock_hold_ms": round(sampler.held_seconds * 1000 / created, 2) if created else None,
    }
    say(f"intake: {created} reports in {elapsed:.1f} s, answers {statuses}; {json.dumps(figures)} "
        f"(lock hold from {sampler.samples} pg_locks samples; CPU ms a report: "
        + ", ".join(f"{name} {seconds * 1000 / max(created, 1):.1f}" for name, seconds in spent.items()) + ")")
    removed = intake_undo(build_now)
    say(f"intake: removed the {removed} episodes it made")
    return figures


def intake_undo(build_now: datetime) -> int:
    """Remove the episodes the intake made, and every row about them, then store the obligations
    of the same children's other episodes as the build stored them."""
    ids = list(Episode.objects.filter(police_reference__startswith=REFERENCE_PREFIX).values_list("pk", flat=True))
    if not ids:
        return 0
    child_ids = set(Episode.objects.filter(pk__in=ids).values_list("child_id", flat=True))
    with transaction.atomic():
        for related in Episode._meta.related_objects:
            model = related.related_model
            field_name = related.field.name
            model._default_manager.filter(**{f"{field_name}__in": ids}).delete()
        Episode.objects.filter(pk__in=ids).delete()
        for episode in Episode.objects.filter(child_id__in=child_ids).select_related("child"):
            obligations_refresh(episode, now=build_now)
    return len(ids)
