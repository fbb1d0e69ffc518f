"""Wake the in-process worker as soon as a transaction queues a notification.

Worker processes of their own poll the outbox instead; this only shortens the wait of a
worker thread running in the same process as the web server (`homeward run`).
"""

from __future__ import annotations

import threading

_wake = threading.Event()


def wake_workers() -> None:
    _wake.set()


def work_seen() -> None:
    """Called as a pass starts: it will see everything committed before now."""
    _wake.clear()


def wait_for_work(timeout: float) -> None:
    """Sleep until `timeout` seconds pass or `wake_workers` is called, whichever is first
    (at once if it was called during the last pass)."""
    _wake.wait(timeout)
