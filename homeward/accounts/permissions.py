"""What each role may do (403 when not) and which children it may see (404 when not).

This module is the single place that says who sees what; every selector of a record linked
to a child filters through `visible_children`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from homeward.common.errors import PermissionDenied

from .roles import AUTHORITY_WIDE_ROLES, CASEWORK_ROLES, REPORTING_ROLES, Role

if TYPE_CHECKING:
    from homeward.children.models import Child

    from .models import User


class Capability:
    CHILD_CREATE = "child_create"
    CHILD_UPDATE = "child_update"
    EPISODE_REPORT = "episode_report"
    EPISODE_REGRADE = "episode_regrade"
    EPISODE_RECLASSIFY = "episode_reclassify"
    EPISODE_RECORD_FOUND = "episode_record_found"
    EPISODE_CANCEL = "episode_cancel"
    CHILD_READ = "child_read"
    EPISODE_RECORD_ACTION = "episode_record_action"
    EPISODE_CLOSE = "episode_close"
    MEETING_RECORD = "meeting_record"
    MEETING_ACTION_COMPLETE = "meeting_action_complete"
    PLAN_RECORD = "plan_record"
    PHILOMENA_UPDATE = "philomena_update"
    RHI_ALLOCATE = "rhi_allocate"
    RHI_RECORD = "rhi_record"
    RHI_AUTHORISE = "rhi_authorise"
    RHI_SHARE = "rhi_share"
    AUDIT_READ = "audit_read"
    CHILD_ACCESS_LOG = "child_access_log"
    REPORT_READ = "report_read"
    STATUTORY_EXPORT = "statutory_export"
    IMPORT = "import"
    INTAKE = "intake"
    CONSULTATION_RECORD = "consultation_record"
    CONSULTATION_READ = "consultation_read"
    CONSULTATION_OUTCOME = "consultation_outcome"
    CHARGE_READ = "charge_read"
    CHARGE_WITHDRAW = "charge_withdraw"


_OVERSIGHT_ROLES = {Role.COORDINATOR, Role.MCT_ADMIN, Role.TEAM_MANAGER, Role.SERVICE_LEADER, Role.SENIOR_MANAGER,
                    Role.ADMIN}

_CAPABILITIES: dict[str, frozenset[str]] = {
    Capability.CHILD_CREATE: frozenset(CASEWORK_ROLES),
    Capability.CHILD_UPDATE: frozenset(CASEWORK_ROLES),
    Capability.EPISODE_REPORT: frozenset(REPORTING_ROLES),
    Capability.EPISODE_REGRADE: frozenset(CASEWORK_ROLES | {Role.POLICE_LIAISON}),
    Capability.EPISODE_RECLASSIFY: frozenset(CASEWORK_ROLES | {Role.POLICE_LIAISON}),
    Capability.EPISODE_RECORD_FOUND: frozenset(REPORTING_ROLES),
    Capability.EPISODE_CANCEL: frozenset(CASEWORK_ROLES),
    Capability.CHILD_READ: frozenset(set(Role.values) - {Role.AUDITOR}),
    # Police record their own checks and notifications; providers record carer updates.
    Capability.EPISODE_RECORD_ACTION: frozenset(CASEWORK_ROLES | {Role.POLICE_LIAISON, Role.PLACEMENT_PROVIDER}),
    Capability.EPISODE_CLOSE: frozenset(CASEWORK_ROLES),
    Capability.MEETING_RECORD: frozenset(CASEWORK_ROLES),
    # Any agreed action; a person named as an action's owner may also mark their own done
    # (see `may_complete_meeting_action`).
    Capability.MEETING_ACTION_COMPLETE: frozenset(CASEWORK_ROLES),
    # DOMAIN.md section 5a: the action plan, its review and update, the return visit and a
    # judgement that the child is vulnerable are social care's records.
    Capability.PLAN_RECORD: frozenset(CASEWORK_ROLES),
    # DOMAIN.md section 1: the care placement prepares the Philomena profile; the provider keeps
    # it up to date for the children placed with it (scope: `visible_children`).
    Capability.PHILOMENA_UPDATE: frozenset(CASEWORK_ROLES | {Role.PLACEMENT_PROVIDER}),
    # Seed 000: the missing co-ordinator allocates, oversees and authorises return interviews.
    Capability.RHI_ALLOCATE: frozenset({Role.COORDINATOR, Role.MCT_ADMIN, Role.ADMIN}),
    Capability.RHI_RECORD: frozenset({Role.COORDINATOR, Role.MCT_ADMIN, Role.RHI_PRACTITIONER,
                                      Role.SOCIAL_WORKER, Role.ADMIN}),
    Capability.RHI_AUTHORISE: frozenset({Role.COORDINATOR, Role.ADMIN}),
    Capability.RHI_SHARE: frozenset({Role.COORDINATOR, Role.MCT_ADMIN, Role.ADMIN}),
    Capability.AUDIT_READ: frozenset({Role.AUDITOR, Role.ADMIN}),
    # "A person can ask who looked at a child": those who lead the child's care.
    Capability.CHILD_ACCESS_LOG: frozenset({Role.COORDINATOR, Role.MCT_ADMIN, Role.TEAM_MANAGER, Role.SERVICE_LEADER,
                                            Role.SENIOR_MANAGER, Role.SOCIAL_WORKER, Role.IRO, Role.ADMIN}),
    # DOMAIN.md section 8: oversight is for the managers, the co-ordinator and the MCT.
    Capability.REPORT_READ: frozenset(_OVERSIGHT_ROLES),
    Capability.STATUTORY_EXPORT: frozenset(_OVERSIGHT_ROLES),
    # An import writes episodes in bulk: those who keep the MCT's records, not every manager.
    Capability.IMPORT: frozenset({Role.COORDINATOR, Role.MCT_ADMIN, Role.ADMIN}),
    # Police notifications by email (issue 12): the MCT and the co-ordinator upload them, read
    # them as received and work the triage queue.
    Capability.INTAKE: frozenset({Role.COORDINATOR, Role.MCT_ADMIN}),
    # Consultations and referrals (DOMAIN.md section 5a): social care's decisions, recorded by
    # those who do casework; read by everyone who reads social care's record of the child
    # (not police liaison, ADR 0008, nor the auditor).
    Capability.CONSULTATION_RECORD: frozenset(CASEWORK_ROLES),
    Capability.CONSULTATION_READ: frozenset(set(Role.values) - {Role.AUDITOR, Role.POLICE_LIAISON}),
    # The outcome of one made: social care's, and the exploitation team's for the Pre-MACE
    # panel it sits on (ADR 0016; `may_record_consultation_outcome`).
    Capability.CONSULTATION_OUTCOME: frozenset(CASEWORK_ROLES | {Role.EXPLOITATION_TEAM}),
    # Charges for exceptional interviews (seed 001): finance works from the co-ordinator's and
    # the senior managers' list; the co-ordinator withdraws one raised in error.
    Capability.CHARGE_READ: frozenset({Role.COORDINATOR, Role.MCT_ADMIN, Role.SERVICE_LEADER, Role.SENIOR_MANAGER,
                                       Role.ADMIN}),
    Capability.CHARGE_WITHDRAW: frozenset({Role.COORDINATOR, Role.ADMIN}),
}

# Which simple actions a reporting partner may record (everyone in CASEWORK_ROLES may record all).
ACTIONS_BY_PARTNER_ROLE: dict[str, frozenset[str]] = {
    Role.POLICE_LIAISON: frozenset({"police_informed", "high_risk_notifications", "ukmpu_notified",
                                    "safe_and_well_check"}),
    Role.PLACEMENT_PROVIDER: frozenset({"carer_update"}),
}


def require_action(user: User, action: str) -> None:
    """A partner role may record only the actions that are its own to record."""
    require(user, Capability.EPISODE_RECORD_ACTION)
    allowed = ACTIONS_BY_PARTNER_ROLE.get(user.role)
    if allowed is not None and action not in allowed:
        raise PermissionDenied(f"The role {user.role!r} may not record {action!r}.")


# DOMAIN.md section 7: "police liaison sees episode and Philomena data, not social care case
# notes" (ADR 0008). The simple actions whose free-text note police may read: their own records.
POLICE_READABLE_ACTION_NOTES = ACTIONS_BY_PARTNER_ROLE[Role.POLICE_LIAISON]


def may_read_casework_notes(user: User) -> bool:
    """Whether a person may read the child's social care record beyond what police need.

    Police liaison see the child's identity, current legal status and placement, the Philomena
    profile and every episode (notification, risk gradings with rationale, classifications,
    return, safe-and-well checks, strategy meetings, the interview once shared with them); not
    the legal status history, the people with parental responsibility, the school, or the
    free-text notes of social care's recorded actions (manager informed, risk analysis, carer
    updates...) and of closing an episode. Everyone else who may see the child reads all of it.
    The pages (child, episode), the chronology (`chronology_for_user`) and the API's child
    answer all ask this one function.
    """
    return bool(user and user.is_active and user.role != Role.POLICE_LIAISON)


def may_read_action_note(user: User, action: str) -> bool:
    """Whether a person may read the note of a recorded simple action (`episode_record_action`)."""
    return may_read_casework_notes(user) or action in POLICE_READABLE_ACTION_NOTES


def may_complete_meeting_action(user: User, owner_user_id: int | None) -> bool:
    """Casework roles mark any agreed action done; anyone else who sees the child only an
    action given to them by name (police checking an address, a provider's task)."""
    if can(user, Capability.MEETING_ACTION_COMPLETE):
        return True
    return bool(user and user.is_active and owner_user_id is not None and owner_user_id == user.pk
                and can(user, Capability.CHILD_READ))


def may_record_interview(user: User, practitioner_id: int | None) -> bool:
    """Whether a person may record the steps of a return interview (offer, interview,
    amendment): the person it is allocated to, whatever their role (any professional not in the
    child's direct care, the child's IRO at the child's request: DOMAIN.md section 5a); or the
    co-ordinator, the MCT and social workers, except that a return interview practitioner
    records only the interviews allocated to them."""
    if user and user.is_active and practitioner_id is not None and practitioner_id == user.pk:
        return True
    return can(user, Capability.RHI_RECORD) and user.role != Role.RHI_PRACTITIONER


# ADR 0016: the consultations whose outcome the exploitation (CSE/CCE) team records: the
# Pre-MACE panel's, which it sits on. Every other outcome is social care's.
EXPLOITATION_TEAM_OUTCOMES = frozenset({"pre_mace"})


def may_record_consultation_outcome(user: User, kind: str) -> bool:
    """Whether a person may record the outcome of a consultation or referral of `kind`."""
    if not can(user, Capability.CONSULTATION_OUTCOME):
        return False
    return user.role != Role.EXPLOITATION_TEAM or kind in EXPLOITATION_TEAM_OUTCOMES


def can(user: User, capability: str) -> bool:
    return bool(user and user.is_active and user.role in _CAPABILITIES[capability])


def require(user: User, capability: str) -> None:
    if not can(user, capability):
        raise PermissionDenied(f"The role {user.role!r} may not do this ({capability}).")


def sees_whole_authority(user: User) -> bool:
    """Whether the person sees every child of the home authority, so that a list needs no
    scoping at all (no subquery for roles that see everything)."""
    return user.is_active and user.role in AUTHORITY_WIDE_ROLES


def visible_children_filter(user: User) -> Q:
    """The children a person may see, as a filter on Child (DOMAIN.md section 7)."""
    role = user.role
    if not user.is_active:
        return Q(pk__in=[])
    if role in AUTHORITY_WIDE_ROLES:
        return Q()
    if role == Role.SOCIAL_WORKER:
        # Their own children, their team's, and any child whose return interview they were given
        # (any professional not in the child's direct care may hold it: DOMAIN.md section 5a).
        scope = Q(allocated_worker=user) | Q(episodes__rhi__practitioner=user)
        if user.team_id:
            scope |= Q(team_id=user.team_id)
        return scope
    if role == Role.IRO:
        return Q(iro=user)
    if role == Role.POLICE_LIAISON:
        # Police work from episodes: every child who has been reported missing.
        return Q(episodes__isnull=False)
    if role == Role.PLACEMENT_PROVIDER:
        if not user.organisation_id:
            return Q(pk__in=[])
        return Q(placements__provider_organisation_id=user.organisation_id, placements__ended_on__isnull=True)
    if role == Role.RHI_PRACTITIONER:
        return Q(episodes__rhi__practitioner=user)
    if role == Role.EXPLOITATION_TEAM:
        return _exploitation_concern(user)
    return Q(pk__in=[])


def _exploitation_concern(user: User) -> Q:
    """The exploitation (CSE/CCE) team's children (ADR 0016): those where exploitation is a
    concern (the Philomena profile's CSE or CCE risk; exploitation indicators recorded in a
    risk analysis or the return interview, the facts that tell the team) and those it was asked
    about (a Pre-MACE referral made, a Pre-MACE meeting, an agreed action given to its member,
    a return interview allocated to its member).
    Each condition a subquery of child ids, so that the scope costs no join of every table."""
    from homeward.children.models import PhilomenaProfile
    from homeward.consultations.models import Consultation
    from homeward.episodes.models import EpisodeAction
    from homeward.episodes.risk_analysis import RISK_ANALYSIS_EXPLOITATION
    from homeward.interviews.models import ReturnInterview
    from homeward.meetings.models import MeetingAction, StrategyMeeting
    from homeward.plans.models import PlanAction

    # A risk analysis's coded lists are JSON arrays of codes; a quoted code is matched in the
    # array's text, which SQLite and PostgreSQL both answer (SQLite has no JSON containment).
    named = Q(pk__in=[])
    for list_name, codes in RISK_ANALYSIS_EXPLOITATION.items():
        for code in sorted(codes):
            named |= Q(**{f"detail__{list_name}__icontains": f'"{code}"'})
    analyses = EpisodeAction.objects.filter(named, action="risk_analysis").values("episode__child_id")
    return (Q(pk__in=PhilomenaProfile.objects.filter(Q(risk_cse=True) | Q(risk_cce=True)).values("child_id"))
            | Q(pk__in=analyses)
            | Q(pk__in=ReturnInterview.objects.exclude(exploitation_indicators=[]).values("episode__child_id"))
            | Q(pk__in=Consultation.objects.filter(kind="pre_mace", decision="made").values("episode__child_id"))
            | Q(pk__in=StrategyMeeting.objects.filter(kind="pre_mace").values("episode__child_id"))
            | Q(pk__in=MeetingAction.objects.filter(owner_user=user).values("meeting__episode__child_id"))
            | Q(pk__in=PlanAction.objects.filter(owner_user=user).values("plan__episode__child_id"))
            | Q(pk__in=ReturnInterview.objects.filter(practitioner=user).values("episode__child_id")))


def visible_children(user: User) -> QuerySet[Child]:
    from homeward.children.models import Child

    return Child.objects.filter(
        pk__in=Child.objects.filter(visible_children_filter(user)).values("pk")
    )


def scoped_to_visible_children(queryset: QuerySet[Any], user: User, child_path: str) -> QuerySet[Any]:
    """`queryset` cut to the rows whose child (reached through `child_path`, e.g.
    "meeting__episode__child") the person may see: unchanged for the roles that see the whole
    authority, whose subquery of every child cost a scan at scale (issue 11)."""
    if sees_whole_authority(user):
        return queryset
    return queryset.filter(**{f"{child_path}__in": visible_children(user)})
