"""Every role against every API endpoint: 2xx where the role may act, 403 where its role may
not do this at all, 404 where the record is outside what the person may see.

The expectations are written out here by hand from DOMAIN.md section 7, not derived from
the code under test. Each endpoint is one test: the world is built once and every role (and
someone with no credentials, 401) asks in turn, each request rolled back, so that the next
role meets the same world; the test lists every role the endpoint got wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.urls import URLPattern, resolve
from django.utils import timezone
from rest_framework.test import APIClient

from homeward.accounts.roles import AUTHORITY_WIDE_ROLES, Role
from homeward.accounts.services import user_create
from homeward.casework.episodes import (
    ACTION_LABELS,
    episode_cancel,
    episode_record_action,
    episode_record_found,
    episode_report,
)
from homeward.casework.interviews import (
    InterviewRecord,
    rhi_allocate,
    rhi_authorise,
    rhi_record_interview,
    rhi_record_offer,
)
from homeward.imports.services import import_job_create

pytestmark = pytest.mark.django_db

ALL = frozenset(Role.values)
CASEWORK = frozenset({"mct_admin", "coordinator", "social_worker", "team_manager", "service_leader",
                      "senior_manager", "edt", "admin"})
REPORTING = CASEWORK | {"police_liaison", "placement_provider"}
SEES_CHILD = ALL - {"auditor"}
RHI_LEADS = frozenset({"coordinator", "mct_admin", "admin"})
# DOMAIN.md section 8: the weekly report is for team leaders, themes and patterns for the
# co-ordinator, performance for leaders; the statutory returns are the authority's, made by
# the MCT. So: the co-ordinator, the MCT, the managers and the system administrator.
# Not a social worker: section 7 gives them their team's children only, and these reports
# are authority-wide oversight (their own children's due work is on their worklist).
# Not EDT (authority-wide reach for the night's casework, not oversight), nor an IRO
# (independent reviewer of individual children), nor the partners (police, providers, RHI
# practitioners), nor the auditor, who reads the audit log and nothing else.
OVERSIGHT = frozenset({"coordinator", "mct_admin", "team_manager", "service_leader", "senior_manager", "admin"})
# An import writes historical episodes in bulk for every child: those who keep the MCT's
# records (the co-ordinator and MCT admin) and the system administrator, not every manager.
IMPORTERS = frozenset({"coordinator", "mct_admin", "admin"})


def iso(hours_ago: float) -> str:
    return (timezone.now() - timedelta(hours=hours_ago)).isoformat()


@dataclass
class World:
    child: Any
    episode: Any
    coordinator: Any
    practitioner: Any
    job: Any = None
    # Further ids a path may name ({meeting}, {action}, ...).
    ids: dict[str, int] = field(default_factory=dict)


def _returned(world: World) -> None:
    episode_record_found(actor=world.coordinator, episode=world.episode, found_at=timezone.now() - timedelta(hours=5))


def _allocated(world: World) -> None:
    _returned(world)
    rhi_allocate(actor=world.coordinator, episode=world.episode, practitioner=world.practitioner,
                 allocated_at=timezone.now() - timedelta(hours=4))


def _offered(world: World) -> None:
    _allocated(world)
    rhi_record_offer(actor=world.coordinator, episode=world.episode, offered_at=timezone.now() - timedelta(hours=3),
                     method="Visit")


def _interviewed(world: World) -> None:
    _offered(world)
    rhi_record_interview(actor=world.coordinator, episode=world.episode, record=InterviewRecord(
        outcome="declined", conducted_at=timezone.now() - timedelta(hours=2)))


def _authorised(world: World) -> None:
    _interviewed(world)
    rhi_authorise(actor=world.coordinator, episode=world.episode, authorised_at=timezone.now() - timedelta(hours=1))


def _closable(world: World) -> None:
    """The world's episode cancelled (reported in error) and a new one reported absent, found,
    and every follow-up it calls for recorded: ready to close."""
    now = timezone.now()
    episode_cancel(actor=world.coordinator, episode=world.episode, reason="Reported in error")
    episode = episode_report(actor=world.coordinator, child=world.child, reported_at=now - timedelta(hours=6),
                             reported_by="police", classification="absent").episode
    episode_record_found(actor=world.coordinator, episode=episode, found_at=now - timedelta(hours=5))
    episode.refresh_from_db()
    from homeward.obligations.services import episode_obligations_evaluate

    for obligation in episode_obligations_evaluate(episode, now):
        if obligation.status in ("pending", "overdue") and obligation.code == "action_plan":
            from homeward.casework.plans import PlanContent, action_plan_record

            action_plan_record(actor=world.coordinator, episode=episode, agreed_at=now - timedelta(hours=4),
                               content=PlanContent(contact_by="Key worker", contact_how="Texts", family_told="All",
                                                   family_how_often="Daily", return_who_sees="Carer",
                                                   return_interviewer="MCT"))
        elif obligation.status in ("pending", "overdue"):
            assert obligation.code in ACTION_LABELS, obligation.code
            episode_record_action(actor=world.coordinator, episode=episode, action=obligation.code,
                                  at=now - timedelta(hours=4))
    world.episode = episode


def _import_file(world: World) -> str:
    """One historical episode of the world's child, long before the ones it has."""
    return ("CHILD,DOB,MISSING,MIS_START,MIS_END\n"
            f"{world.child.external_id},{world.child.date_of_birth:%d/%m/%Y},M,02/06/2024,03/06/2024\n")


def _import_job(world: World) -> None:
    world.job = import_job_create(actor=world.coordinator, content=_import_file(world), fmt="ssda903",
                                  filename="missing.csv", dry_run=True)


def _upload(world: World) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"file": SimpleUploadedFile("missing.csv", _import_file(world).encode(), content_type="text/csv"),
            "format": "ssda903"}


def _meeting(world: World, owner: str) -> None:
    """A strategy meeting on the world's episode with one agreed action, owned by `owner`."""
    from homeward.casework.meetings import AgreedAction, strategy_meeting_record

    meeting = strategy_meeting_record(actor=world.coordinator, episode=world.episode,
                                      held_at=timezone.now() - timedelta(hours=2), kind="missing_strategy",
                                      attendees=["A. Person"], actions=[AgreedAction(owner=owner,
                                                                                     description="Visit the home")])
    world.ids.update(meeting=meeting.pk, action=meeting.actions.get().pk)


def _meeting_action(world: World) -> None:
    """The action is given to someone who does not sign in to Homeward."""
    _meeting(world, "Someone Else")


def _meeting_action_for_police(world: World) -> None:
    """The action is given by name to the police liaison officer of the matrix."""
    _meeting(world, _person("police_liaison").username)


def _meeting_action_for_exploitation_team(world: World) -> None:
    """The action is given by name to the exploitation team's member of the matrix (ADR 0016)."""
    _meeting(world, _person("exploitation_team").username)


# Consultations and referrals (DOMAIN.md section 5a) are social care's decisions: recorded by
# casework roles, read by everyone who reads social care's record (not police liaison, ADR 0008).
CONSULTATION_READERS = SEES_CHILD - {"police_liaison"}
# Charges for exceptional interviews (seed 001), for finance: the co-ordinator, the MCT, the
# service leader and senior manager, the system administrator; withdrawn by the co-ordinator.
CHARGE_READERS = frozenset({"coordinator", "mct_admin", "service_leader", "senior_manager", "admin"})
CHARGE_WITHDRAWERS = frozenset({"coordinator", "admin"})


def _consultation(world: World) -> None:
    """A Section 47 strategy discussion decided on the world's episode, its outcome awaited."""
    from homeward.casework.consultations import consultation_record

    consultation = consultation_record(actor=world.coordinator, episode=world.episode, kind="section_47",
                                       decision="made", decided_at=timezone.now() - timedelta(hours=2),
                                       reason="Significant harm suspected")
    world.ids.update(consultation=consultation.pk)


def _pre_mace(world: World) -> None:
    """A Pre-MACE referral made on the world's episode, the panel's outcome awaited: the
    exploitation (CSE/CCE) team that sits on the panel records it too (ADR 0016)."""
    from homeward.casework.consultations import consultation_record

    consultation = consultation_record(actor=world.coordinator, episode=world.episode, kind="pre_mace",
                                       decision="made", decided_at=timezone.now() - timedelta(hours=2),
                                       reason="Exploitation indicators")
    world.ids.update(consultation=consultation.pk)


def _charge(world: World) -> None:
    """A charge on the world's episode (as an exceptional interview's authorisation raises one)."""
    from homeward.charges.models import Charge

    charge = Charge.objects.create(episode=world.episode, authority=world.child.responsible_authority,
                                   interview_on=timezone.localdate(), fee_pence=35000, protocol="matrix",
                                   raised_at=timezone.now() - timedelta(hours=1), raised_by=world.coordinator)
    world.ids.update(charge=charge.pk)


# The missing child action plan, its update, return visits and judgements of vulnerability
# (DOMAIN.md section 5a) are social care's record: recorded by casework roles, read by everyone
# who reads social care's record (not police liaison, ADR 0008).
PLAN_READERS = SEES_CHILD - {"police_liaison"}


def _plan(world: World) -> Any:
    from homeward.casework.plans import PlanContent, PlannedAction, action_plan_record

    plan = action_plan_record(
        actor=world.coordinator, episode=world.episode, agreed_at=timezone.now() - timedelta(hours=3),
        content=PlanContent(contact_by="Key worker", contact_how="Texts", family_told="Police are looking",
                            family_how_often="Daily", return_who_sees="Carer", return_interviewer="MCT"),
        actions=[PlannedAction(owner="Someone Else", description="Ring the school")])
    world.ids.update(plan_action=plan.actions.get().pk)
    return plan


def _plan_action(world: World) -> None:
    """The world's episode with its action plan, one action given to someone outside Homeward."""
    _plan(world)


def _plan_review(world: World) -> None:
    """The plan, and a strategy meeting that has not reviewed it yet."""
    _plan(world)
    _meeting(world, "Someone Else")


def _visit(world: World) -> None:
    """The world's episode returned (if it is not yet) and a visit after the return."""
    from homeward.casework.plans import return_visit_record

    if world.episode.found_at is None:
        _returned(world)
        world.episode.refresh_from_db()
    visit = return_visit_record(actor=world.coordinator, episode=world.episode,
                                visited_at=timezone.now() - timedelta(hours=2), visited_by="Social worker",
                                discussed_episode="Where", prevention="Curfew", outcome="Settled")
    world.ids.update(visit=visit.pk)


def collection_year_now() -> int:
    """The SSDA903 collection year (its end) that today falls in."""
    today = timezone.localdate()
    return today.year + 1 if today.month >= 4 else today.year


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    path: str
    allowed: frozenset[str]
    body: Callable[[World], dict[str, Any]] = lambda w: {}
    prepare: Callable[[World], None] = lambda w: None
    # Roles that cannot see the record at all (404 comes before 403 for them).
    hidden_from: frozenset[str] = frozenset({"auditor"})
    # "json", or "multipart" for a file upload.
    format: str = "json"


def _held_exchange_message(world: World) -> None:
    """A message from the authority the world's child is placed with (940), held for matching."""
    import uuid

    from homeward.children.models import Placement
    from homeward.exchange.models import IncomingMessage
    from homeward.reference.models import Authority

    sender = Authority.objects.get(code="940")
    Placement.objects.create(child=world.child, authority=sender, started_on=timezone.localdate() - timedelta(days=400),
                             ended_on=timezone.localdate() - timedelta(days=300))
    body = {"v": 1, "id": str(uuid.uuid4()), "type": "missing", "from": "940", "to": "941",
            "child": {"ref": "X-1", "given_name": "Someone", "family_name": "Else", "date_of_birth": "2011-05-17"},
            "episode": {"ref": "1"}, "event": {"reported_at": iso(6), "missing_since": iso(6)}}
    held = IncomingMessage.objects.create(sender=sender, message_id=body["id"], type="missing", jws="x.y.z", body=body,
                                          received_at=timezone.now(), status="held", reason="No match",
                                          acknowledgement={"status": "held"}, acknowledgement_jws="a.b.c")
    world.ids.update(exchange_message=held.pk)


# Exchange messages held for matching name children: the MCT and the co-ordinator match them.
EXCHANGE_MATCHERS = frozenset({"coordinator", "mct_admin"})

ENDPOINTS = [
    Endpoint("child read", "get", "/api/v1/children/{child}", SEES_CHILD),
    Endpoint("child create", "post", "/api/v1/children", CASEWORK, hidden_from=frozenset(), body=lambda w: {
        "external_id": "NEW1", "given_name": "New", "family_name": "Child", "date_of_birth": "2012-01-01",
        "sex": "male", "legal_status": "none", "responsible_authority": "941"}),
    Endpoint("child update", "patch", "/api/v1/children/{child}", CASEWORK, body=lambda w: {"school": "Other"}),
    Endpoint("episode list", "get", "/api/v1/episodes", ALL, hidden_from=frozenset()),
    Endpoint("episode read", "get", "/api/v1/episodes/{episode}", SEES_CHILD),
    Endpoint("episode report", "post", "/api/v1/episodes", REPORTING, hidden_from=frozenset(),
             prepare=_returned, body=lambda w: {"child": w.child.pk, "reported_at": iso(1), "reported_by": "police"}),
    Endpoint("regrade", "post", "/api/v1/episodes/{episode}/risk-gradings", CASEWORK | {"police_liaison"},
             body=lambda w: {"risk_level": "high", "graded_at": iso(1)}),
    Endpoint("reclassify", "post", "/api/v1/episodes/{episode}/classifications", CASEWORK | {"police_liaison"},
             body=lambda w: {"classification": "absent", "at": iso(1)}),
    Endpoint("found", "post", "/api/v1/episodes/{episode}/found", REPORTING, body=lambda w: {"found_at": iso(1)}),
    Endpoint("cancel", "post", "/api/v1/episodes/{episode}/cancel", CASEWORK, body=lambda w: {"reason": "Error"}),
    Endpoint("action", "post", "/api/v1/episodes/{episode}/actions", CASEWORK | {"police_liaison"},
             body=lambda w: {"action": "safe_and_well_check", "at": iso(1)}),
    Endpoint("carer update", "post", "/api/v1/episodes/{episode}/actions", CASEWORK | {"placement_provider"},
             body=lambda w: {"action": "carer_update", "at": iso(1)}),
    Endpoint("strategy meeting", "post", "/api/v1/episodes/{episode}/strategy-meetings", CASEWORK,
             body=lambda w: {"held_at": iso(1), "kind": "missing_strategy", "attendees": ["A"]}),
    Endpoint("strategy meetings", "get", "/api/v1/episodes/{episode}/strategy-meetings", SEES_CHILD,
             prepare=_meeting_action),
    # Casework roles mark any agreed action done; the person an action is given to by name may
    # mark that one done too (police checking an address), no one else.
    Endpoint("meeting action done", "post",
             "/api/v1/episodes/{episode}/strategy-meetings/{meeting}/actions/{action}/done", CASEWORK,
             prepare=_meeting_action, body=lambda w: {"done_at": iso(0.5), "note": "Done"}),
    Endpoint("meeting action done by its owner", "post",
             "/api/v1/episodes/{episode}/strategy-meetings/{meeting}/actions/{action}/done",
             CASEWORK | {"police_liaison"}, prepare=_meeting_action_for_police,
             body=lambda w: {"done_at": iso(0.5), "note": "Address checked"}),
    Endpoint("meeting action done by its owner, the exploitation team", "post",
             "/api/v1/episodes/{episode}/strategy-meetings/{meeting}/actions/{action}/done",
             CASEWORK | {"exploitation_team"}, prepare=_meeting_action_for_exploitation_team,
             body=lambda w: {"done_at": iso(0.5), "note": "Seen at the youth club"}),
    Endpoint("action plan", "post", "/api/v1/episodes/{episode}/action-plan", CASEWORK, body=lambda w: {
        "agreed_at": iso(1), "contact_by": "Key worker", "contact_how": "Texts", "family_told": "All",
        "family_how_often": "Daily", "return_who_sees": "Carer", "return_interviewer": "MCT"}),
    Endpoint("action plan read", "get", "/api/v1/episodes/{episode}/action-plan", PLAN_READERS,
             prepare=_plan_action),
    Endpoint("plan action done", "post", "/api/v1/episodes/{episode}/action-plan/actions/{plan_action}/done",
             CASEWORK, prepare=_plan_action, body=lambda w: {"done_at": iso(0.5), "note": "Done"}),
    Endpoint("plan review", "post", "/api/v1/episodes/{episode}/action-plan/reviews", CASEWORK,
             prepare=_plan_review, body=lambda w: {"meeting": w.ids["meeting"], "changes": "The plan stands"}),
    Endpoint("plan update", "post", "/api/v1/episodes/{episode}/action-plan/updates", CASEWORK, prepare=_returned,
             body=lambda w: {"updated_at": iso(1), "risk_analysis": "Lower", "safety_plan": "Curfew",
                             "what_changed": "Curfew added"}),
    Endpoint("plan updates", "get", "/api/v1/episodes/{episode}/action-plan/updates", PLAN_READERS),
    Endpoint("return visit", "post", "/api/v1/episodes/{episode}/return-visits", CASEWORK, prepare=_returned,
             body=lambda w: {"visited_at": iso(1), "visited_by": "SW", "discussed_episode": "Where",
                             "prevention": "Curfew", "outcome": "Settled"}),
    Endpoint("return visits", "get", "/api/v1/episodes/{episode}/return-visits", PLAN_READERS, prepare=_visit),
    Endpoint("return visit: parental responsibility told", "post",
             "/api/v1/episodes/{episode}/return-visits/{visit}/parental-responsibility", CASEWORK, prepare=_visit,
             body=lambda w: {"informed_at": iso(1), "informed": "Mother, by phone"}),
    Endpoint("vulnerability", "post", "/api/v1/episodes/{episode}/vulnerability", CASEWORK,
             body=lambda w: {"judged_at": iso(1), "reason": "No phone and no money"}),
    Endpoint("vulnerability read", "get", "/api/v1/episodes/{episode}/vulnerability", PLAN_READERS),
    Endpoint("rhi allocation", "post", "/api/v1/episodes/{episode}/rhi/allocation", RHI_LEADS, prepare=_returned,
             body=lambda w: {"practitioner": w.practitioner.username, "allocated_at": iso(1)}),
    Endpoint("rhi offer", "post", "/api/v1/episodes/{episode}/rhi/offer",
             RHI_LEADS | {"rhi_practitioner", "social_worker"}, prepare=_allocated,
             body=lambda w: {"offered_at": iso(1), "method": "Phone"}),
    Endpoint("rhi interview", "post", "/api/v1/episodes/{episode}/rhi/interview",
             RHI_LEADS | {"rhi_practitioner", "social_worker"}, prepare=_offered,
             body=lambda w: {"outcome": "declined", "conducted_at": iso(1)}),
    Endpoint("rhi authorisation", "post", "/api/v1/episodes/{episode}/rhi/authorisation",
             frozenset({"coordinator", "admin"}), prepare=_interviewed, body=lambda w: {"authorised_at": iso(0.5)}),
    Endpoint("rhi amendment", "post", "/api/v1/episodes/{episode}/rhi/amendment",
             RHI_LEADS | {"rhi_practitioner", "social_worker"}, prepare=_authorised,
             body=lambda w: {"outcome": "declined", "conducted_at": iso(1), "amended_at": iso(0.2),
                             "reason": "The date was wrong"}),
    Endpoint("whereabouts", "post", "/api/v1/episodes/{episode}/whereabouts", CASEWORK | {"police_liaison"},
             body=lambda w: {"whereabouts_known": True, "at": iso(1)}),
    Endpoint("rhi sharing", "post", "/api/v1/episodes/{episode}/rhi/sharing", RHI_LEADS, prepare=_authorised,
             body=lambda w: {"shared_at": iso(0.2), "recipients": ["police"]}),
    Endpoint("obligations", "get", "/api/v1/episodes/{episode}/obligations", SEES_CHILD),
    Endpoint("notifications", "get", "/api/v1/episodes/{episode}/notifications", SEES_CHILD),
    Endpoint("worklist", "get", "/api/v1/worklist", ALL, hidden_from=frozenset()),
    Endpoint("codes", "get", "/api/v1/codes/push_factors", ALL, hidden_from=frozenset()),
    Endpoint("audit log", "get", "/api/v1/audit", frozenset({"auditor", "admin"}), hidden_from=frozenset()),
    Endpoint("child access log", "get", "/api/v1/children/{child}/access-log",
             frozenset({"coordinator", "mct_admin", "team_manager", "service_leader", "senior_manager",
                        "social_worker", "iro", "admin"})),
    Endpoint("close", "post", "/api/v1/episodes/{episode}/close", CASEWORK, prepare=_closable,
             body=lambda w: {"closed_at": iso(0.1), "note": "Follow-up done"}),
    # Reports and statutory returns: no one child's record, so no 404 (DOMAIN.md section 8).
    Endpoint("weekly report", "get", "/api/v1/reports/weekly", OVERSIGHT, hidden_from=frozenset()),
    Endpoint("performance", "get", "/api/v1/reports/performance", OVERSIGHT, hidden_from=frozenset()),
    Endpoint("patterns", "get", "/api/v1/reports/patterns", OVERSIGHT, hidden_from=frozenset()),
    Endpoint("ssda903 missing", "get", "/api/v1/reports/ssda903/missing", OVERSIGHT, hidden_from=frozenset(),
             body=lambda w: {"year": collection_year_now()}),
    Endpoint("annex a", "get", "/api/v1/reports/annex-a", OVERSIGHT, hidden_from=frozenset()),
    Endpoint("ssd missing", "get", "/api/v1/reports/ssd-missing", OVERSIGHT, hidden_from=frozenset()),
    Endpoint("consultations", "get", "/api/v1/episodes/{episode}/consultations", CONSULTATION_READERS,
             prepare=_consultation),
    Endpoint("consultation", "post", "/api/v1/episodes/{episode}/consultations", CASEWORK,
             body=lambda w: {"kind": "pre_mace", "decision": "not_made", "decided_at": iso(1),
                             "reason": "Already known to the panel"}),
    Endpoint("consultation outcome", "post", "/api/v1/episodes/{episode}/consultations/{consultation}/outcome",
             CASEWORK, prepare=_consultation, body=lambda w: {"outcome": "Section 47 enquiry", "outcome_at": iso(1)}),
    Endpoint("pre-mace outcome", "post", "/api/v1/episodes/{episode}/consultations/{consultation}/outcome",
             CASEWORK | {"exploitation_team"}, prepare=_pre_mace,
             body=lambda w: {"outcome": "Disruption plan agreed", "outcome_at": iso(1)}),
    Endpoint("consultation counts", "get", "/api/v1/reports/consultations", OVERSIGHT, hidden_from=frozenset()),
    Endpoint("charges", "get", "/api/v1/charges", CHARGE_READERS, hidden_from=frozenset(), prepare=_charge),
    Endpoint("charge withdrawal", "post", "/api/v1/charges/{charge}/withdrawal", CHARGE_WITHDRAWERS,
             hidden_from=frozenset(), prepare=_charge,
             body=lambda w: {"withdrawn_at": iso(0.5), "reason": "Raised in error"}),
    Endpoint("import", "post", "/api/v1/imports/ssda903-missing", IMPORTERS, hidden_from=frozenset(),
             prepare=_returned, body=_upload, format="multipart"),
    Endpoint("import job", "get", "/api/v1/imports/{job}", IMPORTERS, hidden_from=frozenset(),
             prepare=_import_job),
    Endpoint("episode exchange", "get", "/api/v1/episodes/{episode}/exchange", SEES_CHILD),
    Endpoint("exchange held", "get", "/api/v1/exchange/held", EXCHANGE_MATCHERS, hidden_from=frozenset(),
             prepare=_held_exchange_message),
    Endpoint("exchange match", "post", "/api/v1/exchange/messages/{exchange_message}/match", EXCHANGE_MATCHERS,
             hidden_from=frozenset(), prepare=_held_exchange_message, body=lambda w: {"child": w.child.pk}),
]


@pytest.fixture
def world(make_child: Any, coordinator: Any) -> World:
    """A looked-after child every role but the auditor can see: in the social worker's team,
    with the IRO, placed with the provider, reported to police, with an earlier episode whose
    return interview the practitioner was given, and a Philomena profile marking a risk of
    CSE (the exploitation team's concern, ADR 0016)."""
    from homeward.children.models import PhilomenaProfile

    user_create(username="matrix.social_worker", role="social_worker", password=None, validate=False,
                team_name="Children in Care North")
    user_create(username="matrix.iro", role="iro", password=None, validate=False)
    practitioner = user_create(username="matrix.rhi_practitioner", role="rhi_practitioner", password=None,
                               validate=False, organisation_name="Safe Return")
    provider = user_create(username="matrix.placement_provider", role="placement_provider", password=None,
                           validate=False, organisation_name="Oakfield Homes")
    child = make_child(team="Children in Care North", iro="matrix.iro", placement={
        "authority": "941", "provider": "Oakfield House", "provider_organisation_id": provider.organisation_id})
    PhilomenaProfile.objects.create(child=child, risk_cse=True)
    earlier = episode_report(actor=coordinator, child=child, reported_at=timezone.now() - timedelta(hours=30),
                             reported_by="police").episode
    episode_record_found(actor=coordinator, episode=earlier, found_at=timezone.now() - timedelta(hours=20))
    rhi_allocate(actor=coordinator, episode=earlier, practitioner=practitioner,
                 allocated_at=timezone.now() - timedelta(hours=19))
    episode = episode_report(actor=coordinator, child=child, reported_at=timezone.now() - timedelta(hours=6),
                             reported_by="police").episode
    return World(child=child, episode=episode, coordinator=coordinator, practitioner=practitioner)


def _person(role: str) -> Any:
    from homeward.accounts.models import User

    existing = User.objects.filter(username=f"matrix.{role}").first()
    return existing or user_create(username=f"matrix.{role}", role=role, password=None, validate=False)


def endpoint_path(endpoint: Endpoint, world: World) -> str:
    return endpoint.path.format(child=world.child.pk, episode=world.episode.pk,
                                job=world.job.pk if world.job else 0, **world.ids)


def call(client: Any, endpoint: Endpoint, world: World) -> Any:
    return getattr(client, endpoint.method)(endpoint_path(endpoint, world), endpoint.body(world),
                                            format=endpoint.format)


ROLES = sorted(Role.values)
ANONYMOUS = "anonymous"


def expected_status(endpoint: Endpoint, role: str) -> int:
    """200 standing for any 2xx."""
    if role == ANONYMOUS:
        return 401
    if role in endpoint.hidden_from:
        return 404
    return 200 if role in endpoint.allowed else 403


def _ask(client: APIClient, endpoint: Endpoint, world: World) -> Any:
    """One request, rolled back afterwards so that the next role meets the same world."""
    savepoint = transaction.savepoint()
    try:
        return call(client, endpoint, world)
    finally:
        transaction.savepoint_rollback(savepoint)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e.name for e in ENDPOINTS])
def test_every_role_against_the_endpoint(endpoint: Endpoint, world: World, api_for: Any) -> None:
    clients = {ANONYMOUS: APIClient(), **{role: api_for(_person(role)) for role in ROLES}}
    endpoint.prepare(world)
    world.episode.refresh_from_db()
    wrong = []
    for role, client in clients.items():
        expected = expected_status(endpoint, role)
        asked = (f"{endpoint.name}: {endpoint.method.upper()} {endpoint_path(endpoint, world)} as {role}: "
                 f"expected {expected if expected != 200 else '2xx'}")
        try:
            response = _ask(client, endpoint, world)
        except Exception as exc:  # listed with the others rather than stopping at the first
            wrong.append(f"{asked}, raised {exc!r}")
            continue
        ok = 200 <= response.status_code < 300 if expected == 200 else response.status_code == expected
        if not ok:
            wrong.append(f"{asked}, got {response.status_code} {response.content[:300]!r}")
    assert not wrong, "\n".join(wrong)


# The API's description, the same for every role.
# The exchange's inbox and keys take no sign-in: a signed message is its own credential, the
# keys are public (docs/exchange.md; homeward/exchange/tests).
NOT_PER_ROLE = {"api-schema", "api-docs", "api-exchange-inbox", "api-exchange-keys"}


def test_the_matrix_names_every_endpoint() -> None:
    """Every method of every address of homeward/api/v1/urls.py has a row, with who may use it."""
    from homeward.api.v1.urls import urlpatterns

    served = set()
    for pattern in urlpatterns:
        assert isinstance(pattern, URLPattern)
        view = getattr(pattern.callback, "cls", None) or getattr(pattern.callback, "view_class", None)
        if pattern.name in NOT_PER_ROLE:
            continue
        served |= {(pattern.name, method) for method in ("get", "post", "put", "patch", "delete")
                   if hasattr(view, method)}
    rows = {(resolve(e.path.format(child=1, episode=1, job=1, meeting=1, action=1, consultation=1,
                                   charge=1, exchange_message=1, plan_action=1, visit=1)).url_name, e.method)
            for e in ENDPOINTS}
    assert not served - rows, f"endpoints with no row in the permission matrix: {sorted(served - rows)}"


SCOPED_ROLES = ["social_worker", "iro", "rhi_practitioner", "placement_provider", "exploitation_team"]


@pytest.mark.parametrize("role", SCOPED_ROLES)
def test_scoped_roles_cannot_see_a_child_outside_their_scope(role: str, world: World, make_child: Any,
                                                             api_for: Any) -> None:
    """Another team's child, not placed with the provider, with no IRO or interview of theirs."""
    user_create(username="other.team.worker", role="social_worker", password=None, validate=False,
                team_name="Assessment and Intervention")
    stranger = make_child(team="Assessment and Intervention", placement={"authority": "941", "provider": "Elsewhere"})
    episode = episode_report(actor=world.coordinator, child=stranger, reported_at=timezone.now() - timedelta(hours=2),
                             reported_by="police").episode
    client = api_for(_person(role))
    assert client.get(f"/api/v1/children/{stranger.pk}").status_code == 404
    assert client.get(f"/api/v1/episodes/{episode.pk}").status_code == 404
    assert client.get(f"/api/v1/episodes/{episode.pk}/obligations").status_code == 404
    listed = {e["id"] for e in client.get("/api/v1/episodes").json()["results"]}
    assert episode.pk not in listed and world.episode.pk in listed


def test_police_see_only_children_who_have_been_reported(world: World, make_child: Any, api_for: Any) -> None:
    never_missing = make_child(team="Children in Care North")
    client = api_for(_person("police_liaison"))
    assert client.get(f"/api/v1/children/{never_missing.pk}").status_code == 404
    assert client.get(f"/api/v1/children/{world.child.pk}").status_code == 200


def test_a_provider_sees_a_child_whose_placement_the_api_gave_naming_its_organisation(
        world: World, make_child: Any, api_for: Any) -> None:
    """Issue 12: however the placement was recorded, the provider sees the child placed with
    them, through the API and the pages (the one scope, `visible_children`)."""
    from django.test import Client

    child = make_child(team="Children in Care North")
    provider = _person("placement_provider")
    pages = Client()
    pages.force_login(provider)
    assert api_for(provider).get(f"/api/v1/children/{child.pk}").status_code == 404
    response = api_for(world.coordinator).patch(f"/api/v1/children/{child.pk}", {"placement": {
        "authority": "941", "provider": "Oakfield Homes"}}, format="json")
    assert response.status_code == 200, response.content
    assert api_for(provider).get(f"/api/v1/children/{child.pk}").status_code == 200
    assert pages.get(f"/children/{child.pk}").status_code == 200


# Side doors (issue 14): a key the caller supplies is looked up only among what they may see.

@pytest.mark.parametrize("role", sorted(REPORTING - {"police_liaison"} - set(AUTHORITY_WIDE_ROLES)))
def test_a_police_reference_is_never_a_key_to_an_episode_the_caller_may_not_see(
        role: str, world: World, make_child: Any, api_for: Any) -> None:
    """Reporting their own child with the force and reference of another child's episode, a
    scoped reporter gets their own report recorded (201), learns nothing of the other episode,
    and the MCT is given the reference to confirm with the force."""
    from homeward.audit.models import AuditEntry
    from homeward.episodes.models import Episode

    secret = make_child(given_name="Other", placement={"authority": "941"})
    other = episode_report(actor=world.coordinator, child=secret, reported_at=timezone.now() - timedelta(hours=3),
                           reported_by="police", police_force="northamptonshire",
                           police_reference="NP-SECRET-1").episode
    episode_record_found(actor=world.coordinator, episode=other,
                         found_at=timezone.now() - timedelta(hours=2))
    person = _person(role)
    mine = world.child
    Episode.objects.filter(pk=world.episode.pk).update(status="cancelled", cancelled_at=timezone.now())
    answer = api_for(person).post("/api/v1/episodes", {
        "child": mine.pk, "reported_at": iso(1), "reported_by": "placement_provider",
        "police_force": "northamptonshire", "police_reference": "NP-SECRET-1"}, format="json")
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["id"] != other.pk and body["child"] == mine.pk and body["police_reference"] == "NP-SECRET-1"
    assert "Other" not in answer.content.decode()
    assert not AuditEntry.objects.filter(user=person, child_id=secret.pk).exists()
    held = Episode.objects.get(pk=body["id"])
    assert (held.police_reference, held.police_reference_conflict) == ("", "NP-SECRET-1")
    review = api_for(world.coordinator).get("/api/v1/worklist?code=police_reference_review").json()["results"]
    assert [(item["episode"], item["owner"]["queue"]) for item in review] == [(held.pk, "role")]


def test_a_police_reference_the_caller_may_see_is_the_same_episode_and_reading_it_is_audited(
        world: World, api_for: Any) -> None:
    from homeward.audit.models import AuditEntry

    first = api_for(world.coordinator).post(f"/api/v1/episodes/{world.episode.pk}/actions", {
        "action": "police_informed", "at": iso(1), "police_reference": "NP-SEEN-1",
        "police_force": "northamptonshire"}, format="json")
    assert first.status_code == 201, first.content
    worker = _person("social_worker")
    again = api_for(worker).post("/api/v1/episodes", {
        "child": world.child.pk, "reported_at": iso(0.5), "reported_by": "police",
        "police_force": "northamptonshire", "police_reference": "NP-SEEN-1"}, format="json")
    assert again.status_code == 200 and again.json()["id"] == world.episode.pk
    assert AuditEntry.objects.filter(user=worker, child_id=world.child.pk, object_type="episode",
                                     object_id=str(world.episode.pk), action="view").exists()
