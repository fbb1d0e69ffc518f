"""The national-scale benchmark's generator and harness, at a tiny scale (`make bench` builds the
big ones): every generated episode's stored obligations are what `obligations_refresh` would
store, the audit log it writes verifies, and `python -m bench` ends with its JSON line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from bench.generate import build, meta_read
from bench.verify import mismatches
from homeward.audit.verify import audit_verify
from homeward.episodes.models import Episode
from homeward.obligations.models import StoredObligation

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data_after_flush")
def test_generated_obligations_equal_what_refresh_stores_for_every_episode() -> None:
    said: list[str] = []
    report = build(200, scale="200", workers=1, progress=said.append)

    assert report.episodes == Episode.objects.count() == 200
    assert report.open == Episode.objects.filter(status="open").count() > 0
    assert StoredObligation.objects.count() == report.rows["obligation"] > 1000
    now = datetime.fromisoformat(meta_read()["now"])
    checked, problems = mismatches(now)
    assert checked == 200
    assert problems == []
    verified = audit_verify()
    assert verified.ok, verified.problems[:5]
    assert verified.checked >= report.rows["audit"]


def test_the_harness_ends_with_its_json_line(tmp_path: Path) -> None:
    env: dict[str, Any] = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "HOMEWARD_"))},
        "BENCH_SCALE": "120", "DATABASE_URL": f"sqlite:///{tmp_path / 'bench.sqlite3'}",
        "BENCH_RUNS": "2", "BENCH_REPORT_RUNS": "1", "BENCH_ONLY": "board,obligations_api,weekly",
        "HOMEWARD_VAR_DIR": str(tmp_path / "var"),
    }
    done = subprocess.run([sys.executable, "-m", "bench"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.strip().splitlines()
    figures = json.loads(lines[-1])

    assert set(figures) == {"scale", "reads", "reports", "intake", "first_page_s"}
    assert figures["scale"] == "120"
    assert set(figures["reads"]) == {"board", "obligations_api"}
    for read in figures["reads"].values():
        assert set(read) == {"p50_ms", "p95_ms", "queries", "sql_p95_ms"}
        assert read["p95_ms"] > 0 and read["queries"] > 0 and read["sql_p95_ms"] > 0
    assert set(figures["reports"]) == {"weekly"}
    assert set(figures["reports"]["weekly"]) == {"p95_ms", "peak_mb"}
    assert figures["reports"]["weekly"]["p95_ms"] > 0
    assert any("building 120" in line for line in lines)


def test_a_generated_placement_never_ends_while_its_child_is_missing() -> None:
    # DfE rule 575: an SSDA903 year with a missing period outlasting its placement is refused.
    from datetime import UTC, date, timedelta

    from bench.casefile import _after_missing
    from bench.world import EpisodePlan

    def episode(day: int, hours: int | None) -> EpisodePlan:
        seen = datetime(2026, 3, day, 12, tzinfo=UTC)
        return EpisodePlan(id=day, last_seen=seen, reported_at=seen,
                           duration=None if hours is None else timedelta(hours=hours))

    # Missing 24 to 26 March, then 27 March to 2 April: an end on the 25th follows both.
    assert _after_missing(date(2026, 3, 25), [episode(27, 24 * 6), episode(24, 48)]) == date(2026, 4, 3)
    assert _after_missing(date(2026, 3, 20), [episode(24, 48)]) == date(2026, 3, 20)
    # Still missing: the placement goes on.
    assert _after_missing(date(2026, 3, 25), [episode(24, None)]) is None


def test_the_scales_take_turns_until_each_is_finished() -> None:
    from bench.turns import in_turns

    batches_left = {"10k": 3, "1m": 1, "100k": 2}

    def batch(scale: str) -> bool:
        batches_left[scale] -= 1
        return batches_left[scale] == 0

    assert in_turns(["10k", "1m", "100k"], batch) == ["10k", "1m", "100k", "10k", "100k", "10k"]
    assert in_turns([], batch) == []


def test_runs_taken_in_batches_go_round_the_sample_and_count_only_their_own_time() -> None:
    from bench.timing import Runs, timed

    clock = [0.0]
    called: list[int] = []

    def read(i: int) -> None:
        called.append(i)
        clock[0] += 1.0

    runs = Runs(read, runs=25, budget=100, clock=lambda: clock[0])
    runs.warm()
    assert [runs.batch(10), runs.batch(10)] == [False, False]
    clock[0] += 1000  # the other scales' turns: not this read's budget
    assert runs.batch(10) is True
    assert called == [0, *range(25)]
    assert runs.seconds == [1.0] * 25 and runs.spent == 25

    # Over budget within a batch: it stops there, after at least `minimum` runs.
    called.clear()
    runs = Runs(read, runs=100, budget=4.5, clock=lambda: clock[0])
    assert (runs.batch(3), runs.batch(10), runs.batch(10)) == (False, True, True)
    assert called == [0, 1, 2, 3, 4]
    assert len(timed(lambda i: None, runs=7, budget=100).seconds) == 7


def test_the_parent_commands_each_read_in_turns_and_a_failed_read_leaves_the_other_scale_going() -> None:
    from typing import cast

    from bench.turns import BATCH_RUNS, ScaleProcess, reads_in_turns

    told: list[tuple[str, dict[str, Any]]] = []

    class Scale:
        def __init__(self, scale: str, batches: int, failing: str = "") -> None:
            self.scale, self.reads, self.batches, self.failing = scale, ["board", "home"], batches, failing
            self.left = 0

        def ask(self, command: dict[str, Any]) -> dict[str, Any]:
            told.append((self.scale, command))
            if command["do"] == "start":
                self.left = self.batches
                return {}
            if command["do"] == "runs":
                assert command["count"] == BATCH_RUNS
                if command["read"] == self.failing:
                    return {"error": "GET / answered 500"}
                self.left -= 1
                return {"finished": self.left == 0}
            return {}

    said: list[str] = []
    reads_in_turns(cast(list[ScaleProcess], [Scale("200", 2), Scale("300", 3, failing="home")]), said.append)

    assert [(scale, c["do"], c["read"]) for scale, c in told] == [
        ("200", "start", "board"), ("300", "start", "board"),
        ("200", "runs", "board"), ("300", "runs", "board"), ("200", "runs", "board"), ("300", "runs", "board"),
        ("300", "runs", "board"), ("200", "end", "board"), ("300", "end", "board"),
        ("200", "start", "home"), ("300", "start", "home"),
        ("200", "runs", "home"), ("300", "runs", "home"), ("200", "runs", "home"), ("200", "end", "home"),
    ]
    assert said == [f"read board, timed in turns of up to {BATCH_RUNS} runs: 200 300 200 300 300",
                    f"read home, timed in turns of up to {BATCH_RUNS} runs: 200 300 200"]


def test_two_scales_have_their_reads_timed_in_turns_and_print_as_before(tmp_path: Path) -> None:
    env: dict[str, Any] = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "HOMEWARD_"))},
        "BENCH_SCALE": "100,120", "DATABASE_URL": f"sqlite:///{tmp_path / 'bench.sqlite3'}",
        "BENCH_RUNS": "12", "BENCH_ONLY": "board,obligations_api", "PYTHONPATH": str(ROOT),
    }
    # Run from tmp_path: each scale's var folder (its audit keys) is made under the working folder.
    done = subprocess.run([sys.executable, "-m", "bench"], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.strip().splitlines()
    *progress, first, second, combined = lines

    assert json.loads(combined) == {"scales": {"100": json.loads(first), "120": json.loads(second)}}
    for scale, figures in json.loads(combined)["scales"].items():
        assert set(figures) == {"scale", "reads", "reports", "intake", "first_page_s"}
        assert figures["scale"] == scale
        assert set(figures["reads"]) == {"board", "obligations_api"}
        for read in figures["reads"].values():
            assert set(read) == {"p50_ms", "p95_ms", "queries", "sql_p95_ms"}
            assert read["p95_ms"] > 0 and read["queries"] > 0
    # Both brought up before the reads, each read 10 runs a turn then the 2 left, then each scale ends.
    turns = [line for line in progress if "timed in turns" in line]
    assert turns == [f"[bench] read {name}, timed in turns of up to 10 runs: 100 120 100 120"
                     for name in ("board", "obligations_api")]
    built = [n for n, line in enumerate(progress) if line.startswith("[bench] building")]
    assert len(built) == 2 and built[1] < progress.index(turns[0])
    figures_said = [line for line in progress if line.startswith("[bench] read board at ")]
    assert len(figures_said) == 2 and not any(" in 0 round trips" in line for line in figures_said)
    assert not any(line.startswith("@bench-turns") for line in lines)
    assert (tmp_path / "bench_100.sqlite3").exists() and (tmp_path / "bench_120.sqlite3").exists()


@pytest.mark.django_db
def test_a_scale_told_to_time_its_reads_reports_a_failed_read_and_times_the_next(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from types import SimpleNamespace

    from bench import reads, turns

    commands = iter([{"do": "start", "read": "board"}, {"do": "start", "read": "home"},
                     {"do": "runs", "read": "home", "count": 2}, {"do": "runs", "read": "home", "count": 10},
                     {"do": "done"}])
    answered: list[dict[str, Any]] = []
    monkeypatch.setattr(turns, "command", lambda: next(commands))
    monkeypatch.setattr(turns, "answer", answered.append)
    monkeypatch.setenv("BENCH_RUNS", "5")
    asked: list[str] = []

    def get(path: str, **headers: str) -> Any:
        asked.append(path)
        return SimpleNamespace(status_code=500 if path == "/missing-now" else 200, content=b"page")

    who = SimpleNamespace(pages=SimpleNamespace(get=get), api_headers=dict)
    said: list[str] = []
    out = reads.reads_served(who, reads.Sample([1], [1], 1), said.append, {"board", "home"}, "300")  # type: ignore[arg-type]

    assert answered == [{"ready": ["board", "home"]}, {"error": "board: GET /missing-now answered 500"}, {},
                        {"finished": False}, {"finished": True}]
    assert asked == ["/missing-now"] + ["/"] * (3 + 5)  # board's first request; home's two counted, warm-up, 5 runs
    assert out == {"board": {"p50_ms": None, "p95_ms": None, "queries": None, "sql_p95_ms": None,
                             "error": "board: GET /missing-now answered 500"}}
    assert said == ["read board at 300: failed: board: GET /missing-now answered 500"]
