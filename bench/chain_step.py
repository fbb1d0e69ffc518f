"""During intake, what the worker does for the audit log: take the chain's step every second
(`homeward.audit.services.audit_chain_extend`, where the chain is extended after commit), so
that its CPU and any lock it holds are counted with the reports that caused it. Run as
`python -m bench.chain_step`; stops on SIGTERM."""

from __future__ import annotations

import signal
import time
from types import FrameType


def main() -> None:
    import django

    django.setup()
    from homeward.audit import services

    step = getattr(services, "audit_chain_extend", None)
    running = True

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal running
        running = False

    signal.signal(signal.SIGTERM, stop)
    while running:
        if step is not None:
            while step() and running:
                pass
        time.sleep(1)
    if step is not None:
        while step():
            pass


if __name__ == "__main__":
    main()
