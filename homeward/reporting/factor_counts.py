"""The coded factors of the patterns report counted in the database (issue 11: a report scales
with its answer, not with the rows behind it).

Return interviews code push and pull factors (JSON lists); children's services' risk analyses
code immediate risks (seed 004) in their detail. Each code's episodes are found by unnesting
those lists in SQL over the period's episodes, and only the answer comes back: for each code
the distinct episodes by month, counted, and the list of its episodes. Nothing is decoded row
by row in Python. A value that is not a list (the services store only lists) names nothing.
"""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db import connections
from django.db.models import QuerySet

from homeward.episodes.models import Episode, EpisodeAction
from homeward.interviews.models import ReturnInterview

from .statements import local_month, month_text, report_statements


@dataclass(frozen=True)
class FactorHits:
    """One code of one kind ("push", "pull" or "risk"): its episodes, in id order (the first
    few only when asked for so), and how many of them began in each month (YYYY-MM)."""

    kind: str
    code: str
    episodes: list[int]
    by_month: Counter[str]


def _items(vendor: str, column: str, key: str | None = None) -> tuple[str, str]:
    """(the join that unnests the JSON list in `column`, or in its `key`, one row an item;
    the item's text). Anything but a list gives no rows."""
    if vendor == "postgresql":
        value = f"({column} -> '{key}')" if key else column
        return (f"CROSS JOIN LATERAL jsonb_array_elements_text(CASE WHEN jsonb_typeof({value}) = 'array' "
                f"THEN {value} ELSE '[]'::jsonb END) AS item(code)", "item.code")
    path = f", '$.{key}'" if key else ""
    value = f"json_extract({column}{path})" if key else column
    return (f"JOIN json_each(CASE WHEN json_type({column}{path}) = 'array' THEN {value} ELSE '[]' END) AS item",
            "item.value")


def _hits_sql(vendor: str) -> str:
    """The CTE `hits` (kind, code, episode_id, month) over the CTE `period` (pk, month)."""
    interviews = ReturnInterview._meta.db_table
    actions = EpisodeAction._meta.db_table
    # Each interview read once for both of its lists: a row per kind, and that kind's list unnested.
    join, code = _items(vendor, "(CASE WHEN k.kind = 'push' THEN r.push_factors ELSE r.pull_factors END)", None)
    parts = [f"SELECT k.kind AS kind, {code} AS code, p.pk AS episode_id, p.month AS month "  # noqa: S608
             f"FROM {interviews} r JOIN period p ON p.pk = r.episode_id "
             f"CROSS JOIN (SELECT 'push' AS kind UNION ALL SELECT 'pull') k {join}"]
    join, code = _items(vendor, "a.detail", "immediate_risks")
    parts.append(f"SELECT 'risk', {code}, p.pk, p.month FROM {actions} a "  # noqa: S608 (constants)
                 f"JOIN period p ON p.pk = a.episode_id {join} WHERE a.action = 'risk_analysis'")
    # Distinct here (an analysis may name a risk twice, or two analyses one risk), so that the
    # grouping after it counts and lists without sorting for DISTINCT. Materialised: inlined,
    # PostgreSQL took it for twelve times its rows and sorted them twice instead of hashing.
    return ("hits AS MATERIALIZED (SELECT DISTINCT kind, code, episode_id, month FROM ("  # noqa: S608
            + " UNION ALL ".join(parts) + ") named)")


def factor_hits(episodes: QuerySet[Episode], *, listed: int | None = None) -> list[FactorHits]:
    """Every code named for the episodes `episodes`: one statement, grouped once, by code and
    month (its distinct episodes, counted and listed), the months' lists of a code put together
    here (all of them, or its first `listed`: a national year's codes name hundreds of
    thousands of episodes, which a page does not list)."""
    vendor = connections[episodes.db].vendor
    period = episodes.order_by().annotate(month=local_month("missing_since")).values("pk", "month")
    inner, params = period.query.get_compiler(using=episodes.db).as_sql()
    joined = "string_agg(CAST(episode_id AS text), ',')" if vendor == "postgresql" else "group_concat(episode_id)"
    # The period not materialised: PostgreSQL then knows its episodes (the table's statistics),
    # hashes them rather than every interview and risk analysis of the tables (it could not
    # tell how many distinct episodes a materialised period holds), and may share the scans
    # among workers. At 1M, the year to date: the statement's own process 1.5-1.8 s -> 0.9 s
    # of CPU, two workers doing the rest beside it.
    # One grouping of the hits (a national year's are half a million), not one for the months'
    # counts and another for each code's list.
    sql = (f"WITH period AS NOT MATERIALIZED ({inner}), {_hits_sql(vendor)} "  # noqa: S608 (constants, Django's SQL)
           f"SELECT kind, code, month, COUNT(*), {joined} FROM hits GROUP BY kind, code, month")
    found: dict[tuple[str, str], FactorHits] = {}
    with report_statements(), connections[episodes.db].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    months: dict[tuple[str, str], list[str]] = defaultdict(list)
    for kind, code, month, count, ids in rows:
        hits = found.setdefault((kind, str(code)), FactorHits(kind=kind, code=str(code), episodes=[],
                                                              by_month=Counter()))
        hits.by_month[month_text(month)] += count
        months[(kind, str(code))].append(str(ids))
    for key, hits in found.items():
        # An episode begins in one month: its code's months list it once between them. Cut here:
        # at a million episodes, numbering each code's episodes in the database to list its first
        # few took longer (3.9 s) than listing them all and cutting (3.3 s).
        ids = (int(pk) for listed_ids in months[key] for pk in listed_ids.split(","))
        hits.episodes.extend(sorted(ids) if listed is None else heapq.nsmallest(listed, ids))
    return list(found.values())
