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
