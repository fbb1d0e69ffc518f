"""How fast the pure engine evaluates an episode: the cost of every refresh and API answer."""

from __future__ import annotations

import random
import statistics
import time
from datetime import UTC, date, datetime, timedelta

import holidays

from homeward.protocol import (
    ActionFact,
    ChildFacts,
    Classification,
    EpisodeFacts,
    Facts,
    LegalStatusPeriod,
    Placement,
    RiskGrading,
    default_protocol,
    evaluate,
)


def synthetic_facts(rng: random.Random, index: int) -> Facts:
    missing_since = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=rng.randint(0, 24 * 300))
    found = missing_since + timedelta(hours=rng.choice([3, 20, 50, 90, 200])) if rng.random() < 0.8 else None
    actions = tuple(
        ActionFact(code=code, at=missing_since + timedelta(hours=rng.uniform(0.5, 30)))
        for code in ("police_informed", "manager_informed", "risk_analysis", "carer_update")
        if rng.random() < 0.7
    )
    return Facts(
        child=ChildFacts(
            date_of_birth=date(2011, 1, 1), responsible_authority="941",
            legal_status_history=(LegalStatusPeriod("looked_after", date(2020, 1, 1)),),
            placements=(Placement(rng.choice(["941", "855", "203"]), date(2020, 1, 1)),),
            has_iro=True, allocated=True,
        ),
        episode=EpisodeFacts(
            episode_id=index, reported_at=missing_since + timedelta(hours=1), reported_by="parent_carer",
            last_seen_at=missing_since,
            classifications=(Classification("missing", missing_since + timedelta(hours=1)),),
            risk_gradings=(RiskGrading(rng.choice(["low", "medium", "high"]), missing_since + timedelta(hours=1)),),
            found_at=found, actions=actions,
        ),
        home_authority="941",
        bank_holidays=frozenset(holidays.country_holidays("GB", subdiv="ENG", years=[2025, 2026, 2027]).keys()),
    )


def run(count: int = 5000) -> dict[str, float]:
    rng = random.Random(7)
    protocol = default_protocol()
    all_facts = [synthetic_facts(rng, i) for i in range(count)]
    as_of = datetime(2026, 11, 25, 9, tzinfo=UTC)
    timings = []
    obligations = 0
    started = time.perf_counter()
    for facts in all_facts:
        t0 = time.perf_counter()
        obligations += len(evaluate(facts, protocol, as_of))
        timings.append(time.perf_counter() - t0)
    total = time.perf_counter() - started
    timings.sort()
    return {
        "episodes": count,
        "obligations": obligations,
        "episodes_per_second": count / total,
        "p50_ms": statistics.median(timings) * 1000,
        "p95_ms": timings[int(len(timings) * 0.95)] * 1000,
        "max_ms": timings[-1] * 1000,
    }
