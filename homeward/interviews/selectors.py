"""Reading return interviews."""

from __future__ import annotations

from collections.abc import Iterable
from copy import copy
from typing import TYPE_CHECKING, Any

from homeward.accounts.roles import Role
from homeward.children.models import ChronologyEntry
from homeward.protocol.interviewer import PROFESSIONAL_ROLES

from .models import ReturnInterview

# The roles of people who may be offered for an interview: professionals not in the child's
# direct care, and the child's IRO at the child's request (DOMAIN.md section 5a). Whether this
# person may hold this child's interview is `homeward.casework.interviewers`' to say.
PRACTITIONER_ROLES = frozenset({*PROFESSIONAL_ROLES, Role.IRO})

if TYPE_CHECKING:
    from homeward.episodes.models import Episode


def rhi_practitioner_id(episode: Episode) -> int | None:
    """The id of the person the episode's interview is allocated to, if any."""
    return ReturnInterview.objects.filter(episode=episode).values_list("practitioner_id", flat=True).first()


def rhi_stage(rhi: ReturnInterview | None) -> str:
    """Where the interview has got to, as one word for boards and the API."""
    if rhi is None or (rhi.allocated_at is None and rhi.offered_at is None):
        return "to_allocate"
    if rhi.shared_at:
        return "shared"
    if rhi.authorised_at:
        return "authorised"
    if rhi.conducted_at or rhi.outcome:
        return "interviewed"
    if rhi.offered_at:
        return "offered"
    return "allocated"


def _prefetched_rhi(episode: Episode) -> ReturnInterview | None:
    try:
        return episode.rhi
    except ReturnInterview.DoesNotExist:
        return None


# For lists of episodes whose interview state is shown: one query for all their interviews,
# their practitioners and versions.
RHI_PREFETCH = ("rhi__practitioner", "rhi__versions")


def rhi_state(episode: Episode, *, prefetched: bool = False) -> dict[str, Any]:
    """The interview's state; from the list's prefetched rows (`RHI_PREFETCH`) when `prefetched`,
    else read afresh (the episode may be one a service has just changed)."""
    if prefetched:
        rhi = _prefetched_rhi(episode)
    else:
        rhi = ReturnInterview.objects.filter(episode=episode).select_related("practitioner").first()
    return {
        "stage": rhi_stage(rhi),
        "practitioner": rhi.practitioner.username if rhi and rhi.practitioner else None,
        "allocated_at": rhi.allocated_at if rhi else None,
        "offered_at": rhi.offered_at if rhi else None,
        "outcome": (rhi.outcome or None) if rhi else None,
        "conducted_at": rhi.conducted_at if rhi else None,
        "authorised_at": rhi.authorised_at if rhi else None,
        "shared_at": rhi.shared_at if rhi else None,
        # The authorised version everyone reads, and whether an amendment awaits authorisation.
        "version": max((v.number for v in rhi.versions.all() if v.authorised_at), default=1) if rhi else None,
        "amendment_pending": bool(rhi and any(v.number > 1 and v.authorised_at is None for v in rhi.versions.all())),
    }


SHARED_WITH_POLICE = "police"
# Chronology lines of the interview that carry more than the protocol's fact.
RHI_DETAIL_KINDS = frozenset({"rhi_offered", "rhi_shared"})
# The chronology's words for a safeguarding concern shared before authorisation (written by
# `rhi_share`); those who may not read the interview see that something was shared, not that
# the interview raised a concern.
CONCERN_SHARED_LABEL = "Safeguarding concern from the return interview shared"
INTERVIEW_SHARED_LABEL = "Return interview shared"

# DOMAIN.md section 5 and 7: the interview is social care's record of what the child said. The
# co-ordinator authorises it and it is then shared with police, social worker and IRO; a
# placement provider sees and reports the children placed with it, never social care case
# notes; an auditor reads the audit log, not children's records.
_NEVER_CONTENT_ROLES = frozenset({"placement_provider", "auditor"})


def rhi_shared_with_police(rhi: ReturnInterview) -> bool:
    """Shared with the police: an authorised sharing, or a safeguarding concern shared at once."""
    if SHARED_WITH_POLICE in (rhi.shared_with or []):
        return True
    return any(SHARED_WITH_POLICE in (sharing.recipients or []) for sharing in rhi.sharings.all())


def rhi_content_visible_to(user: Any, rhi: ReturnInterview | None) -> bool:
    """Whether a person may read what the child said and what was found in the interview: the
    reasons, where and with whom, harm, push and pull factors, health, exploitation
    indicators, wishes and feelings, actions, referrals and recommendations, and how it was
    conducted (method, who else was there, the offer's wording).

    Placement providers (and auditors) never; police liaison only once it has been shared
    with the police; everyone else who may see the episode (social care, the MCT, the
    co-ordinator, managers, the practitioner, the IRO) may. What anyone who sees the episode
    may know is the protocol's record: that the interview was allocated, offered, accepted,
    declined or not possible, authorised and shared, and when (`rhi_state`).
    """
    from homeward.accounts.roles import Role

    if rhi is None or user is None or not getattr(user, "is_active", False):
        return False
    role = getattr(user, "role", None)
    if role is None or role in _NEVER_CONTENT_ROLES:
        return False
    if role == Role.POLICE_LIAISON:
        return rhi_shared_with_police(rhi)
    return True


def rhi_content_withheld_reason(user: Any) -> str:
    """What the episode page says to someone who may not read the interview's content."""
    from homeward.accounts.roles import Role

    if getattr(user, "role", None) == Role.POLICE_LIAISON:
        return "The interview's content is shown to the police once it has been shared with them."
    return "The interview's content is shared with the police, the social worker and the IRO only."


def _fact_only_summary(entry: ChronologyEntry) -> str:
    """A return interview chronology line as the protocol's fact, without its detail."""
    if entry.kind == "rhi_offered":
        return "Return interview offered."
    if entry.kind == "rhi_shared" and entry.summary.startswith(CONCERN_SHARED_LABEL):
        return "Information from the return interview shared" + entry.summary[len(CONCERN_SHARED_LABEL):]
    return entry.summary


# Lines of the child's social care record rather than of an episode: the legal status and
# placement history, which police do not see (`may_read_casework_notes`, ADR 0008); and social
# care's decisions on consultations and referrals and the charges for an exceptional interview
# (DOMAIN.md section 5a).
CASEWORK_RECORD_KINDS = frozenset({"legal_status_changed", "placement_changed", "placement_ended",
                                   "consultation_made", "consultation_not_made", "consultation_outcome",
                                   "charge_raised", "charge_withdrawn"})
ACTION_KIND_PREFIX = "action_"


def _without_casework_note(entry: ChronologyEntry, user: Any) -> ChronologyEntry | None:
    """The line as someone who may not read social care case notes sees it: None to leave it
    out, else the line itself or a copy that keeps the fact and drops the free text."""
    from homeward.accounts.permissions import may_read_action_note
    from homeward.episodes.actions import ACTION_LABELS

    if entry.kind in CASEWORK_RECORD_KINDS:
        return None
    summary = entry.summary
    if entry.kind == "child_recorded":
        summary = "Child recorded."  # not the legal status the child had then
    elif entry.kind == "closed":
        summary = "Episode closed."
    elif entry.kind.startswith(ACTION_KIND_PREFIX):
        action = entry.kind[len(ACTION_KIND_PREFIX):]
        if not may_read_action_note(user, action):
            summary = ACTION_LABELS.get(action, "Action recorded") + "."
    if summary == entry.summary:
        return entry
    entry = copy(entry)
    entry.summary = summary
    return entry


def chronology_for_user(user: Any, entries: Iterable[ChronologyEntry], *,
                        interviews: dict[int, ReturnInterview | None] | None = None) -> list[ChronologyEntry]:
    """Chronology lines as this person may read them (DOMAIN.md sections 2 and 7).

    Every event of every episode is listed; the lines of a return interview whose content the
    person may not read (`rhi_content_visible_to`) say what happened and when, not how the offer
    was made or that the interview raised a safeguarding concern. To someone who may not read
    social care case notes (`may_read_casework_notes`: police liaison) the legal status and
    placement history is left out, and the notes of social care's recorded actions and of
    closing are dropped, keeping what was done and when. The rows are copied, never saved.
    `interviews`: the interviews (with their sharings) of the entries' episodes by episode id,
    None for an episode without one, when the caller has read them already.
    """
    from homeward.accounts.permissions import may_read_casework_notes

    entries = list(entries)
    if not may_read_casework_notes(user):
        entries = [shown for shown in (_without_casework_note(e, user) for e in entries) if shown is not None]
    episode_ids = {e.episode_id for e in entries if e.episode_id and e.kind in RHI_DETAIL_KINDS}
    visible: dict[int, bool] = {}
    if interviews is not None and episode_ids <= interviews.keys():
        visible = {episode_id: rhi_content_visible_to(user, interviews[episode_id]) for episode_id in episode_ids}
    elif episode_ids:
        for rhi in ReturnInterview.objects.filter(episode_id__in=episode_ids).prefetch_related("sharings"):
            visible[rhi.episode_id] = rhi_content_visible_to(user, rhi)
    shown = []
    for entry in entries:
        if entry.kind in RHI_DETAIL_KINDS and not visible.get(entry.episode_id or 0, False):
            entry = copy(entry)
            entry.summary = _fact_only_summary(entry)
        shown.append(entry)
    return shown
