"""Reading episodes, always through the access choke point."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from homeward.accounts.models import User
from homeward.accounts.permissions import sees_whole_authority, visible_children
from homeward.audit.services import audit_record
from homeward.common.errors import NotFound
from homeward.common.prefetch import rows_held
from homeward.reference.selectors import coded_label_rows, coded_labels_by_list

from .models import Episode, EpisodeAction
from .risk_analysis import RISK_ANALYSIS_HEADINGS, RISK_ANALYSIS_LISTS, risk_analysis_codes


def episode_list_for_user(user: User) -> QuerySet[Episode]:
    episodes = Episode.objects.select_related("child", "police_force", "rhi_authority")
    if sees_whole_authority(user):
        return episodes  # no scoping subquery for those who see every child (issue 11)
    return episodes.filter(child__in=visible_children(user))


def episode_get_for_user(user: User, episode_id: int, *, audit: bool = True) -> Episode:
    episode = episode_list_for_user(user).filter(pk=episode_id).first()
    if episode is None:
        raise NotFound
    if audit:
        audit_record(actor=user, action="view", object_type="episode", object_id=str(episode.pk),
                     child_id=episode.child_id)
    return episode


def episode_rows_known(episode: Episode, *, classifications: list[Any], risk_gradings: list[Any],
                       whereabouts_changes: list[Any]) -> None:
    """Hold on a just-reported episode the rows its report wrote, as a list read with its
    prefetches (EPISODE_PREFETCH, RHI_PREFETCH) would: its representation then reads nothing
    back. It has no return interview yet."""
    rows_held(episode, {"classifications": classifications, "risk_gradings": risk_gradings,
                        "whereabouts_changes": whereabouts_changes})
    Episode.rhi.related.set_cached_value(episode, None)


def risk_analysis_label_rows() -> QuerySet[Any, tuple[str, str, str]]:
    """The labels of the risk analysis' coded lists, as `episode_risk_analysis_latest` reads them."""
    return coded_label_rows(RISK_ANALYSIS_LISTS.values())


@dataclass(frozen=True)
class RiskAnalysisView:
    """The latest risk analysis of an episode as a page shows it: its coded lists by label."""

    at: datetime
    recorded_by: User | None
    note: str
    lists: list[tuple[str, list[str]]]  # (heading, labels), every list, empty where none named
    earlier: int  # how many analyses came before it


def episode_risk_analysis_latest(episode: Episode, *, analyses: list[EpisodeAction] | None = None,
                                 label_rows: list[tuple[str, str, str]] | None = None) -> RiskAnalysisView | None:
    """The episode's most recent children's services risk analysis (ADR 0010), or None.
    `analyses`: the episode's risk analyses, latest first, when the caller has read them;
    `label_rows`: `risk_analysis_label_rows()`, when the caller has read them.

    Social care's record: callers show it only to those who may read case notes.
    """
    if analyses is None:
        analyses = list(EpisodeAction.objects.filter(episode=episode, action="risk_analysis")
                        .select_related("recorded_by").order_by("-at", "-id"))
    # The three lists' labels in one query, read whether or not there is an analysis: the page
    # costs the same number of queries for every episode.
    labels = coded_labels_by_list(RISK_ANALYSIS_LISTS.values(), label_rows)
    if not analyses:
        return None
    latest = analyses[0]
    codes = risk_analysis_codes(latest.detail)
    lists = []
    for name, list_name in RISK_ANALYSIS_LISTS.items():
        lists.append((RISK_ANALYSIS_HEADINGS[name], [labels[list_name].get(code, code) for code in codes[name]]))
    return RiskAnalysisView(at=latest.at, recorded_by=latest.recorded_by, note=latest.note, lists=lists,
                            earlier=len(analyses) - 1)
