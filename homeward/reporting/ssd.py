"""The Standard Safeguarding Dataset's `ssd_missing` table (data-to-insight's SSD data
model, items MISS001A to MISS007A), as CSV: one row per episode that is not cancelled.

- `miss_table_id`: the episode id; `miss_person_id`: the child's `external_id` (the case
  system's person id, as in `ssd_person`).
- Start and end: `missing_since` and `found_at` as Europe/London local date-times
  `YYYY-MM-DD HH:MM:SS` (the SSD's DATETIME columns carry no offset); end blank while open.
- `miss_missing_episode_type`: `M` (whereabouts unknown) or `A` (away, whereabouts known).
- `miss_missing_rhi_offered` / `miss_missing_rhi_accepted`: `Y`, `N`, `NA` (not
  applicable: not the home authority's interview, or never offered so never accepted),
  blank where not yet known (still missing, or offered with no answer yet).

A child without a case-system id has no `miss_person_id`: `ssd_missing` lists such children
as problems and the table is not exported until they are fixed (`child_ids`).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from homeward.accounts.models import User
from homeward.children.models import Child
from homeward.common.text import csv_cell
from homeward.episodes.models import Episode, EpisodeStatus
from homeward.episodes.selectors import episode_list_for_user

from .child_ids import ChildWithoutId, children_without_id
from .rhi_answers import NO, NOT_APPLICABLE, RHI_COLUMNS, YES, rhi_answer

COLUMNS = (
    "miss_table_id", "miss_person_id", "miss_missing_episode_start_date", "miss_missing_episode_type",
    "miss_missing_episode_end_date", "miss_missing_rhi_offered", "miss_missing_rhi_accepted",
)
_CODES = {YES: "Y", NO: "N", NOT_APPLICABLE: "NA"}


def _local(instant: datetime | None) -> str:
    return timezone.localtime(instant).strftime("%Y-%m-%d %H:%M:%S") if instant else ""


@dataclass(frozen=True)
class SsdMissingTable:
    rows: list[list[str]]
    problems: list[ChildWithoutId]
    # (episode, child) of each row, in order: whom the export names, for the audit log.
    records: list[tuple[int, int]] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.problems


def _episodes(user: User) -> QuerySet[Episode]:
    return episode_list_for_user(user).exclude(status=EpisodeStatus.CANCELLED)


def ssd_missing(user: User) -> SsdMissingTable:
    """The rows, and the children whose missing case-system id bars the export: one query of
    the columns the table needs (the interview's through its one-to-one join), read in chunks."""
    rows = []
    records = []
    refs: dict[int, str] = {}
    for pk, child_id, child_ref, missing_since, whereabouts_known, *rhi in (
        _episodes(user).order_by("missing_since", "id")
        .values_list("pk", "child_id", "child__external_id", "missing_since", "whereabouts_known", *RHI_COLUMNS)
        .iterator(chunk_size=5000)
    ):
        answer = rhi_answer(*rhi)
        found_at = rhi[0]
        rows.append([
            str(pk), child_ref, _local(missing_since), "A" if whereabouts_known else "M", _local(found_at),
            _CODES.get(answer.offered, ""), _CODES.get(answer.accepted, ""),
        ])
        records.append((pk, child_id))
        refs[child_id] = child_ref
    return SsdMissingTable(rows=rows, problems=children_without_id(refs), records=records)


def ssd_missing_problems(user: User) -> list[ChildWithoutId]:
    """`ssd_missing(user).problems` without building the rows: the children of the episodes
    whose case-system id bars the export, from one query of their ids."""
    children = Child.objects.filter(pk__in=_episodes(user).values("child_id"))
    return children_without_id(dict(children.order_by().values_list("pk", "external_id")))


def ssd_missing_csv(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    # Defensive (OWASP CSV injection): no cell starts a formula, even one barred as a problem.
    writer.writerows([csv_cell(value) for value in row] for row in rows)
    return buffer.getvalue()
