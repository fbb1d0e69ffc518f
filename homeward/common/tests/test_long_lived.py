"""A server process sets aside what it loaded from the cyclic garbage collector, and spaces its
collections (issue 11)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_loading_the_wsgi_application_sets_aside_what_it_loaded() -> None:
    # A process of its own: freezing this test process would change every other test's.
    code = ("import gc; before = gc.get_freeze_count(); import config.wsgi; "
            "print(before, gc.get_freeze_count(), callable(config.wsgi.application), "
            "','.join(map(str, gc.get_threshold())))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                            env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.local"}, timeout=120)
    before, after, callable_, thresholds = result.stdout.split()
    assert before == "0"
    assert int(after) > 10_000  # the modules, classes and settings of a loaded Homeward
    assert callable_ == "True"
    # The youngest generation collected after 10,000 objects made, not Python's 700.
    assert thresholds == "10000,20,20"
