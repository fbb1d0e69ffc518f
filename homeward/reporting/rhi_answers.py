"""Whether a return interview was offered and accepted after an episode, for the
statutory outputs (SSD `ssd_missing`, Annex A List 8).

Offered: a recorded offer. Not applicable: the home authority does not conduct the
interview (another authority's, DOMAIN.md section 4), or the child is still missing.
Accepted: the child's answer `accepted`; `declined` and `no_contact` are no.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from homeward.interviews.models import Outcome

from .history import home_authority

YES, NO, NOT_APPLICABLE, UNKNOWN = "yes", "no", "not_applicable", "unknown"

# The columns of an episode (and of its interview, through the one-to-one `rhi`) that the
# answer reads, as `values_list` names them, in the order `rhi_answer` takes them.
RHI_COLUMNS = ("found_at", "rhi_authority__code", "rhi_exceptional", "rhi__offered_at", "rhi__outcome")


@dataclass(frozen=True)
class RhiAnswer:
    offered: str
    accepted: str


def rhi_answer(found_at: datetime | None, rhi_authority: str | None, exceptional: bool,
               offered_at: datetime | None, outcome: str | None) -> RhiAnswer:
    """The answer from an episode's return, who conducts its interview (the authority's code,
    None when unrecorded) and its interview's offer and outcome (None without an interview)."""
    if found_at is None:
        return RhiAnswer(UNKNOWN, UNKNOWN)
    ours = rhi_authority is None or rhi_authority == home_authority() or exceptional
    if offered_at is not None:
        if outcome == Outcome.ACCEPTED:
            return RhiAnswer(YES, YES)
        if outcome in (Outcome.DECLINED, Outcome.NO_CONTACT):
            return RhiAnswer(YES, NO)
        return RhiAnswer(YES, UNKNOWN)
    if outcome == Outcome.ACCEPTED:
        # An interview held without a separately recorded offer was offered all the same.
        return RhiAnswer(YES, YES)
    if not ours:
        return RhiAnswer(NOT_APPLICABLE, NOT_APPLICABLE)
    return RhiAnswer(NO, NOT_APPLICABLE)
