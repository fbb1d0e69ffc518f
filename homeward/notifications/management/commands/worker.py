"""`homeward worker`: deliver notifications and run periodic tasks until stopped."""

from __future__ import annotations

import signal
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from homeward.notifications.delivery import smtp_settings_summary
from homeward.notifications.worker import Worker


class Command(BaseCommand):
    help = ("Deliver queued notifications (with retries) and run the periodic tasks of "
            "HOMEWARD_PERIODIC_TASKS, every few seconds, until SIGTERM or Ctrl-C. Several "
            "workers may share one database.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run a single pass, then exit.")
        parser.add_argument("--interval", type=float, default=5.0,
                            help="Seconds between passes when there is nothing to do (default 5).")

    def handle(self, *args: Any, **options: Any) -> None:
        worker = Worker(interval=options["interval"])
        if options["once"]:
            self.stdout.write(str(worker.run_pass()))
            return

        def stop(signum: int, frame: FrameType | None) -> None:
            self.stdout.write(f"Received {signal.Signals(signum).name}: finishing the current pass.")
            worker.stop()

        previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        self.stdout.write(f"Worker started: mail via {smtp_settings_summary()}; "
                          f"{len(worker.tasks)} periodic task(s). Stop with SIGTERM or Ctrl-C.")
        try:
            worker.run()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        self.stdout.write("Worker stopped.")
