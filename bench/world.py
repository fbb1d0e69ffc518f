"""The shape of a benchmark database, decided before any row is written: who the children are,
when each of their episodes began and how long it lasted.

Everything is seeded, so one scale always gives the same world. Episode ids follow the order
episodes were reported in, as they would in a live system; every other detail of a child (what
was recorded, the obligations) is made later from the child's own seed (`casefile`), so the
children can be filled in by several processes at once.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

# Three years of history, ending when the database is built.
HISTORY_DAYS = 3 * 365
# About one child for five episodes: most go missing once or twice, a few dozens of times.
EPISODE_COUNTS = (1, 2, 3, 4, 5, 6, 8, 10, 14, 20, 30, 45)
EPISODE_COUNT_WEIGHTS = (34, 18, 10, 7, 5, 4, 5, 5, 5, 4, 2, 1)
# How long children are away: mostly hours, some days.
DURATION_HOURS = (2, 4, 6, 9, 14, 20, 30, 50, 80, 120, 200)
DURATION_WEIGHTS = (12, 14, 14, 14, 12, 10, 9, 6, 4, 3, 2)
# Who the children are (DOMAIN.md section 1): looked after inside the authority, in a
# neighbouring one, further away, another authority's child placed here, or not looked after.
KINDS = ("lac_in", "lac_neighbour", "lac_far", "other_la", "cp", "cin", "eh", "none")
KIND_WEIGHTS = (30, 12, 6, 8, 10, 16, 10, 8)
# Children missing now: about three in a thousand episodes (a few thousand at 1m).
OPEN_SHARE = 0.003
MIN_OPEN = 8
OPEN_HOURS = (2, 4, 8, 12, 20, 30, 45, 60, 80, 120, 200, 400)
OPEN_WEIGHTS = (10, 12, 12, 10, 10, 8, 8, 6, 6, 4, 3, 2)
# Children per team, per social worker, per return interview practitioner; per area (a town
# with its own places and people, shared by the children who go missing there).
CHILDREN_PER_TEAM = 600
CHILDREN_PER_WORKER = 18
CHILDREN_PER_PRACTITIONER = 250
CHILDREN_PER_AREA = 1500


@dataclass(slots=True)
class EpisodePlan:
    id: int
    last_seen: datetime
    reported_at: datetime
    # None: missing now.
    duration: timedelta | None


@dataclass(slots=True)
class ChildPlan:
    index: int
    seed: int
    kind: str
    date_of_birth: date
    area: int
    team: int | None
    episodes: list[EpisodePlan] = field(default_factory=list)

    @property
    def id(self) -> int:
        return self.index + 1


@dataclass(slots=True)
class Staff:
    teams: int
    workers: int
    practitioners: int
    areas: int


@dataclass
class World:
    now: datetime
    seed: int
    children: list[ChildPlan]
    staff: Staff

    @property
    def episode_count(self) -> int:
        return sum(len(c.episodes) for c in self.children)

    @property
    def open_count(self) -> int:
        return sum(1 for c in self.children for e in c.episodes if e.duration is None)


def staff_for(children: int) -> Staff:
    return Staff(
        teams=max(3, children // CHILDREN_PER_TEAM),
        workers=max(6, children // CHILDREN_PER_WORKER),
        practitioners=max(2, children // CHILDREN_PER_PRACTITIONER),
        areas=max(3, children // CHILDREN_PER_AREA),
    )


def _minute(instant: datetime) -> datetime:
    return instant.replace(second=0, microsecond=0)


def _child_starts(rng: random.Random, count: int, window_start: datetime, window_end: datetime,
                  latest_end: datetime) -> list[tuple[datetime, timedelta]]:
    """`count` episodes in the window, never overlapping (DOMAIN.md section 2), each over
    before `latest_end`."""
    span = max((window_end - window_start).total_seconds(), 3600.0)
    starts = sorted(window_start + timedelta(seconds=rng.uniform(0, span)) for _ in range(count))
    out: list[tuple[datetime, timedelta]] = []
    free_from = window_start
    for start in starts:
        start = _minute(max(start, free_from))
        if start > window_end:
            break
        duration = timedelta(hours=rng.choices(DURATION_HOURS, DURATION_WEIGHTS)[0],
                             minutes=rng.randint(0, 59))
        if start + duration > latest_end:
            duration = latest_end - start
            if duration < timedelta(hours=1):
                break
        out.append((start, duration))
        # The next one starts at least a few hours after this one ended.
        free_from = start + duration + timedelta(hours=rng.uniform(3, 72))
    return out


def build_world(episodes: int, *, now: datetime, seed: int = 20261125) -> World:
    """Children and their episodes, `episodes` in all, the last `OPEN_SHARE` of them open."""
    rng = random.Random(seed)
    now = _minute(now)
    history_start = now - timedelta(days=HISTORY_DAYS)
    latest_end = now - timedelta(minutes=30)
    target_open = max(MIN_OPEN, round(episodes * OPEN_SHARE))
    estimated_children = max(1, episodes // 5)
    staff = staff_for(estimated_children)
    children: list[ChildPlan] = []
    raw: list[tuple[int, datetime, datetime, timedelta | None]] = []
    total = 0
    while total < episodes - target_open:
        index = len(children)
        child_seed = rng.getrandbits(48)
        crng = random.Random(child_seed)
        kind = crng.choices(KINDS, KIND_WEIGHTS)[0]
        count = crng.choices(EPISODE_COUNTS, EPISODE_COUNT_WEIGHTS)[0]
        count = min(count, episodes - target_open - total)
        active_days = crng.choice((20, 60, 120, 240, 400, 700)) if count > 1 else 1
        window_end = now - timedelta(days=crng.uniform(0, HISTORY_DAYS - active_days))
        window_start = max(history_start, window_end - timedelta(days=active_days))
        # Aged 10 to 17 throughout their window of episodes.
        age_at_end = crng.uniform(max(11.0, 10.0 + active_days / 365), 17.9)
        dob = (window_end - timedelta(days=age_at_end * 365.25)).date()
        team = None if kind == "other_la" else crng.randrange(staff.teams)
        plan = ChildPlan(index=index, seed=child_seed, kind=kind, date_of_birth=dob,
                         area=crng.randrange(staff.areas), team=team)
        for start, duration in _child_starts(crng, count, window_start, window_end, latest_end):
            # Reported within four hours of being last seen, and before the return.
            delay = min(crng.randint(10, 240), int(duration.total_seconds() // 120))
            raw.append((index, start, _minute(start + timedelta(minutes=delay)), duration))
            total += 1
        children.append(plan)
    _add_open_episodes(rng, children, raw, target_open, now)
    # Ids in the order the episodes were reported, as a live system gives them.
    raw.sort(key=lambda item: (item[2], item[0]))
    for number, (index, last_seen, reported_at, lasted) in enumerate(raw, start=1):
        reported_at = min(reported_at, now - timedelta(minutes=5))
        children[index].episodes.append(EpisodePlan(number, last_seen, reported_at, lasted))
    return World(now=now, seed=seed, children=children, staff=staff)


def _add_open_episodes(rng: random.Random, children: list[ChildPlan],
                       raw: list[tuple[int, datetime, datetime, timedelta | None]], target: int,
                       now: datetime) -> None:
    """The children missing now: their last episode ended before this one began, and they are
    still under 18."""
    last_end: dict[int, datetime] = {}
    for index, start, _reported, duration in raw:
        end = start + (duration or timedelta(0))
        last_end[index] = max(last_end.get(index, end), end)
    candidates = [c for c in children if (now.date() - c.date_of_birth).days < 17.8 * 365.25]
    rng.shuffle(candidates)
    added = 0
    for child in candidates:
        if added >= target:
            break
        hours = rng.choices(OPEN_HOURS, OPEN_WEIGHTS)[0] * rng.uniform(0.6, 1.0)
        start = _minute(now - timedelta(hours=hours))
        if last_end.get(child.index, start - timedelta(days=1)) >= start - timedelta(hours=3):
            continue
        reported = _minute(start + timedelta(minutes=rng.randint(10, 180)))
        raw.append((child.index, start, reported, None))
        added += 1
