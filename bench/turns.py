"""The reads of several scales timed in turns, so that the machine's drift (its speed moves by a
third over minutes) falls on every scale alike and the ratio of their p95s measures the growth
with history, not the hour each scale was timed at.

The parent (`bench.__main__`) starts one `python -m bench` process a scale, with
BENCH_READS_FROM_PARENT=1, one after the other. Each is brought up as when alone (database
ready, signed in, `long_lived_frozen()`, its sample chosen), then says on stdout which reads it
will time and waits for commands on stdin, one JSON object a line:

    {"do": "start", "read": NAME}               warm-up, statements counted  -> {}
    {"do": "runs", "read": NAME, "count": n}    up to n more timed runs      -> {"finished": bool}
    {"do": "end", "read": NAME}                 hand SQL timed, figures said -> {}
    {"do": "done"}                              the reads are over: reports and intake as alone

A read that fails answers {"error": ...} and is over for that scale only. Its answers (and the
first {"ready": [NAME, ...]}) are lines starting with MARKER; every other line it prints is
progress, which the parent passes on. Only one process works at a time: the others wait for
their next command.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from typing import Any

MARKER = "@bench-turns "
FROM_PARENT = "BENCH_READS_FROM_PARENT"
# Runs of one scale before the next scale's turn: short enough that drift over a turn is small.
BATCH_RUNS = 10


def from_parent() -> bool:
    return os.environ.get(FROM_PARENT) == "1"


# The scale process's side.

def answer(message: dict[str, Any]) -> None:
    print(MARKER + json.dumps(message), flush=True)


def command() -> dict[str, Any]:
    line = sys.stdin.readline()
    if not line:
        raise SystemExit("bench: the parent process sent no more commands: stopping")
    told: dict[str, Any] = json.loads(line)
    return told


# The parent's side.

def in_turns(scales: Sequence[str], batch: Callable[[str], bool]) -> list[str]:
    """`batch(scale)` for each scale in turn, leaving out each once its batch says it is finished,
    until all are; the scales in the order their batches ran."""
    order: list[str] = []
    going = list(scales)
    while going:
        for scale in list(going):
            order.append(scale)
            if batch(scale):
                going.remove(scale)
    return order


class ScaleProcess:
    """One scale's `python -m bench`, its reads commanded from here."""

    def __init__(self, scale: str, env: dict[str, str]) -> None:
        self.scale = scale
        self.process = subprocess.Popen([sys.executable, "-m", "bench"], env={**env, FROM_PARENT: "1"},
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.last = ""
        self.reads: list[str] = []

    def _passed_on(self, line: str) -> None:
        print(line, end="", flush=True)
        if line.strip():
            self.last = line

    def _answer(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.startswith(MARKER):
                answered: dict[str, Any] = json.loads(line[len(MARKER):])
                return answered
            self._passed_on(line)
        raise SystemExit(f"the {self.scale} run failed before its reads were over (exit {self.process.wait()})")

    def ready(self) -> None:
        """Passes its progress on until it is brought up and says which reads it will time."""
        self.reads = list(self._answer()["ready"])

    def ask(self, told: dict[str, Any]) -> dict[str, Any]:
        assert self.process.stdin is not None
        with contextlib.suppress(BrokenPipeError):  # it has ended: _answer says so
            self.process.stdin.write(json.dumps(told) + "\n")
            self.process.stdin.flush()
        return self._answer()

    def rest(self) -> dict[str, Any]:
        """After the reads it goes on alone (reports, intake): its figures."""
        assert self.process.stdin is not None and self.process.stdout is not None
        with contextlib.suppress(BrokenPipeError):  # it has ended: its exit status says how
            self.process.stdin.write(json.dumps({"do": "done"}) + "\n")
            self.process.stdin.close()
        for line in self.process.stdout:
            self._passed_on(line)
        if self.process.wait() != 0:
            raise SystemExit(f"the {self.scale} run failed (exit {self.process.returncode})")
        figures: dict[str, Any] = json.loads(self.last)
        return figures

    def stop(self) -> None:
        """Ends it if it is still there (another scale failed): without commands it stops."""
        if self.process.poll() is not None:
            return
        if self.process.stdin and not self.process.stdin.closed:
            with contextlib.suppress(BrokenPipeError):
                self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def reads_in_turns(processes: Sequence[ScaleProcess], say: Callable[[str], None]) -> None:
    """Each read timed in every scale, in batches of BATCH_RUNS runs taking turns between the
    scales; each scale keeps its own rules as when alone (`timing.Runs`: up to BENCH_RUNS runs
    within BENCH_READ_BUDGET_S of its own time, at least 3)."""
    for name in dict.fromkeys(name for process in processes for name in process.reads):
        _read_in_turns(name, processes, say)


def _read_in_turns(name: str, processes: Sequence[ScaleProcess], say: Callable[[str], None]) -> None:
    going = {process.scale: process for process in processes if name in process.reads
             and "error" not in process.ask({"do": "start", "read": name})}
    failed: set[str] = set()

    def batch(scale: str) -> bool:
        answered = going[scale].ask({"do": "runs", "read": name, "count": BATCH_RUNS})
        if "error" in answered:
            failed.add(scale)
            return True
        return bool(answered["finished"])

    order = in_turns(list(going), batch)
    say(f"read {name}, timed in turns of up to {BATCH_RUNS} runs: {' '.join(order)}")
    for scale, process in going.items():
        if scale not in failed:
            process.ask({"do": "end", "read": name})
