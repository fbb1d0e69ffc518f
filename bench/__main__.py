"""Run the benchmarks on a fresh database and print their figures.

    make bench                          # SQLite in a temporary directory
    DATABASE_URL=postgres://... make bench   # a PostgreSQL database you can throw away
"""

from __future__ import annotations

import json
import os
import resource
import sys
import tempfile


def main() -> None:
    scratch = tempfile.mkdtemp(prefix="homeward-bench-")
    os.environ.setdefault("HOMEWARD_VAR_DIR", scratch)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from homeward.reference.loader import load_reference_data

    from . import engine, worklist

    print("engine:", json.dumps(engine.run(), indent=2))
    call_command("migrate", verbosity=0, interactive=False)
    if connection.vendor == "postgresql":
        call_command("flush", verbosity=0, interactive=False)
    load_reference_data()
    print(f"worklist ({connection.vendor}):", json.dumps(worklist.run(), indent=2))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {peak:.0f} MiB")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
