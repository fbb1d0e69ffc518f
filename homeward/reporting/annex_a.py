"""Ofsted ILACS Annex A, List 8 (children in care): the missing-episode columns, per child.

Children: the home authority's children looked after at some time in the twelve months
ending `as_of` (a date, inclusive). Episodes counted: those starting (Europe/London date
of `missing_since`) in those twelve months while the child was looked after, not
cancelled; `M` when the whereabouts were unknown, `A` (away from placement without
authorisation) when known. The return interview columns read the last `M` episode
counted (DOMAIN.md section 8: "after the last missing episode"): `a) Yes`, `b) No`,
`c) Unknown` (still missing, or offered with no answer yet); blank for a child with no
`M` episode in the period. Never offered is `b) No` for both columns.

A child without a case-system id has no "Child Unique ID": `annex_a_problems` lists such
children and the workbook is not exported until they are fixed (`child_ids`).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import F, OuterRef, Q, Subquery
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from homeward.accounts.models import User
from homeward.children.models import Child, LegalStatusPeriod
from homeward.children.selectors import child_list_for_user
from homeward.common.timeutil import local_date
from homeward.episodes.models import Episode, EpisodeStatus

from .child_ids import ChildWithoutId, children_without_id
from .history import LOOKED_AFTER, ChildHistory, ChildRow, histories_for_rows, home_authority, period_bounds
from .rhi_answers import NO, RHI_COLUMNS, YES, RhiAnswer, rhi_answer

HEADERS = (
    "Child Unique ID",
    "Gender",
    "Date of birth",
    "Number of episodes child was missing from placement in the last 12 months",
    "Number of episodes child was away from placement without authorisation in the last 12 months",
    "Was the child offered a return interview after the last missing episode?",
    "Did the child accept a return interview after the last missing episode?",
)
GENDERS = {"male": "a) Male", "female": "b) Female", "unknown": "c) Not stated/recorded", "other": "d) Neither"}
ANSWERS = {YES: "a) Yes", NO: "b) No"}
UNKNOWN_ANSWER = "c) Unknown"


@dataclass(frozen=True)
class AnnexARow:
    child: int
    child_ref: str
    gender: str
    date_of_birth: date
    missing: int
    away: int
    rhi_offered: str
    rhi_accepted: str
    last_missing_episode: int | None


def twelve_months_before(as_of: date) -> date:
    """The first day of the twelve months ending on `as_of`."""
    try:
        return as_of.replace(year=as_of.year - 1) + timedelta(days=1)
    except ValueError:  # 29 February
        return date(as_of.year - 1, 3, 1)


def _in_care_during(history: ChildHistory, first: date, last: date) -> bool:
    if history.looked_after_on(first):
        return True
    return any(p.status == LOOKED_AFTER and first <= p.started_on <= last
               for p in history.facts.legal_status_history)


def _looked_after_during(first: date, last: date) -> Q:
    """`_in_care_during` as a filter on Child: looked after on `first` (the status that began
    latest on or before it, a status without a date having begun first, the later recorded
    first among equals, as `ChildFacts.legal_status_on` reads them), or a period of care
    beginning in the months."""
    status_on_first = Subquery(
        LegalStatusPeriod.objects.filter(child=OuterRef("pk"))
        .filter(Q(started_on__isnull=True) | Q(started_on__lte=first))
        .order_by(F("started_on").desc(nulls_last=True), "-id").values("status")[:1]
    )
    began = LegalStatusPeriod.objects.filter(status=LOOKED_AFTER, started_on__gte=first, started_on__lte=last)
    return Q(pk__in=began.values("child_id")) | Q(pk__in=Child.objects.alias(status_on_first=status_on_first)
                                                   .filter(status_on_first=LOOKED_AFTER).values("pk"))


def annex_a_rows(user: User, *, as_of: date) -> list[AnnexARow]:
    """The rows for the twelve months ending `as_of`: the children looked after in them and
    those months' episodes alone, each read in one query of the columns needed."""
    first = twelve_months_before(as_of)
    start, end = period_bounds(first, as_of)
    children_query = (child_list_for_user(user).filter(responsible_authority__code=home_authority())
                      .filter(_looked_after_during(first, as_of)))
    children = [ChildRow(pk, ref, born, sex, home_authority()) for pk, ref, born, sex in
                children_query.order_by("external_id", "pk").values_list("pk", "external_id", "date_of_birth",
                                                                             "sex")]
    ids = children_query.values("pk")
    histories = histories_for_rows(children)
    counted: dict[int, list[tuple[int, bool, RhiAnswer]]] = {c.pk: [] for c in children}
    for pk, child_id, missing_since, whereabouts_known, *rhi in (
        Episode.objects.filter(child_id__in=ids, missing_since__gte=start, missing_since__lt=end)
        .exclude(status=EpisodeStatus.CANCELLED).order_by("missing_since", "id")
        .values_list("pk", "child_id", "missing_since", "whereabouts_known", *RHI_COLUMNS)
    ):
        if histories[child_id].looked_after_on(local_date(missing_since)):
            counted[child_id].append((pk, whereabouts_known, rhi_answer(*rhi)))
    rows = []
    for child in children:
        if not _in_care_during(histories[child.pk], first, as_of):
            continue
        episodes = counted[child.pk]
        last = next((e for e in reversed(episodes) if not e[1]), None)
        offered = accepted = ""
        if last is not None:
            answer = last[2]
            offered = ANSWERS.get(answer.offered, UNKNOWN_ANSWER)
            accepted = ANSWERS.get(answer.accepted, UNKNOWN_ANSWER)
            if answer.offered == NO:
                accepted = ANSWERS[NO]
        rows.append(AnnexARow(
            child=child.pk, child_ref=child.external_id, gender=GENDERS.get(child.sex, GENDERS["unknown"]),
            date_of_birth=child.date_of_birth,
            missing=sum(1 for _, known, _ in episodes if not known),
            away=sum(1 for _, known, _ in episodes if known),
            rhi_offered=offered, rhi_accepted=accepted, last_missing_episode=last[0] if last else None,
        ))
    return rows


def annex_a_problems(rows: list[AnnexARow]) -> list[ChildWithoutId]:
    """The children of the rows whose missing case-system id bars the export."""
    return children_without_id({row.child: row.child_ref for row in rows})


def annex_a_workbook(rows: list[AnnexARow], *, as_of: date) -> bytes:
    """The rows as an .xlsx workbook with one sheet, `List 8 missing`."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "List 8 missing"
    sheet.append(list(HEADERS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    # The row number counted here: the sheet's own `max_row` walks every cell written so far,
    # which made the workbook of a national service's children take minutes (issue 11).
    for number, row in enumerate(rows, start=2):
        sheet.append([row.child_ref, row.gender, row.date_of_birth, row.missing, row.away,
                      row.rhi_offered, row.rhi_accepted])
        # Every text cell is a string, never a formula, whatever it begins with (openpyxl
        # takes a string starting with "=" for a formula): issue 14, item 6.
        for column in (1, 2, 6, 7):
            sheet.cell(row=number, column=column).data_type = "s"
        sheet.cell(row=number, column=3).number_format = "DD/MM/YYYY"
    for index, header in enumerate(HEADERS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(max(len(header) // 2, 14), 50)
    sheet.freeze_panes = "A2"
    workbook.properties.title = f"Annex A List 8 missing columns to {as_of:%d/%m/%Y}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
