"""Patterns for the missing co-ordinator and the MACE panel (DOMAIN.md section 8, seed 002:
"map problems and patterns"). Each item carries the episode ids behind it, so a page can
link to them.

- Push and pull factors: the coded factors of return interviews, counted month by month
  (the month of the episode's `missing_since`, Europe/London); immediate risks (seed 004)
  the same way from children's services' risk analyses, an episode counted once for each
  risk however many analyses name it.
- Places: where children were last seen and where they were found, normalised (case,
  punctuation, spaces and a leading "the" ignored: `episodes.places`, kept on each episode as
  it is saved), with the places that recur.
- Network: children are linked when (a) their episodes overlap in time, or start within
  `together_hours` of each other, and share a place (last seen or found), or (b) their
  Philomena profiles name the same associate or the same place frequented. Links of kind
  (a) carry the episodes behind them; of kind (b) the shared entries. An entry named by more
  than `LINKED_AT_MOST` children, or a place where more than that many episodes began within
  the hours that link them ("home address"), links none of them two by two: it is listed as
  shared, with its children (`SharedEntry`), since every pair of hundreds is no picture.
- Consultations and referrals (DOMAIN.md section 5a): per kind, those considered for the
  period's episodes, made, not made, made with an outcome and prompted, and how many were
  considered by the month the episode started: one SQL aggregate grouped by kind and month.
  Counts alone: they name no child.
- Nothing compares every pair (issue 11): episodes are grouped by normalised place and
  compared with the later ones of their own places only, profiles grouped by normalised
  entry; the period's episodes are read once, the columns needed, in chunks.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from itertools import combinations
from typing import Any

from django.db import connections
from django.db.models import Count, F, Q, QuerySet, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from homeward.accounts.models import User
from homeward.children.models import Child, PhilomenaProfile
from homeward.common.timeutil import LONDON
from homeward.consultations.models import Consultation, ConsultationKind, Decision
from homeward.episodes.models import Episode
from homeward.episodes.places import normalise_place  # the reports' and their tests' name for it
from homeward.episodes.risk_analysis import RISK_ANALYSIS_LISTS
from homeward.reference.selectors import coded_labels

from .factor_counts import factor_hits
from .history import initials, month_key, months_between
from .performance import episodes_starting
from .shared_snapshot import run_together, shared_snapshot, snapshot_shared
from .statements import EpochMicroseconds, cycles_uncollected, report_statements

_ENTRY_SPLIT = re.compile(r"[\n;,]+")
# Philomena profiles that name one associate or place frequented link their children two by
# two up to this many children; more, and the entry is listed as shared (`SharedEntry`).
LINKED_AT_MOST = 12
# Children whose names are read by their ids; more, through the period's episodes.
_NAMED_BY_ID = 2000
_DAY_US = 86_400_000_000


@dataclass(frozen=True)
class FactorTrend:
    kind: str  # "push" or "pull" (return interviews), or "risk" (immediate risks, risk analyses)
    code: str
    label: str
    by_month: list[int]
    total: int
    episodes: list[int]


@dataclass
class Place:
    key: str
    label: str
    last_seen: int = 0
    found: int = 0
    episodes: list[int] = field(default_factory=list)
    children: set[int] = field(default_factory=set)

    @property
    def total(self) -> int:
        return self.last_seen + self.found


@dataclass(frozen=True)
class NetworkNode:
    child: int
    initials: str
    episodes: list[int]


@dataclass
class NetworkEdge:
    source: int
    target: int
    episodes: list[int] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    associates: list[str] = field(default_factory=list)
    places_frequented: list[str] = field(default_factory=list)

    @property
    def weight(self) -> int:
        return len(self.episodes) // 2 + len(self.associates) + len(self.places_frequented)


@dataclass(frozen=True)
class SharedEntry:
    """An associate or place frequented that more than `LINKED_AT_MOST` children's Philomena
    profiles name, or a place where more than that many episodes began within the hours that
    link them: listed once with its children (each with their first episode of the period),
    not as a link between every two of them."""

    kind: str  # "associate", "place_frequented" or "place" (last seen or found)
    key: str
    children: list[int]  # by id; the page's report holds only the first few
    episodes: list[int]  # each of `children`'s first
    named_by: int  # children in all


@dataclass(frozen=True)
class ConsultationTrend:
    """One kind of consultation or referral, over the decisions recorded for the period's
    episodes (by the month each episode started)."""

    kind: str
    label: str
    considered: int
    made: int
    not_made: int
    with_outcome: int
    prompted: int
    by_month: list[int]


@dataclass(frozen=True)
class Patterns:
    first: date
    last: date
    months: list[str]
    factors: list[FactorTrend]
    places: list[Place]
    nodes: list[NetworkNode]
    edges: list[NetworkEdge]
    consultations: list[ConsultationTrend] = field(default_factory=list)


def _consultation_trends(episodes: QuerySet[Episode], months: list[str]) -> list[ConsultationTrend]:
    """Every kind, each counted by the database: one aggregate grouped by kind and the month
    (Europe/London) the episode started, over the period's episodes (a subquery), so that a
    million episodes cost one statement and a few hundred rows, never a loop over history."""
    rows = (Consultation.objects.filter(episode__in=episodes.order_by().values("pk"))
            .annotate(month=TruncMonth("episode__missing_since", tzinfo=LONDON))
            .values("kind", "month").order_by()
            .annotate(considered=Count("id"),
                      made=Count("id", filter=Q(decision=Decision.MADE)),
                      not_made=Count("id", filter=Q(decision=Decision.NOT_MADE)),
                      with_outcome=Count("id", filter=Q(decision=Decision.MADE, outcome_at__isnull=False)),
                      prompted=Count("id", filter=~Q(prompted_by=[]))))
    totals: dict[str, Counter[str]] = defaultdict(Counter)
    by_month: dict[str, Counter[str]] = defaultdict(Counter)
    for row in rows:
        kind = row["kind"]
        for name in ("considered", "made", "not_made", "with_outcome", "prompted"):
            totals[kind][name] += row[name]
        by_month[kind][month_key(row["month"])] += row["considered"]
    return [ConsultationTrend(kind=kind, label=str(label), considered=totals[kind]["considered"],
                              made=totals[kind]["made"], not_made=totals[kind]["not_made"],
                              with_outcome=totals[kind]["with_outcome"], prompted=totals[kind]["prompted"],
                              by_month=[by_month[kind].get(m, 0) for m in months])
            for kind, label in ConsultationKind.choices]


def _factor_trends(episodes: QuerySet[Episode], months: list[str], listed: int | None) -> list[FactorTrend]:
    """Each coded factor's episodes (its first `listed`, if given) and their months, counted in
    the database (`factor_counts.factor_hits`: the interviews' and risk analyses' codes of the
    period's episodes, unnested in SQL), most named first."""
    found = factor_hits(episodes, listed=listed)
    out: list[FactorTrend] = []
    for kind, list_name in (("push", "push_factors"), ("pull", "pull_factors"),
                            ("risk", RISK_ANALYSIS_LISTS["immediate_risks"])):
        labels = coded_labels(list_name)
        # An episode begins in one month: the months' counts add up to the code's episodes.
        named = sorted(((h, sum(h.by_month.values())) for h in found if h.kind == kind),
                       key=lambda n: (-n[1], n[0].code))
        out.extend(FactorTrend(kind=kind, code=h.code, label=labels.get(h.code, h.code),
                               by_month=[h.by_month.get(m, 0) for m in months], total=total,
                               episodes=h.episodes) for h, total in named)
    return out


@lru_cache(maxsize=65_536)
def _entries(text: str) -> frozenset[str]:
    """A profile's associates or places frequented, each as compared. Remembered: profiles name
    the same few people and places of their area, often in the same words (at 100k episodes a
    year's 8,468 texts)."""
    return frozenset(key for part in _ENTRY_SPLIT.split(text or "") if (key := normalise_place(part)))


@dataclass
class _ProfileLinks:
    """(b) of the network from Philomena profiles: the entries each pair of children shares,
    and the entries too common to link anyone (kind, entry, children)."""

    associates: dict[tuple[int, int], set[str]] = field(default_factory=lambda: defaultdict(set))
    frequented: dict[tuple[int, int], set[str]] = field(default_factory=lambda: defaultdict(set))
    shared: list[tuple[str, str, list[int]]] = field(default_factory=list)

    def shown(self, at_most: int | None) -> list[tuple[str, str, list[int]]]:
        """The entries named by most children first (then by kind and entry), the first `at_most`."""
        return sorted(self.shared, key=lambda s: (-len(s[2]), s[0], s[1]))[:at_most]

    def first_children(self, at_most: int | None, listed: int | None) -> list[int]:
        """The first `listed` children of each of the first `at_most` shared entries (none when
        all are: every child's first episode is read then)."""
        if listed is None:
            return []
        return sorted({c for _kind, _entry, children in self.shown(at_most) for c in children[:listed]})

    def pairs(self) -> list[tuple[int, int, int, int]]:
        """(source, target, associates, places frequented) of each pair, counted."""
        return [(one, other, len(self.associates.get((one, other), ())), len(self.frequented.get((one, other), ())))
                for one, other in sorted(self.associates.keys() | self.frequented.keys())]


def _profile_links(profiles: Iterable[tuple[int, str, str]]) -> _ProfileLinks:
    """(b) Children whose Philomena profiles name the same associate or place frequented,
    found through each entry's children (never by comparing every two profiles). An entry
    more than `LINKED_AT_MOST` children name links none of them: it is listed as shared (a
    town's name, or one man named by two hundred children, is a pattern of its own, not tens
    of thousands of links)."""
    found = _ProfileLinks()
    naming: dict[str, dict[str, list[int]]] = {"associate": defaultdict(list), "place_frequented": defaultdict(list)}
    for child_id, associates, frequented in profiles:  # in child order
        for kind, text in (("associate", associates), ("place_frequented", frequented)):
            for entry in _entries(text):
                naming[kind][entry].append(child_id)
    for kind, target in (("associate", found.associates), ("place_frequented", found.frequented)):
        for entry, children in naming[kind].items():
            if len(children) > LINKED_AT_MOST:
                found.shared.append((kind, entry, children))
                continue
            for one, other in combinations(children, 2):
                target[(one, other)].add(entry)
    return found


@dataclass(frozen=True)
class _Shown:
    """How much of each list a report builds: the strongest `edges` links (and their
    children), the `places` places named most, the `shared` entries named by most children;
    None: all of them."""

    edges: int | None = None
    places: int | None = None
    shared: int | None = None
    # The first episodes of each factor and place, the first children of each shared entry.
    listed: int | None = None


@dataclass(frozen=True)
class PatternsShown:
    """The patterns as the page shows them (`patterns_shown`): `found` holds the strongest links
    and only their children, the places named most (each with its first episodes only and no
    children: `place_sizes` counts both) and each factor's first episodes, and `shared` the
    entries named by most children, with their first children; the counts say how many there
    are in all."""

    found: Patterns
    shared: list[SharedEntry]
    places: int
    nodes: int
    edges: int
    shared_count: int
    place_sizes: dict[str, tuple[int, int]]  # place: (episodes, children)


def _table(vendor: str, columns: tuple[tuple[str, str], ...], rows: list[tuple[Any, ...]]) -> tuple[str, list[Any]]:
    """A constant table (SQL and its parameters) of these rows, passed as parameters: arrays
    unnested on PostgreSQL, one JSON text on SQLite. `columns`: (name, PostgreSQL type)."""
    if vendor == "postgresql":
        arrays = ", ".join(f"%s::{kind}[]" for _name, kind in columns)
        return (f"SELECT * FROM unnest({arrays}) AS t({', '.join(name for name, _ in columns)})",  # noqa: S608 (constants)
                [[row[i] for row in rows] for i in range(len(columns))])
    items = ", ".join(f"json_extract(value, '$[{i}]') AS {name}" for i, (name, _kind) in enumerate(columns))
    return f"SELECT {items} FROM json_each(%s)", [json.dumps(rows)]  # noqa: S608 (constants)


def _network_sql(vendor: str, period: str, written: str, profile_links: str, wanted: str, *, window: int,
                 min_place_count: int, shown: _Shown, shared: bool) -> str:
    """One statement over the period's episodes (`period`: pk, child_id, last_seen_place,
    found_place, since_us, until_us, in no order; the places normalised as stored, '' for
    none), the texts as written of the places shown (`written`: the period's episodes as pk,
    since_us, attr, place number and text, joined to `places` and filtered to `places_shown`
    itself), the profiles' links (`profile_links`: source, target, associates, frequented) and
    the children of the profiles' shared entries shown (`wanted`: child_id). Episodes are in
    (since_us, pk) order. Rows (tag, place, spelling, n1..n6), the place a number and the
    spelling a text as written:

    - ('name', place, text) for every place: its number and normalised text;

    - ('links', links in all, linked children in all), ('link', source, target) for each of
      the strongest links, ('pair', place, source, target, a since, a, b since, b) for each
      two episodes behind them and each place they share, ('episode', child, since, episode)
      for each period episode of their children;
    - ('places', recurring places in all), and of the places named most ('place', place, last
      seen, found), ('spelling', place, text as written, times, and its first naming: since,
      episode * 2 + 0 last seen or 1 found), ('at', place, since, episode, child) (when `shown.listed`,
      for its first episodes only, and ('size', place, episodes, children));
    - when `shared`: ('busy', place, children) for every place too busy to link some episode,
      and ('busy_child', place, child) for the busiest (their first children, when
      `shown.listed`); ('first', child, episode) for every child of the period (when
      `shown.listed`, of those children and the `wanted`).

    (a) compares each episode with the later ones at its own places (an equality join on the
    place and a stretch of time) that start before it has ended or within the window of its
    start; a place is too busy to link an episode when more than LINKED_AT_MOST others there
    started within the window of it (a window count)."""
    # A day at least: an episode missing for months is in one row a stretch.
    bucket = max(window, _DAY_US)
    # Places numbered as Python sorts them (by code point; SQLite's default), not by the
    # database's locale.
    by_code = ' COLLATE "C"' if vendor == "postgresql" else ""
    episodes = Episode._meta.db_table

    def names(name: str, column: str) -> str:
        # Each place of the column once, one step of its index each (`episode_last_seen_place`,
        # `episode_found_place`): a few thousand places, not the million episodes naming them.
        return (f"{name} (place) AS (SELECT MIN({column}) FROM {episodes} WHERE {column} > '' "  # noqa: S608
                f"AND NOT status = 'cancelled' UNION ALL SELECT (SELECT MIN(e.{column}) FROM {episodes} e "
                f"WHERE e.{column} > n.place AND NOT e.status = 'cancelled') FROM {name} n WHERE n.place IS NOT NULL)")

    def limit(count: int | None) -> str:
        return "" if count is None else f" LIMIT {int(count)}"

    ctes = [
        names("seen_names", "last_seen_place"),
        names("found_names", "found_place"),
        # Every place, numbered from 1 in order (0: none): the network groups, joins and sorts
        # numbers, not texts (narrower rows, kept in memory).
        "places (place, n) AS MATERIALIZED (SELECT place, ROW_NUMBER() OVER (ORDER BY place"  # noqa: S608
        f"{by_code}) FROM (SELECT place FROM seen_names WHERE place IS NOT NULL UNION "
        "SELECT place FROM found_names WHERE place IS NOT NULL) u)",
        "period (pk, child_id, seen, found, since_us, until_us) AS MATERIALIZED (SELECT p.pk, p.child_id, "  # noqa: S608
        f"COALESCE(s.n, 0), COALESCE(f.n, 0), p.since_us, p.until_us FROM ({period}) p "
        "LEFT JOIN places s ON s.place = p.last_seen_place LEFT JOIN places f ON f.place = p.found_place)",
        f"profile_links (source, target, associates, frequented) AS ({profile_links})",
        f"wanted (child_id) AS ({wanted})",
        # Each naming of a place (attr 0 last seen, 1 found).
        "namings AS MATERIALIZED (SELECT pk, child_id, since_us, 0 AS attr, seen AS place FROM period "
        "WHERE seen <> 0 UNION ALL SELECT pk, child_id, since_us, 1, found FROM period WHERE found <> 0)",
        # An episode once at each of its places, with how many others there began within the window.
        # (And its place in the place's list, numbered in the same sort.)
        "named AS MATERIALIZED (SELECT pk, child_id, since_us, until_us, place, "  # noqa: S608 (numbers)
        f"COUNT(*) OVER (PARTITION BY place ORDER BY since_us RANGE BETWEEN {window} PRECEDING "
        f"AND {window} FOLLOWING) - 1 AS near, "
        "ROW_NUMBER() OVER (PARTITION BY place ORDER BY since_us, pk) AS nth FROM (SELECT pk, child_id, "
        "since_us, until_us, seen AS place FROM period WHERE seen <> 0 UNION ALL SELECT pk, child_id, since_us, "
        "until_us, found FROM period WHERE found <> 0 AND found <> seen) d)",
        # Until when each may link another: until it ended, or the window after its start if later.
        f"free AS MATERIALIZED (SELECT pk, child_id, since_us, since_us / {bucket} AS bucket, place, "  # noqa: S608
        f"CASE WHEN until_us > since_us + {window} THEN until_us ELSE since_us + {window} END AS reach "
        f"FROM named WHERE near <= {LINKED_AT_MOST})",
        # An episode is compared with the later ones starting at its place in each stretch of time
        # (`bucket` long) in which it may link another, not with all the place's episodes: its own
        # stretch and the next (all an episode of a day or less reaches), and for the longer
        # ones each stretch after (`reaching`, one row a stretch).
        "reaching (pk, child_id, since_us, place, reach, bucket, last) AS ("  # noqa: S608 (numbers)
        f"SELECT pk, child_id, since_us, place, reach, bucket + 2, reach / {bucket} FROM free "
        f"WHERE reach / {bucket} > bucket + 1 UNION ALL "
        "SELECT pk, child_id, since_us, place, reach, bucket + 1, last FROM reaching WHERE bucket < last)",
        "pairs AS MATERIALIZED (" + " UNION ALL ".join(
            "SELECT a.since_us AS a_since, a.pk AS a_pk, b.since_us AS b_since, b.pk AS b_pk, a.place AS place, "  # noqa: S608
            "CASE WHEN a.child_id < b.child_id THEN a.child_id ELSE b.child_id END AS source, "
            "CASE WHEN a.child_id < b.child_id THEN b.child_id ELSE a.child_id END AS target "
            f"FROM {side} a JOIN free b ON b.place = a.place AND b.bucket = a.bucket{step} "
            "AND (b.since_us > a.since_us OR (b.since_us = a.since_us AND b.pk > a.pk)) "
            "AND b.since_us <= a.reach AND b.child_id <> a.child_id"
            for side, step in (("free", ""), ("free", " + 1"), ("reaching", ""))) + ")",
        # Two children's episodes together: two episodes when one pair (at one or more places) links
        # them, which most links are; counted one by one only for the others.
        "together AS MATERIALIZED (SELECT source, target, CASE WHEN MIN(a_pk) = MAX(a_pk) AND MIN(b_pk) = MAX(b_pk) "
        "THEN 2 END AS episodes FROM pairs GROUP BY source, target)",
        "counted AS (SELECT t.source, t.target, COUNT(*) AS episodes FROM (SELECT p.source, p.target, p.a_pk AS pk "
        "FROM pairs p JOIN together t ON t.source = p.source AND t.target = p.target AND t.episodes IS NULL "
        "UNION SELECT p.source, p.target, p.b_pk FROM pairs p JOIN together t ON t.source = p.source "
        "AND t.target = p.target AND t.episodes IS NULL) t GROUP BY t.source, t.target)",
        "links AS MATERIALIZED (SELECT source, target, MAX(episodes) / 2 + MAX(associates) + MAX(frequented) "
        "AS weight FROM (SELECT source, target, episodes, 0 AS associates, 0 AS frequented FROM together "
        "WHERE episodes IS NOT NULL UNION ALL SELECT source, target, episodes, 0, 0 FROM counted "
        "UNION ALL SELECT source, target, 0, associates, frequented FROM profile_links) u GROUP BY source, target)",
        "strongest AS MATERIALIZED (SELECT source, target FROM links "  # noqa: S608 (numbers)
        f"ORDER BY weight DESC, source, target{limit(shown.edges)})",
        "linked AS MATERIALIZED (SELECT source AS child_id FROM strongest UNION SELECT target FROM strongest)",
        "place_totals AS MATERIALIZED (SELECT place, SUM(1 - attr) AS last_seen, SUM(attr) AS found "  # noqa: S608
        f"FROM namings GROUP BY place HAVING COUNT(*) >= {int(min_place_count)})",
        "places_shown AS MATERIALIZED (SELECT place FROM place_totals "  # noqa: S608 (constants)
        f"ORDER BY last_seen + found DESC, place{limit(shown.places)})",
        # The texts as written of the places shown (read by place from the places' indexes), each
        # spelling how often and when first named (its first naming's start, then of the namings
        # starting then, the least episode * 2 + attr): grouped, not sorted.
        f"written (pk, since_us, attr, place, text) AS MATERIALIZED ({written})",
        "spelled AS MATERIALIZED (SELECT place, text, COUNT(*) AS times, MIN(since_us) AS since_us FROM written "
        "GROUP BY place, text)",
        "spellings AS (SELECT s.place, s.text, s.times, s.since_us, MIN(w.pk * 2 + w.attr) AS naming "
        "FROM spelled s JOIN written w ON w.place = s.place AND w.text = s.text AND w.since_us = s.since_us "
        "GROUP BY s.place, s.text, s.times, s.since_us)",
    ]
    selects = [
        # Typed here, as PostgreSQL settles a union's types from its first parts.
        "SELECT 'links' AS tag, CAST(NULL AS bigint) AS place, CAST(NULL AS text) AS spelled, COUNT(*) AS n1, "
        "(SELECT COUNT(*) FROM (SELECT source FROM links UNION SELECT target FROM links) c) AS n2, "
        "CAST(NULL AS bigint) AS n3, CAST(NULL AS bigint) AS n4, CAST(NULL AS bigint) AS n5, "
        "CAST(NULL AS bigint) AS n6 FROM links",
        "SELECT 'link', NULL, NULL, source, target, NULL, NULL, NULL, NULL FROM strongest",
        "SELECT 'pair', p.place, NULL, p.source, p.target, p.a_since, p.a_pk, p.b_since, p.b_pk FROM pairs p "
        "JOIN strongest s ON s.source = p.source AND s.target = p.target",
        "SELECT 'episode', NULL, NULL, p.child_id, p.since_us, p.pk, NULL, NULL, NULL FROM period p "
        "WHERE p.child_id IN (SELECT child_id FROM linked)",
        "SELECT 'places', NULL, NULL, COUNT(*), NULL, NULL, NULL, NULL, NULL FROM place_totals",
        "SELECT 'place', t.place, NULL, t.last_seen, t.found, NULL, NULL, NULL, NULL FROM place_totals t "
        "WHERE t.place IN (SELECT place FROM places_shown)",
        "SELECT 'spelling', place, text, times, since_us, naming, NULL, NULL, NULL FROM spellings",
        "SELECT 'name', n, place, NULL, NULL, NULL, NULL, NULL, NULL FROM places",
    ]
    if shown.listed is None:
        selects.append("SELECT 'at', place, NULL, since_us, pk, child_id, NULL, NULL, NULL FROM named "
                       "WHERE place IN (SELECT place FROM places_shown)")
    else:
        # Each place's first episodes, and how many episodes and children in all.
        selects += [
            "SELECT 'at', place, NULL, since_us, pk, child_id, NULL, NULL, NULL FROM named "  # noqa: S608
            f"WHERE nth <= {int(shown.listed)} AND place IN (SELECT place FROM places_shown)",
            # Grouped twice (hashed), not counted distinct (sorted).
            "SELECT 'size', place, NULL, SUM(episodes), COUNT(*), NULL, NULL, NULL, NULL FROM (SELECT place, child_id, "
            "COUNT(*) AS episodes FROM named WHERE place IN (SELECT place FROM places_shown) "
            "GROUP BY place, child_id) c GROUP BY place",
        ]
    if shared:
        ctes += [
            "busy_child AS MATERIALIZED (SELECT place, child_id FROM named "  # noqa: S608 (numbers)
            f"WHERE near > {LINKED_AT_MOST} GROUP BY place, child_id)",
            "busy AS MATERIALIZED (SELECT place, COUNT(*) AS children FROM busy_child GROUP BY place)",
            "busy_shown AS MATERIALIZED (SELECT place FROM busy "  # noqa: S608 (constants)
            f"ORDER BY children DESC, place{limit(shown.shared)})",
            # The busiest places' children (their first, by id, when so asked).
            "busy_children AS MATERIALIZED (SELECT place, child_id FROM (SELECT place, child_id, "  # noqa: S608
            "ROW_NUMBER() OVER (PARTITION BY place ORDER BY child_id) AS nth FROM busy_child "
            "WHERE place IN (SELECT place FROM busy_shown)) x"
            f"{'' if shown.listed is None else f' WHERE nth <= {int(shown.listed)}'})",
            # Each child's first episode (the least id of those starting at the child's first start),
            # of the children of the entries shown (the profiles' are `wanted`), or of all.
            "chosen AS MATERIALIZED (SELECT * FROM period" + ("" if shown.listed is None else  # noqa: S608
            " WHERE child_id IN (SELECT child_id FROM busy_children UNION SELECT child_id FROM wanted)") + ")",
            "starts AS (SELECT child_id, MIN(since_us) AS since_us FROM chosen GROUP BY child_id)",
            "firsts AS (SELECT p.child_id, MIN(p.pk) AS pk FROM chosen p JOIN starts s ON s.child_id = p.child_id "
            "AND s.since_us = p.since_us GROUP BY p.child_id)",
        ]
        selects += [
            "SELECT 'busy', place, NULL, children, NULL, NULL, NULL, NULL, NULL FROM busy",
            "SELECT 'busy_child', place, NULL, child_id, NULL, NULL, NULL, NULL, NULL FROM busy_children",
            "SELECT 'first', NULL, NULL, child_id, pk, NULL, NULL, NULL, NULL FROM firsts",
        ]
    return "WITH RECURSIVE " + ", ".join(ctes) + " " + " UNION ALL ".join(selects)


def patterns(user: User, *, first: date, last: date, min_place_count: int = 2,
             together_hours: int = 24) -> Patterns:
    """Patterns among the episodes starting on Europe/London dates `first` to `last`: every
    link, place and child (the API's answer)."""
    found, _shared, _counts, _sizes = _patterns(user, first=first, last=last, min_place_count=min_place_count,
                                        together_hours=together_hours, shown=_Shown(), shared=False)
    return found


def patterns_and_shared(user: User, *, first: date, last: date, min_place_count: int = 2,
                        together_hours: int = 24) -> tuple[Patterns, list[SharedEntry]]:
    """`patterns`, and the places and entries too common to link children two by two (`SharedEntry`)."""
    found, shared, _counts, _sizes = _patterns(user, first=first, last=last, min_place_count=min_place_count,
                                       together_hours=together_hours, shown=_Shown(), shared=True)
    return found, shared


def patterns_shown(user: User, *, first: date, last: date, edges: int, places: int, shared: int,
                   listed: int) -> PatternsShown:
    """The patterns page's report: the strongest `edges` links and their children, the `places`
    places named most, the `shared` entries named by most children and each factor's first
    `listed` episodes (its `total` counts them all), with how many there are of each in all.
    The database finds and ranks every link; only those shown are built."""
    found, entries, counts, sizes = _patterns(user, first=first, last=last, min_place_count=2, together_hours=24,
                                              shown=_Shown(edges=edges, places=places, shared=shared, listed=listed),
                                              shared=True)
    return PatternsShown(found=found, shared=entries, places=counts["places"], nodes=counts["nodes"],
                         edges=counts["edges"], shared_count=counts["shared"], place_sizes=sizes)


@cycles_uncollected()
def _patterns(user: User, *, first: date, last: date, min_place_count: int, together_hours: int, shown: _Shown,
              shared: bool) -> tuple[Patterns, list[SharedEntry], dict[str, int], dict[str, tuple[int, int]]]:
    """`_patterns_read` in a report's transaction whose snapshot its statements share."""
    with shared_snapshot():
        return _patterns_read(user, first=first, last=last, min_place_count=min_place_count,
                              together_hours=together_hours, shown=shown, shared=shared)


def _patterns_read(user: User, *, first: date, last: date, min_place_count: int, together_hours: int,
                   shown: _Shown, shared: bool) -> tuple[Patterns, list[SharedEntry], dict[str, int],
                                                          dict[str, tuple[int, int]]]:
    """Patterns among the episodes starting on Europe/London dates `first` to `last`: places and
    links found by the database (`_network_sql`), grouping on the normalised place each episode
    keeps (`Episode.last_seen_place`, `found_place`), never by comparing every pair; Python
    builds only what is shown (`shown`)."""
    months = months_between(first, last)
    episodes = episodes_starting(user, first, last)
    vendor = connections[episodes.db].vendor
    # An open episode runs until now: microseconds since the epoch, as the database gives the rest.
    now = Value((timezone.now() - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1))
    since = EpochMicroseconds("missing_since")
    period, period_params = (
        episodes.order_by().annotate(since_us=since, until_us=Coalesce(EpochMicroseconds("found_at"), now))
        .values_list("pk", "child_id", "last_seen_place", "found_place", "since_us", "until_us")
        .query.get_compiler(using=episodes.db).as_sql())
    # The texts as written of the places shown, last seen (attr 0) and found (1): the period's
    # episodes at those places, which the database finds by place (`episode_last_seen_place`,
    # `episode_found_place`), not among all the period's.
    written_parts, written_params = [], []
    for attr, (place, text) in enumerate((("last_seen_place", "location_last_seen"),
                                          ("found_place", "found_location"))):
        part, params = (episodes.order_by().annotate(since_us=since, w_pk=F("pk"), w_place=F(place), w_text=F(text))
                        .values_list("w_pk", "since_us", "w_place", "w_text")
                        .query.get_compiler(using=episodes.db).as_sql())
        written_parts.append(f"SELECT w_pk, since_us, {attr}, p.n, w_text FROM ({part}) w{attr} "  # noqa: S608
                             "JOIN places p ON p.place = w_place WHERE p.n IN (SELECT place FROM places_shown)")
        written_params.extend(params)
    # Read at once, not through a server-side cursor: planned for its first rows, a cursor
    # checked each profile against the period's episodes one by one (77 s at national scale
    # without the episodes' child index) instead of hashing them. Put in child order here (a
    # child has one profile): asked for in that order, PostgreSQL merged the profiles with every
    # episode of the table in child order, not only the period's.
    profiles = _profile_links(sorted(PhilomenaProfile.objects.filter(child__in=episodes.order_by().values("child_id"))
                                     .order_by().values_list("child_id", "known_associates", "places_frequented")))
    links_sql, links_params = _table(vendor, (("source", "bigint"), ("target", "bigint"), ("associates", "bigint"),
                                              ("frequented", "bigint")), profiles.pairs())
    wanted_sql, wanted_params = _table(vendor, (("child_id", "bigint"),),
                                       [(c,) for c in profiles.first_children(shown.shared, shown.listed)])
    window = round(timedelta(hours=together_hours).total_seconds() * 1_000_000)
    sql = _network_sql(vendor, period, " UNION ALL ".join(written_parts), links_sql, wanted_sql, window=window,
                       min_place_count=min_place_count, shown=shown, shared=shared)

    def network() -> list[tuple[Any, ...]]:
        with report_statements(), connections[episodes.db].cursor() as cursor:
            if vendor == "postgresql":
                # Its common tables are materialised, in no order and of sizes the planner cannot
                # know: it merged them after sorting each; hashing them is cheaper (at 10k over
                # three years, 151 -> 123 ms of the server's time).
                cursor.execute("SET LOCAL enable_mergejoin = off")
            cursor.execute(sql, [*period_params, *links_params, *wanted_params, *written_params])
            return list(cursor.fetchall())

    # The network (the longest: 3.5 s of a national year's 5) on this connection while the
    # factors and the consultations are counted on another, both reading one snapshot
    # (`shared_snapshot`), where the database allows; else one after the other.
    beside = snapshot_shared()

    def trends() -> tuple[list[FactorTrend], list[ConsultationTrend]]:
        if beside:
            # One core each: the factors' statement's parallel workers took the network's core.
            with connections[episodes.db].cursor() as cursor:
                cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        return _factor_trends(episodes, months, shown.listed), _consultation_trends(episodes, months)

    rows, (factors, consultations) = run_together(network, trends)
    built = _Built(profiles, rows)
    for row in rows:
        built.add(row)
    del rows
    linked = sorted(built.episodes)
    names_of = _names(episodes, linked)
    nodes = [NetworkNode(child=child_id, initials=initials(*names_of.get(child_id, ("", ""))),
                         episodes=[pk for _since, pk in sorted(built.episodes[child_id])]) for child_id in linked]
    found = Patterns(first=first, last=last, months=months, factors=factors,
                     places=built.places(listed=shown.listed is not None), nodes=nodes, edges=built.edges(),
                     consultations=consultations)
    entries = built.shared(shown.shared, shown.listed) if shared else []
    counts = {"places": built.counts["places"], "nodes": built.counts["nodes"], "edges": built.counts["edges"],
              "shared": built.counts["busy"] + len(profiles.shared)}
    return found, entries, counts, built.sizes


class _Built:
    """What `_network_sql` answers, made into the report's places, links and shared entries."""

    def __init__(self, profiles: _ProfileLinks, rows: list[tuple[Any, ...]]) -> None:
        self.profiles = profiles
        # Each place's number as the statement gave it (0 and None: none).
        self.names = {int(row[1]): str(row[2]) for row in rows if row[0] == "name"}
        self.counts: Counter[str] = Counter()
        self.strongest: list[tuple[int, int]] = []
        self.pairs: dict[tuple[int, int], list[tuple[int, int, int, int, str]]] = defaultdict(list)
        self.episodes: dict[int, list[tuple[int, int]]] = defaultdict(list)
        self.place_rows: dict[str, tuple[int, int]] = {}
        # Each place's spellings (as written, less outer spaces): times named, first naming.
        self.spellings: dict[str, dict[str, tuple[int, tuple[int, int]]]] = defaultdict(dict)
        self.at: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
        self.busy: dict[str, int] = {}
        self.busy_children: dict[str, list[int]] = defaultdict(list)
        self.sizes: dict[str, tuple[int, int]] = {}
        self.first: dict[int, int] = {}

    def add(self, row: tuple[Any, ...]) -> None:
        tag, number, spelling, n1, n2, n3, n4, n5, n6 = row
        place = self.names.get(int(number), "") if number is not None else ""
        if tag == "pair":
            self.pairs[(int(n1), int(n2))].append((int(n3), int(n4), int(n5), int(n6), place))
        elif tag == "episode":
            self.episodes[int(n1)].append((int(n2), int(n3)))
        elif tag == "at":
            self.at[place].append((int(n1), int(n2), int(n3)))
        elif tag == "spelling":
            # Texts the same but for outer spaces are one spelling: counted together, first named
            # when the first of them was.
            text = str(spelling).strip()
            times, first = self.spellings[place].get(text, (0, (int(n2), int(n3))))
            self.spellings[place][text] = (times + int(n1), min(first, (int(n2), int(n3))))
        elif tag == "link":
            self.strongest.append((int(n1), int(n2)))
        elif tag == "place":
            self.place_rows[place] = (int(n1), int(n2))
        elif tag == "links":
            self.counts["edges"], self.counts["nodes"] = int(n1), int(n2)
        elif tag == "places":
            self.counts["places"] = int(n1)
        elif tag == "busy":
            self.busy[place] = int(n1)
            self.counts["busy"] += 1
        elif tag == "size":
            self.sizes[place] = (int(n1), int(n2))
        elif tag == "busy_child":
            self.busy_children[place].append(int(n1))
        elif tag == "first":
            self.first[int(n1)] = int(n2)

    def edges(self) -> list[NetworkEdge]:
        """The strongest links, each as comparing the episodes in order built it: its episodes
        as first met, pair by pair, and each pair's shared places, sorted, as first met."""
        out = []
        for source, target in self.strongest:
            link = NetworkEdge(source=source, target=target)
            seen: set[int] = set()
            # In the order the episodes start (then by id), as each was compared with the later ones.
            for _a_since, a_pk, _b_since, b_pk, place in sorted(self.pairs.get((source, target), ())):
                for pk in (a_pk, b_pk):
                    if pk not in seen:
                        seen.add(pk)
                        link.episodes.append(pk)
                if place not in link.places:
                    link.places.append(place)
            link.associates.extend(sorted(self.profiles.associates.get((source, target), ())))
            link.places_frequented.extend(sorted(self.profiles.frequented.get((source, target), ())))
            out.append(link)
        return sorted(out, key=lambda e: (-e.weight, e.source, e.target))

    def places(self, *, listed: bool) -> list[Place]:
        """The places named most, each labelled with the spelling named most (as written, less
        outer spaces; the first named of equals), its episodes in order and its children (its
        first episodes and no children when `listed`: `sizes` counts them)."""
        out = []
        for key, (last_seen, found) in self.place_rows.items():
            at = sorted(self.at.get(key, ()))
            label = min((-times, first, text) for text, (times, first) in self.spellings[key].items())[2]
            out.append(Place(key=key, label=label, last_seen=last_seen, found=found,
                             episodes=[pk for _since, pk, _child in at],
                             children=set() if listed else {child for *_, child in at}))
        return sorted(out, key=lambda p: (-p.total, p.key))

    def shared(self, at_most: int | None, listed: int | None) -> list[SharedEntry]:
        """The places too busy to link and the profile entries too common to, named by most
        children first, each with its children (the first `listed`) and their first episodes."""
        counted = [(-count, "place", key) for key, count in self.busy.items()]
        counted += [(-len(children), kind, key) for kind, key, children in self.profiles.shown(at_most)]
        profile_children = {(kind, key): children for kind, key, children in self.profiles.shown(at_most)}
        counted.sort()
        out = []
        for count, kind, key in counted[:at_most]:
            children = sorted(self.busy_children[key]) if kind == "place" else profile_children[(kind, key)]
            children = children[:listed]
            out.append(SharedEntry(kind=kind, key=key, children=children, episodes=[self.first[c] for c in children],
                                   named_by=-count))
        return out


def _names(episodes: QuerySet[Episode], children: list[int]) -> dict[int, tuple[str, str]]:
    """Given and family names of these children, all children of the period's episodes: the
    few a page shows by their ids; many (all the links the API answers) through a subquery of
    those episodes, not a list of tens of thousands of ids (Django prepared each id of such a
    list on its own, 2 s for a national year's 62,000)."""
    if len(children) <= _NAMED_BY_ID:
        found = Child.objects.filter(pk__in=children)
    else:
        found = Child.objects.filter(pk__in=episodes.order_by().values("child_id"))
    wanted = set(children)
    return {pk: (given, family) for pk, given, family in found.values_list("pk", "given_name", "family_name")
            .iterator(chunk_size=10_000) if pk in wanted}
