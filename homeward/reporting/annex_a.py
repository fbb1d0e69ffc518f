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

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from homeward.accounts.models import User
from homeward.children.selectors import child_list_for_user
from homeward.common.timeutil import local_date
from homeward.episodes.models import Episode, EpisodeStatus

from .child_ids import ChildWithoutId, children_without_id
from .history import ChildHistory, histories_for, home_authority
from .rhi_answers import NO, YES, interviews_by_episode, rhi_answer

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
    return any(p.status == "looked_after" and first <= p.started_on <= last for p in history.facts.legal_status_history)


def annex_a_rows(user: User, *, as_of: date) -> list[AnnexARow]:
    first = twelve_months_before(as_of)
    children = list(
        child_list_for_user(user).filter(responsible_authority__code=home_authority(),
                                         legal_statuses__status="looked_after").distinct().order_by("external_id")
    )
    histories = histories_for(children)
    episodes: dict[int, list[Episode]] = {c.pk: [] for c in children}
    for episode in (Episode.objects.filter(child_id__in=list(episodes)).exclude(status=EpisodeStatus.CANCELLED)
                    .select_related("rhi_authority").order_by("missing_since", "id")):
        start = local_date(episode.missing_since)
        if first <= start <= as_of and histories[episode.child_id].looked_after_on(start):
            episodes[episode.child_id].append(episode)
    last_missing = {pk: next((e for e in reversed(eps) if not e.whereabouts_known), None)
                    for pk, eps in episodes.items()}
    interviews = interviews_by_episode([e.pk for e in last_missing.values() if e is not None])
    rows = []
    for child in children:
        if not _in_care_during(histories[child.pk], first, as_of):
            continue
        counted = episodes[child.pk]
        last = last_missing[child.pk]
        offered = accepted = ""
        if last is not None:
            answer = rhi_answer(last, interviews.get(last.pk))
            offered = ANSWERS.get(answer.offered, UNKNOWN_ANSWER)
            accepted = ANSWERS.get(answer.accepted, UNKNOWN_ANSWER)
            if answer.offered == NO:
                accepted = ANSWERS[NO]
        rows.append(AnnexARow(
            child=child.pk, child_ref=child.external_id, gender=GENDERS.get(child.sex, GENDERS["unknown"]),
            date_of_birth=child.date_of_birth,
            missing=sum(1 for e in counted if not e.whereabouts_known),
            away=sum(1 for e in counted if e.whereabouts_known),
            rhi_offered=offered, rhi_accepted=accepted, last_missing_episode=last.pk if last else None,
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
    for row in rows:
        sheet.append([row.child_ref, row.gender, row.date_of_birth, row.missing, row.away,
                      row.rhi_offered, row.rhi_accepted])
        # Every text cell is a string, never a formula, whatever it begins with (openpyxl
        # takes a string starting with "=" for a formula): issue 14, item 6.
        for column in (1, 2, 6, 7):
            sheet.cell(row=sheet.max_row, column=column).data_type = "s"
        sheet.cell(row=sheet.max_row, column=3).number_format = "DD/MM/YYYY"
    for index, header in enumerate(HEADERS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(max(len(header) // 2, 14), 50)
    sheet.freeze_panes = "A2"
    workbook.properties.title = f"Annex A List 8 missing columns to {as_of:%d/%m/%Y}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
