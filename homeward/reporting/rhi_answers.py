"""Whether a return interview was offered and accepted after an episode, for the
statutory outputs (SSD `ssd_missing`, Annex A List 8).

Offered: a recorded offer. Not applicable: the home authority does not conduct the
interview (another authority's, DOMAIN.md section 4), or the child is still missing.
Accepted: the child's answer `accepted`; `declined` and `no_contact` are no.
"""

from __future__ import annotations

from dataclasses import dataclass

from homeward.episodes.models import Episode
from homeward.interviews.models import Outcome, ReturnInterview

from .history import home_authority

YES, NO, NOT_APPLICABLE, UNKNOWN = "yes", "no", "not_applicable", "unknown"


@dataclass(frozen=True)
class RhiAnswer:
    offered: str
    accepted: str


def rhi_answer(episode: Episode, interview: ReturnInterview | None) -> RhiAnswer:
    if episode.found_at is None:
        return RhiAnswer(UNKNOWN, UNKNOWN)
    ours = (episode.rhi_authority is None or episode.rhi_authority.code == home_authority()
            or episode.rhi_exceptional)
    if interview is not None and interview.offered_at is not None:
        if interview.outcome == Outcome.ACCEPTED:
            return RhiAnswer(YES, YES)
        if interview.outcome in (Outcome.DECLINED, Outcome.NO_CONTACT):
            return RhiAnswer(YES, NO)
        return RhiAnswer(YES, UNKNOWN)
    if interview is not None and interview.outcome == Outcome.ACCEPTED:
        # An interview held without a separately recorded offer was offered all the same.
        return RhiAnswer(YES, YES)
    if not ours:
        return RhiAnswer(NOT_APPLICABLE, NOT_APPLICABLE)
    return RhiAnswer(NO, NOT_APPLICABLE)


def interviews_by_episode(episode_ids: list[int]) -> dict[int, ReturnInterview]:
    return {r.episode_id: r for r in ReturnInterview.objects.filter(episode_id__in=episode_ids)}
