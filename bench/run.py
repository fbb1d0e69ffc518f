"""One scale: make sure its database is built, then time the reads, the reports, intake and the
first page, and return the figures (`__main__` prints them)."""

from __future__ import annotations

import os
import random
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

SCALES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}
PARTS = ("reads", "reports", "intake", "first_page")
BENCH_AUDIT_KEY = "homeward-bench-audit-key-not-a-secret-0123456789"


def episodes_for(scale: str) -> int:
    """`10k`, `100k`, `1m`, or a plain number of episodes (`200`)."""
    if scale in SCALES:
        return SCALES[scale]
    if scale.isdigit() and int(scale) > 0:
        return int(scale)
    raise SystemExit(f"BENCH_SCALE: {scale!r} is not one of {', '.join(SCALES)} or a number of episodes")


def environment_prepare(url: str, scale: str) -> None:
    """Settings for a benchmark process, before Django starts: production's second factor, a
    fixed audit key (the generated log is signed with it), the test client's host allowed."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ.setdefault("HOMEWARD_REQUIRE_2FA", "1")
    os.environ.setdefault("HOMEWARD_AUDIT_KEY", BENCH_AUDIT_KEY)
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    os.environ.setdefault("HOMEWARD_VAR_DIR", str(Path.cwd() / "var" / "bench" / scale))
    # Warnings only: sign-ins by the test client are not news.
    os.environ.setdefault("HOMEWARD_LOG_LEVEL", "WARNING")


def _wanted() -> set[str]:
    return {p.strip() for p in os.environ.get("BENCH_ONLY", "").split(",") if p.strip()}


def _stale(meta: dict[str, str], scale: str, episodes: int) -> str:
    from .generate import GENERATOR_VERSION

    if not meta:
        return "no benchmark data yet"
    if meta.get("generator") != GENERATOR_VERSION:
        return f"built by generator {meta.get('generator')}, this is {GENERATOR_VERSION}"
    if meta.get("episodes") != str(episodes):
        return f"built for {meta.get('episodes')} episodes"
    built_for = datetime.fromisoformat(meta["now"])
    days = float(os.environ.get("BENCH_MAX_AGE_DAYS", "6"))
    from django.utils import timezone

    if timezone.now() - built_for > timedelta(days=days):
        return f"built on {built_for:%d %b %Y}, more than {days:g} days ago (open episodes would have aged)"
    return ""


def database_ready(scale: str, url: str, say: Any) -> dict[str, str]:
    """The scale's database, built unless a good one is kept (BENCH_REBUILD=1 builds anyway)."""
    import django

    from . import database

    episodes = episodes_for(scale)
    postgres = url.startswith("postgres")
    reason = "BENCH_REBUILD=1" if os.environ.get("BENCH_REBUILD") == "1" else ""
    if postgres and not reason and not database.exists(url):
        reason = "no database yet"
    if postgres and reason:
        database.create_empty(url)
    django.setup()
    from django.db import connection

    from .generate import build, meta_read

    if not reason:
        reason = _stale(meta_read(), scale, episodes)
        if reason and postgres:
            connection.close()
            database.create_empty(url)
        elif reason:
            _sqlite_empty()
    if reason:
        say(f"building {scale} ({episodes:,} episodes) at {url}: {reason}")
        build(episodes, scale=scale, progress=say)
        sample = int(os.environ.get("BENCH_VERIFY", "300"))
    else:
        say(f"using the {scale} database kept at {url} (BENCH_REBUILD=1 to build it again)")
        _migrate(say)
        sample = int(os.environ.get("BENCH_VERIFY", "0"))
    meta = meta_read()
    if sample:
        _verify(sample, datetime.fromisoformat(meta["now"]), say)
    return meta


def _migrate(say: Any) -> None:
    """Migrations made since the database was built (an index added...), as a deployment would."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    waiting = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if waiting:
        started = time.perf_counter()
        call_command("migrate", interactive=False, verbosity=0)
        say(f"applied {len(waiting)} migrations made since the build in {time.perf_counter() - started:.0f} s: "
            + ", ".join(f"{m.app_label}.{m.name}" for m, _backwards in waiting))


def _verify(sample: int, now: datetime, say: Any) -> None:
    """Stored obligations of a random sample of episodes against what refresh would store."""
    from homeward.episodes.models import Episode

    from .verify import mismatches

    ids = list(Episode.objects.order_by("id").values_list("id", flat=True))
    chosen = sorted(random.Random(5).sample(ids, min(sample, len(ids))))
    started = time.perf_counter()
    episodes = Episode.objects.filter(pk__in=chosen).select_related("child", "rhi_authority").order_by("id")
    checked, problems = mismatches(now, episodes)
    say(f"verified {checked} random episodes against what obligations_refresh stores at the build instant in "
        f"{time.perf_counter() - started:.0f} s: " + ("all equal" if not problems else
                                                    f"{len(problems)} differences: " + "; ".join(problems[:5])))


def _sqlite_empty() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        cursor.execute("PRAGMA foreign_keys = OFF")
        for table in tables:
            cursor.execute(f'DROP TABLE IF EXISTS "{table}"')
        cursor.execute("PRAGMA foreign_keys = ON")


def run_scale(scale: str, url: str, say: Any) -> dict[str, Any]:
    """Every figure of one scale, as the JSON object `make bench` prints."""
    started = time.perf_counter()
    meta = database_ready(scale, url, say)
    from django.conf import settings

    from .reads import reads_run, reads_served, sample_choose
    from .reports import reports_run
    from .signin import signed_in
    from .turns import from_parent

    wanted = _wanted()
    who = signed_in()
    # The process times pages as a server's worker serves them: with what it loaded set aside
    # from the garbage collector and its collections spaced, as `config.wsgi` does once the
    # application is loaded.
    from homeward.common.long_lived import collections_spaced, long_lived_frozen

    long_lived_frozen()
    collections_spaced()
    result: dict[str, Any] = {"scale": scale, "reads": {}, "reports": {}, "intake": {}, "first_page_s": None}
    say(f"{meta.get('episodes')} episodes, {meta.get('children')} children, built for {meta.get('now')} "
        f"in {meta.get('seconds')} s")
    from .reads import READ_NAMES
    from .reports import REPORT_NAMES

    only_reads = wanted & set(READ_NAMES) or None
    only_reports = wanted & set(REPORT_NAMES) or None
    reads_wanted = not wanted or "reads" in wanted or bool(only_reads)
    if from_parent():
        # Several scales: the parent times their reads in turns (bench.turns), then this goes on.
        sample = sample_choose(who.user.pk) if reads_wanted else None
        result["reads"] = reads_served(who, sample, say, only_reads, scale)
    elif reads_wanted:
        result["reads"] = reads_run(who, sample_choose(who.user.pk), say, only_reads)
    if not wanted or "reports" in wanted or only_reports:
        result["reports"] = reports_run(who, say, only_reports)
    if (not wanted or "intake" in wanted) and str(settings.DATABASES["default"]["ENGINE"]).endswith("postgresql"):
        from .intake import intake_run

        result["intake"] = intake_run(token=who.token, force=_home_force(), build_now=datetime.fromisoformat(
            meta["now"]), say=say)
    if (not wanted or "first_page" in wanted) and os.environ.get("BENCH_FIRST_PAGE") != "skip":
        from .first_page import first_page_seconds

        result["first_page_s"] = first_page_seconds(say)
    say(f"{scale} done in {time.perf_counter() - started:.0f} s")
    return result


def _home_force() -> str:
    from django.conf import settings

    from homeward.reference.models import Authority

    return Authority.objects.select_related("police_force").get(code=settings.HOMEWARD_AUTHORITY).police_force.code
