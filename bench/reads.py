"""The reads people wait for, timed in process with Django's test client as the co-ordinator,
each beside hand-written SQL that gives the same answer through the indexes (what the read
could cost). Reads about one child or one episode go round a sample of 100 of them (as many as
there are, if fewer). With several scales, the parent process has each read timed in batches
that take turns between the scales (`reads_served`, `bench.turns`), so that the machine's drift
falls on them alike; alone, a scale times each read in one go (`reads_run`).

The hand SQL is the yardstick, not a specification: the board's first 50 open episodes with
each one's next duty and the counts by risk; the co-ordinator's worklist sections (their own,
their role's and the front door's duties, overdue, due today and due in three days); the first
page of every overdue duty; the first page of open episodes with their children; a child with
their episodes, current placement, legal status and latest chronology; an episode with its
child, duties and chronology; an episode's listed duties.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlparse
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from homeward.children.models import Child
from homeward.episodes.models import Episode, EpisodeStatus

from . import turns
from .signin import SignedIn
from .timing import Runs, Timed, timed

SAMPLE = 100
READ_NAMES = ("board", "home", "worklist_api", "episodes_api", "child_page", "child_api", "episode_page",
              "obligations_api")
LIVE = "o.done_at IS NULL AND o.ended_at IS NULL AND NOT o.for_information"


@dataclass(frozen=True)
class Read:
    name: str
    path: Callable[[int], str]
    api: bool
    sql: list[tuple[str, Callable[[int], dict[str, Any]]]]


@dataclass
class Sample:
    children: list[int]
    episodes: list[int]
    user_id: int


def sample_choose(user_id: int) -> Sample:
    """Children who went missing three times or more, and episodes still being worked on (open
    or returned), SAMPLE of each, the same for every run of one database."""
    repeat = list(Child.objects.annotate(n=Count("episodes")).filter(n__gte=3).order_by("id")
                  .values_list("id", flat=True))
    active = list(Episode.objects.filter(status__in=[EpisodeStatus.OPEN, EpisodeStatus.RETURNED])
                  .order_by("id").values_list("id", flat=True))
    rng = random.Random(11)
    children = rng.sample(repeat, min(SAMPLE, len(repeat))) or [Child.objects.order_by("id").values_list(
        "id", flat=True).first() or 0]
    episodes = rng.sample(active, min(SAMPLE, len(active))) or [Episode.objects.order_by("id").values_list(
        "id", flat=True).first() or 0]
    return Sample(children=children, episodes=episodes, user_id=user_id)


def reads_define(sample: Sample, now: datetime) -> list[Read]:
    def child(i: int) -> int:
        return sample.children[i % len(sample.children)]

    def episode(i: int) -> int:
        return sample.episodes[i % len(sample.episodes)]

    end_of_day = timezone.localtime(now).replace(hour=23, minute=59, second=59)
    times = {"now": now, "eod": end_of_day, "soon": end_of_day + timedelta(days=3), "user": sample.user_id}
    mine = ("(o.owner_user_id = %(user)s OR (o.owner_queue = 'role' AND o.responsible_role = 'coordinator') "
            "OR o.owner_queue = 'front_door')")
    section = (f"SELECT o.id, o.episode_id, o.code, o.instance, o.due_at FROM obligations_storedobligation o "
               f"WHERE {LIVE} AND {mine} AND o.listed_from <= %(now)s AND o.due_at {{cond}} "
               f"ORDER BY o.due_at, o.id LIMIT 50")
    return [
        Read("board", lambda i: "/missing-now", False, [
            (f"SELECT e.id, e.child_id, c.given_name, c.family_name, e.risk_level, e.missing_since, "
             f"(SELECT o.due_at FROM obligations_storedobligation o WHERE o.episode_id = e.id AND {LIVE} "
             f"AND o.listed_from <= %(now)s ORDER BY o.due_at LIMIT 1) "
             f"FROM episodes_episode e JOIN children_child c ON c.id = e.child_id "
             f"WHERE e.status = 'open' ORDER BY e.missing_since, e.id LIMIT 50", lambda i: times),
            ("SELECT e.risk_level, count(*) FROM episodes_episode e WHERE e.status = 'open' GROUP BY e.risk_level",
             lambda i: times),
        ]),
        Read("home", lambda i: "/", False, [
            (section.format(cond="< %(now)s"), lambda i: times),
            (section.format(cond=">= %(now)s AND o.due_at <= %(eod)s"), lambda i: times),
            (section.format(cond="> %(eod)s AND o.due_at <= %(soon)s"), lambda i: times),
        ]),
        Read("worklist_api", lambda i: "/api/v1/worklist?status=overdue", True, [
            (f"SELECT o.id, o.episode_id, o.child_id, o.code, o.instance, o.title, o.due_at "
             f"FROM obligations_storedobligation o WHERE {LIVE} AND o.due_at < %(now)s AND o.listed_from <= %(now)s "
             f"AND (o.lapses_at IS NULL OR o.lapses_at > %(now)s) ORDER BY o.due_at, o.id LIMIT 50", lambda i: times),
        ]),
        Read("episodes_api", lambda i: "/api/v1/episodes?status=open", True, [
            ("SELECT e.*, c.given_name, c.family_name FROM episodes_episode e JOIN children_child c "
             "ON c.id = e.child_id WHERE e.status = 'open' ORDER BY e.missing_since DESC, e.id DESC LIMIT 50",
             lambda i: times),
        ]),
        Read("child_page", lambda i: f"/children/{child(i)}", False, [
            ("SELECT * FROM children_child WHERE id = %(child)s", lambda i: {"child": child(i)}),
            ("SELECT * FROM episodes_episode WHERE child_id = %(child)s ORDER BY missing_since DESC",
             lambda i: {"child": child(i)}),
            ("SELECT * FROM children_placement WHERE child_id = %(child)s AND ended_on IS NULL",
             lambda i: {"child": child(i)}),
            ("SELECT * FROM children_chronologyentry WHERE child_id = %(child)s ORDER BY at DESC, id DESC LIMIT 50",
             lambda i: {"child": child(i)}),
        ]),
        Read("child_api", lambda i: f"/api/v1/children/{child(i)}", True, [
            ("SELECT c.*, (SELECT status FROM children_legalstatusperiod l WHERE l.child_id = c.id "
             "ORDER BY l.started_on DESC LIMIT 1), (SELECT authority_id FROM children_placement p "
             "WHERE p.child_id = c.id AND p.ended_on IS NULL LIMIT 1) FROM children_child c WHERE c.id = %(child)s",
             lambda i: {"child": child(i)}),
        ]),
        Read("episode_page", lambda i: f"/episodes/{episode(i)}", False, [
            ("SELECT e.*, c.given_name, c.family_name FROM episodes_episode e JOIN children_child c "
             "ON c.id = e.child_id WHERE e.id = %(episode)s", lambda i: {"episode": episode(i)}),
            ("SELECT * FROM obligations_storedobligation WHERE episode_id = %(episode)s "
             "ORDER BY due_at, code, instance", lambda i: {"episode": episode(i)}),
            ("SELECT * FROM children_chronologyentry WHERE episode_id = %(episode)s ORDER BY at DESC",
             lambda i: {"episode": episode(i)}),
        ]),
        Read("obligations_api", lambda i: f"/api/v1/episodes/{episode(i)}/obligations", True, [
            ("SELECT * FROM obligations_storedobligation WHERE episode_id = %(episode)s AND listed_from <= %(now)s "
             "ORDER BY due_at, code, instance", lambda i: {"episode": episode(i), "now": now}),
        ]),
    ]


def _get(who: SignedIn, read: Read, i: int) -> int:
    headers = who.api_headers() if read.api else {}
    response = who.pages.get(read.path(i), **headers)  # type: ignore[arg-type]
    if response.status_code != 200:
        raise RuntimeError(f"{read.name}: GET {read.path(i)} answered {response.status_code}")
    return len(response.content)


def _sql(read: Read, i: int) -> None:
    with connection.cursor() as cursor:
        for statement, params in read.sql:
            cursor.execute(statement, params(i))
            cursor.fetchall()


@dataclass
class Measuring:
    """One read being measured: its statements counted, its page's timed runs under way."""
    read: Read
    queries: int
    round_trips: int
    page: Runs


def measuring_start(who: SignedIn, read: Read) -> Measuring:
    # The statements of a request as a running server asks them: after one request of the same
    # read, so that what a process reads once and keeps (the forms' reference lists) is not
    # counted against a scale.
    _get(who, read, 0)
    with CaptureQueriesContext(connection) as captured:
        _get(who, read, 0)
    # `queries` counts statements: a page may send several in one round trip (common.together),
    # which is fewer waits but not less work for the database.
    round_trips = len(captured.captured_queries)
    queries = sum(len(sqlparse.split(query["sql"])) for query in captured.captured_queries)
    # After the counting: a request empties the connection's log of queries.
    page = Runs(lambda i: _get(who, read, i))
    page.warm()
    return Measuring(read, queries, round_trips, page)


def measuring_end(measuring: Measuring) -> dict[str, Any]:
    page = Timed(measuring.page.seconds)
    hand = timed(lambda i: _sql(measuring.read, i), budget=10)
    return {"p50_ms": page.p50_ms, "p95_ms": page.p95_ms, "queries": measuring.queries, "sql_p95_ms": hand.p95_ms,
            "runs": len(page.seconds), "round_trips": measuring.round_trips}


def read_measure(who: SignedIn, read: Read) -> dict[str, Any]:
    measuring = measuring_start(who, read)
    measuring.page.batch()
    return measuring_end(measuring)


def _failed(name: str, exc: Exception, say: Callable[[str], None], scale: str = "") -> dict[str, Any]:
    say(f"read {name}{scale and f' at {scale}'}: failed: {exc}")
    return {"p50_ms": None, "p95_ms": None, "queries": None, "sql_p95_ms": None, "error": str(exc)[:300]}


def _said(figures: dict[str, Any], name: str, say: Callable[[str], None], scale: str = "") -> dict[str, Any]:
    runs = figures.pop("runs")
    round_trips = figures.pop("round_trips")
    say(f"read {name}{scale and f' at {scale}'}: p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms over "
        f"{runs} runs, {figures['queries']} statements in {round_trips} round trips; "
        f"hand SQL p95 {figures['sql_p95_ms']} ms")
    return figures


def reads_run(who: SignedIn, sample: Sample, say: Callable[[str], None],
              only: set[str] | None = None) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for read in reads_define(sample, timezone.now()):
        if only and read.name not in only:
            continue
        try:
            out[read.name] = _said(read_measure(who, read), read.name, say)
        except Exception as exc:  # a read that fails is reported, and the others still run
            out[read.name] = _failed(read.name, exc, say)
    return out


def reads_served(who: SignedIn, sample: Sample | None, say: Callable[[str], None], only: set[str] | None,
                 scale: str) -> dict[str, dict[str, Any]]:
    """The reads timed as `bench.turns` asks from the parent process, in batches that take turns
    with the other scales' (no sample: no reads wanted, the parent is told so and says when to go
    on). The figures are those of `reads_run`; a read that fails is reported, the others go on."""
    reads = {read.name: read for read in reads_define(sample, timezone.now())
             if not only or read.name in only} if sample is not None else {}
    out: dict[str, dict[str, Any]] = {}
    measuring: dict[str, Measuring] = {}
    turns.answer({"ready": list(reads)})
    while (command := turns.command())["do"] != "done":
        name = command["read"]
        try:
            if command["do"] == "start":
                measuring[name] = measuring_start(who, reads[name])
                turns.answer({})
            elif command["do"] == "runs":
                turns.answer({"finished": measuring[name].page.batch(command["count"])})
            else:
                out[name] = _said(measuring_end(measuring.pop(name)), name, say, scale)
                turns.answer({})
        except Exception as exc:  # this read is over for this scale; the other scales' go on
            measuring.pop(name, None)
            out[name] = _failed(name, exc, say, scale)
            turns.answer({"error": str(exc)[:300]})
    return out
