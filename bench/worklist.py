"""How fast worklists and the obligations endpoint answer on an authority-sized database.

A large authority has a few thousand episodes a year; we build 5,000 episodes with their
stored obligations in bulk (the synthetic data generator), then time the reads people wait for.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone


def build(episodes: int, rng: random.Random) -> Any:
    from homeward.accounts.services import user_create
    from homeward.children.models import Child, LegalStatusPeriod
    from homeward.episodes.models import Episode
    from homeward.obligations.models import EpisodeObligationState, StoredObligation
    from homeward.reference.models import Authority

    home = Authority.objects.get(code="941")
    coordinator = user_create(username="bench.coordinator", role="coordinator", password=None, validate=False)
    now = timezone.now()
    with transaction.atomic():
        children = Child.objects.bulk_create(
            Child(external_id=f"B{i:06d}", given_name="Bench", family_name=f"Child{i}",
                  date_of_birth=date(2011, 1, 1) + timedelta(days=i % 1500), sex="female",
                  legal_status="looked_after", responsible_authority=home)
            for i in range(episodes // 3)
        )
        LegalStatusPeriod.objects.bulk_create(LegalStatusPeriod(child=c, status="looked_after") for c in children)
        rows = []
        for i in range(episodes):
            since = now - timedelta(hours=rng.randint(2, 24 * 540))
            is_open = i % 60 == 0
            rows.append(Episode(
                child=children[i % len(children)], reported_at=since + timedelta(hours=1), reported_by="police",
                missing_since=since, classification="missing", risk_level="medium",
                status="open" if is_open and i < len(children) * 60 else "closed",
                found_at=None if is_open else since + timedelta(hours=20),
            ))
        # One open episode per child at most: the database enforces it.
        seen: set[int] = set()
        for row in rows:
            if row.status == "open" and row.child.pk in seen:
                row.status, row.found_at = "closed", row.missing_since + timedelta(hours=5)
            if row.status == "open":
                seen.add(row.child.pk)
        created = Episode.objects.bulk_create(rows, batch_size=1000)
        obligations = []
        for episode in created:
            for n, code in enumerate(("police_informed", "manager_informed", "risk_analysis", "strategy_meeting",
                                      "carer_update", "safe_and_well_check", "iro_informed", "rhi_offered",
                                      "rhi_authorised", "rhi_shared", "plan_updated", "mct_notified")):
                arises = episode.missing_since + timedelta(hours=n)
                due = arises + timedelta(hours=24 + 12 * n)
                done = None if rng.random() < 0.05 else arises + timedelta(hours=rng.uniform(1, 40))
                obligations.append(StoredObligation(
                    episode=episode, child_id=episode.child_id, code=code, instance=1, title=code,
                    responsible_role="social_worker", arises_at=arises, due_at=due, done_at=done,
                    late=bool(done and done > due), basis={}, refreshed_at=now,
                ))
        StoredObligation.objects.bulk_create(obligations, batch_size=2000)
        EpisodeObligationState.objects.bulk_create(
            EpisodeObligationState(episode=e, refreshed_at=now, valid_until=None) for e in created
        )
    return coordinator, created, len(obligations)


def timed(fn: Callable[[], object], repeat: int = 20) -> dict[str, float]:
    fn()  # warm caches and the query planner
    timings = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        timings.append(time.perf_counter() - t0)
    return {"p50_ms": statistics.median(timings) * 1000, "max_ms": max(timings) * 1000}


def run(episodes: int = 5000) -> dict[str, Any]:
    from homeward.obligations.selectors import obligation_list_for_user, worklist_sections
    from homeward.obligations.services import episode_obligations_evaluate

    rng = random.Random(11)
    t0 = time.perf_counter()
    coordinator, created, obligation_count = build(episodes, rng)
    build_seconds = time.perf_counter() - t0
    open_episode = next(e for e in created if e.status == "open")
    return {
        "episodes": episodes,
        "stored_obligations": obligation_count,
        "build_seconds": build_seconds,
        "overdue_first_page": timed(lambda: list(obligation_list_for_user(coordinator, status="overdue")[:50])),
        "home_worklist_sections": timed(lambda: worklist_sections(coordinator)),
        "episode_obligations_evaluate": timed(lambda: episode_obligations_evaluate(open_episode, timezone.now())),
    }
