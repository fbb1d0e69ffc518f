"""Every role against every page (GOV.UK pages of homeward/web/urls.py and the per-person
pages of urls_security.py), GET and, for forms, POST: 200 (or the 302 after a successful
POST) where the role may do this, 403 where its role may not do this at all, 404 where the
child or episode is outside what the person may see, and the sign-in page for anyone not
signed in.

The expectations are written out here by hand from DOMAIN.md sections 5, 7 and 8, not
derived from the code under test. The world is the API permission matrix's (one child every
role but the auditor may see); each page is tried by every role in turn, each try rolled
back, so one world serves all of them.

Not here: sign-in, sign-out, the two-factor and council sign-in pages (the same for every
role: homeward/web/tests/test_two_factor.py, test_council_sign_in.py, test_sign_in_security.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from homeward.accounts.roles import Role
from homeward.accounts.services import user_create
from homeward.casework.episodes import episode_report
from homeward.casework.interviews import rhi_allocate, rhi_record_interview, rhi_record_offer, rhi_share
from homeward.children.models import PhilomenaProfile
from homeward.common.timeutil import LONDON

from .test_permission_matrix import (
    CASEWORK,
    CHARGE_READERS,
    CHARGE_WITHDRAWERS,
    IMPORTERS,
    OVERSIGHT,
    REPORTING,
    RHI_LEADS,
    SEES_CHILD,
    World,
    _allocated,
    _authorised,
    _charge,
    _closable,
    _consultation,
    _held_exchange_message,
    _import_file,
    _import_job,
    _interviewed,
    _meeting_action,
    _meeting_action_for_exploitation_team,
    _meeting_action_for_police,
    _offered,
    _person,
    _plan_action,
    _plan_review,
    _pre_mace,
    _returned,
    _visit,
    collection_year_now,
)
from .test_permission_matrix import world as api_world

# The API matrix's world, as a fixture here too.
world = api_world

pytestmark = pytest.mark.django_db

ALL = frozenset(Role.values)
ROLES = sorted(Role.values)
ANONYMOUS = "anonymous"
# Those who record the return interview: the co-ordinator and the MCT, the practitioner it is
# allocated to, and the child's social worker (seed 000), and the system administrator.
RHI_RECORDERS = RHI_LEADS | {"rhi_practitioner", "social_worker"}
# DOMAIN.md section 5: what the child said is shared with police, social worker and IRO, the
# police only once it has been shared with them; the authority's own staff who see the child
# (co-ordinator, MCT, managers, EDT) read it too. Never the placement provider.
RHI_CONTENT_READERS = SEES_CHILD - {"police_liaison", "placement_provider"}
# "Who has looked at this child": those who lead the child's care (not police, providers,
# practitioners or EDT).
ACCESS_LOG_READERS = frozenset({"coordinator", "mct_admin", "team_manager", "service_leader", "senior_manager",
                                "social_worker", "iro", "admin"})
AUDITORS = frozenset({"auditor", "admin"})
# Who closes an episode with duties outstanding, giving the reason: the managers and the
# co-ordinator (DOMAIN.md section 5a).
CLOSING_MANAGERS = frozenset({"team_manager", "service_leader", "senior_manager", "coordinator"})
# Who works the front door (MASH) queue of children with no allocated worker or team.
FRONT_DOOR = frozenset({"coordinator", "mct_admin"})

# The smallest PNG there is: one transparent pixel.
PIXEL_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


def when(minutes_ago: float) -> datetime:
    return timezone.now() - timedelta(minutes=minutes_ago)


def parts(prefix: str, instant: datetime) -> dict[str, str]:
    """The day, month, year and time inputs of a GOV.UK date-time field."""
    local = instant.astimezone(LONDON)
    return {f"{prefix}_day": str(local.day), f"{prefix}_month": str(local.month),
            f"{prefix}_year": str(local.year), f"{prefix}_time": f"{local:%H:%M}"}


def _photo(world: World) -> None:
    profile, _ = PhilomenaProfile.objects.get_or_create(child=world.child, defaults={"description": "Tall"})
    profile.photo.save("matrix.png", ContentFile(PIXEL_PNG), save=True)


def _shared_with_police(world: World) -> None:
    _authorised(world)
    rhi_share(actor=world.coordinator, episode=world.episode, shared_at=when(30), recipients=["police"])


def _amended(world: World) -> None:
    """The authorised interview amended by the co-ordinator: version 2 awaits authorisation."""
    from homeward.casework.interviews import InterviewRecord, rhi_amend

    _authorised(world)
    rhi_amend(actor=world.coordinator, episode=world.episode, amended_at=when(30), reason="The date was wrong",
              record=InterviewRecord(outcome="declined", conducted_at=when(150)))


def _adult(world: World) -> None:
    from homeward.children.models import ResponsibleAdult

    adult = ResponsibleAdult.objects.create(child=world.child, name="Sam Parent", relationship="Mother")
    world.ids.update(adult=adult.pk)


def _lockout(world: World) -> None:
    from axes.models import AccessAttempt
    from django.conf import settings

    attempt = AccessAttempt.objects.create(username="someone", ip_address="198.51.100.7", user_agent="test",
                                           get_data="", post_data="", http_accept="", path_info="/sign-in",
                                           failures_since_start=settings.AXES_FAILURE_LIMIT)
    world.ids.update(attempt=attempt.pk)


def _upload(world: World) -> dict[str, Any]:
    return {"file": SimpleUploadedFile("missing.csv", _import_file(world).encode(), content_type="text/csv"),
            "format": "ssda903"}


# Police notifications by email (issue 12): the MCT and the co-ordinator work them.
INTAKE = frozenset({"coordinator", "mct_admin"})


def _notification(world: World, kind: str, reference: str) -> bytes:
    """A notification naming the world's child with another date of birth: it waits in the queue."""
    child = world.child
    return (f"Subject: Missing child {kind} notification\r\nMessage-ID: <{reference}@matrix.example>\r\n\r\n"
            f"Force: Northamptonshire Police\r\nReference: {reference}\r\nSurname: {child.family_name}\r\n"
            f"Forenames: {child.given_name}\r\nDate of birth: 01/01/2012\r\n").encode()


def _waiting(world: World, kind: str) -> None:
    from homeward.intake.services import intake_receive

    message = intake_receive(raw=_notification(world, kind, f"MATRIX-{kind}"), source="mailbox").message
    world.ids.update(message=message.pk)


def _found_notification_waiting(world: World) -> None:
    """Matched to the world's child, it records the return of the episode open now."""
    _waiting(world, "found")


def _missing_notification_waiting(world: World) -> None:
    _waiting(world, "missing")


def _eml(world: World) -> dict[str, Any]:
    return {"file": SimpleUploadedFile("notification.eml", _notification(world, "found", "MATRIX-upload"),
                                       content_type="message/rfc822")}


def _new_child(world: World) -> dict[str, Any]:
    return {"given_name": "Nia", "family_name": "Newcome", "date_of_birth_day": "1", "date_of_birth_month": "1",
            "date_of_birth_year": "2012", "sex": "female", "legal_status": "child_in_need",
            "responsible_authority": "941"}


def _details(world: World, **changes: str) -> dict[str, Any]:
    """The child's details form as it opens for the world's child, with some fields changed."""
    child = world.child
    placement = child.placements.get(ended_on__isnull=True)
    data = {
        "given_name": child.given_name, "family_name": child.family_name, "known_as": child.known_as,
        "date_of_birth_day": str(child.date_of_birth.day), "date_of_birth_month": str(child.date_of_birth.month),
        "date_of_birth_year": str(child.date_of_birth.year), "sex": child.sex, "ethnicity": child.ethnicity,
        "external_id": child.external_id, "legal_status": child.legal_status,
        "legal_status_since_day": "1", "legal_status_since_month": "1", "legal_status_since_year": "2020",
        "responsible_authority": child.responsible_authority.code, "placement_authority": placement.authority.code,
        "placement_provider": placement.provider, "placement_organisation": str(placement.provider_organisation_id),
        "placement_type": placement.type, "placement_address": placement.address,
        "placement_postcode": placement.postcode, "allocated_worker": "", "team": "Children in Care North",
        "iro": "matrix.iro", "school": child.school,
    }
    data.update(changes)
    return data


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    allowed: frozenset[str]
    method: str = "get"
    data: Callable[[World], dict[str, Any]] = lambda w: {}
    prepare: Callable[[World], None] = lambda w: None
    # Roles that cannot see the child at all: 404 comes before 403 for them, as in the API.
    hidden_from: frozenset[str] = frozenset({"auditor"})
    url_name: str = ""
    # Roles that may send the form but whom the service refuses here: the form again (200)
    # with the service's error, not 403 (closing with duties outstanding, not a manager).
    shown_again: frozenset[str] = frozenset()

    @property
    def success(self) -> int:
        return 302 if self.method == "post" else 200


def _form(name: str, path: str, allowed: frozenset[str], data: Callable[[World], dict[str, Any]],
          url_name: str, **options: Any) -> list[Page]:
    """A form page: showing it and sending it are allowed to the same roles."""
    return [Page(f"{name} (form)", path, allowed, url_name=url_name, **options),
            Page(f"{name} (send)", path, allowed, method="post", data=data, url_name=url_name, **options)]


PAGES: list[Page] = [
    Page("home", "/", ALL, hidden_from=frozenset(), url_name="home"),
    Page("missing now", "/missing-now", ALL, hidden_from=frozenset(), url_name="board"),
    # Every overdue duty and the front door queue: the co-ordinator's and the MCT's, who work
    # that queue (DOMAIN.md section 3), not the administrator's.
    Page("overdue and unowned work", "/work", FRONT_DOOR, hidden_from=frozenset(), url_name="work"),
    Page("search", "/search?q=Child", ALL, hidden_from=frozenset(), url_name="search"),
    # Reporting a child missing: those who may report (police and providers too); an IRO, an
    # RHI practitioner and the auditor do not report.
    Page("report: find the child", "/report?q=Child", REPORTING, hidden_from=frozenset(), url_name="report"),
    # A child not yet known is recorded by those who may record children (casework roles).
    *_form("report: new child", "/report/new-child", CASEWORK, url_name="report_new_child", hidden_from=frozenset(),
           data=lambda w: {"given_name": "Jade", "family_name": "Nowak", "date_of_birth_day": "3",
                           "date_of_birth_month": "4", "date_of_birth_year": "2012", "sex": "female",
                           "external_id": "PAGE9001", "legal_status": "none", "responsible_authority": "941"}),
    *_form("report: the episode", "/report/children/{child}", REPORTING, url_name="report_episode",
           prepare=_returned, data=lambda w: {**parts("reported_at", when(20)), "reported_by": "police",
                                              "classification": "missing"}),
    Page("child", "/children/{child}", SEES_CHILD, url_name="child"),
    *_form("case-system id", "/children/{child}/case-system-id", CASEWORK, url_name="child_case_system_id",
           data=lambda w: {"external_id": "PAGE-ID-1"}),
    # Changing a child's details and the people around them: casework roles within their scope;
    # the Philomena profile also the placement provider of a child placed with it, who keeps it
    # up to date (DOMAIN.md sections 1 and 7). Police, IROs, RHI practitioners and the auditor
    # may not change a child's record.
    *_form("child details: edit", "/children/{child}/details", CASEWORK, url_name="child_details_edit",
           data=lambda w: _details(w, school="Northfield Academy")),
    *_form("philomena: edit", "/children/{child}/philomena/edit", CASEWORK | {"placement_provider"},
           url_name="philomena_edit",
           data=lambda w: {"description": "Tall, short dark hair", "places_frequented": "Bus station",
                           "risks": ["risk_cse"]}),
    *_form("people: add", "/children/{child}/people/new", CASEWORK, url_name="adult_new",
           data=lambda w: {"name": "Dawn Morgan", "relationship": "Mother", "has_parental_responsibility": "yes"}),
    *_form("people: change", "/children/{child}/people/{adult}", CASEWORK, url_name="adult_edit", prepare=_adult,
           data=lambda w: {"name": "Sam Parent", "relationship": "Father", "phone": "07700 900123"}),
    *_form("people: remove", "/children/{child}/people/{adult}/remove", CASEWORK, url_name="adult_remove",
           prepare=_adult, data=lambda w: {"reason": "Entered in error"}),
    Page("philomena profile", "/children/{child}/philomena", SEES_CHILD, url_name="philomena"),
    Page("philomena pdf", "/children/{child}/philomena.pdf", SEES_CHILD, url_name="philomena_pdf"),
    Page("philomena photo", "/children/{child}/philomena/photo", SEES_CHILD, prepare=_photo,
         url_name="philomena_photo"),
    Page("episode", "/episodes/{episode}", SEES_CHILD, url_name="episode"),
    *_form("regrade", "/episodes/{episode}/risk", CASEWORK | {"police_liaison"}, url_name="episode_regrade",
           data=lambda w: {"risk_level": "high", **parts("graded_at", when(5)), "rationale": "CSE"}),
    *_form("reclassify", "/episodes/{episode}/classification", CASEWORK | {"police_liaison"},
           url_name="episode_reclassify",
           data=lambda w: {"classification": "absent", **parts("at", when(5))}),
    # SSDA903's M or A, like the classification: casework roles and police liaison.
    *_form("missing or away", "/episodes/{episode}/whereabouts", CASEWORK | {"police_liaison"},
           url_name="episode_whereabouts",
           data=lambda w: {"whereabouts_known": "away", **parts("at", when(5)), "rationale": "At a friend's"}),
    *_form("found", "/episodes/{episode}/found", REPORTING, url_name="episode_found",
           data=lambda w: {**parts("found_at", when(5)), "found_by": "Police"}),
    *_form("cancel", "/episodes/{episode}/cancel", CASEWORK, url_name="episode_cancel",
           data=lambda w: {"reason": "Reported in error"}),
    # Partners record only their own facts (ACTIONS_BY_PARTNER_ROLE is the code; this is
    # DOMAIN.md: police check the child is safe and well, the carer updates, the authority
    # analyses the risk).
    *_form("action: safe and well check", "/episodes/{episode}/actions/safe_and_well_check",
           CASEWORK | {"police_liaison"}, url_name="episode_action", data=lambda w: parts("at", when(5))),
    *_form("action: carer update", "/episodes/{episode}/actions/carer_update",
           CASEWORK | {"placement_provider"}, url_name="episode_action", data=lambda w: parts("at", when(5))),
    *_form("action: risk analysis", "/episodes/{episode}/actions/risk_analysis", CASEWORK,
           url_name="episode_action", data=lambda w: parts("at", when(5))),
    *_form("strategy meeting", "/episodes/{episode}/meetings/new", CASEWORK, url_name="meeting_new",
           data=lambda w: {**parts("held_at", when(5)), "kind": "missing_strategy", "attendees": "A. Person",
                           "rows": "3"}),
    # Casework roles mark any agreed action done (the person it was given to by name may too;
    # here it was given to someone outside Homeward).
    *_form("meeting action done", "/episodes/{episode}/meetings/{meeting}/actions/{action}/done", CASEWORK,
           url_name="meeting_action_done", prepare=_meeting_action,
           data=lambda w: {**parts("done_at", when(5)), "note": "Done"}),
    # An action given by name to the police liaison officer: they may mark it done too.
    *_form("meeting action done by its owner", "/episodes/{episode}/meetings/{meeting}/actions/{action}/done",
           CASEWORK | {"police_liaison"}, url_name="meeting_action_done", prepare=_meeting_action_for_police,
           data=lambda w: {**parts("done_at", when(5)), "note": "Address checked"}),
    *_form("meeting action done by its owner, the exploitation team",
           "/episodes/{episode}/meetings/{meeting}/actions/{action}/done", CASEWORK | {"exploitation_team"},
           url_name="meeting_action_done", prepare=_meeting_action_for_exploitation_team,
           data=lambda w: {**parts("done_at", when(5)), "note": "Seen at the youth club"}),
    *_form("close", "/episodes/{episode}/close", CASEWORK, url_name="episode_close", prepare=_closable,
           data=lambda w: {**parts("closed_at", when(1)), "note": "Follow-up done"}),
    # With duties outstanding only a manager closes, giving the reason (DOMAIN.md section 5a);
    # the other casework roles see the form and are told so on sending it.
    Page("close, duties outstanding (form)", "/episodes/{episode}/close", CASEWORK, url_name="episode_close",
         prepare=_returned),
    Page("close, duties outstanding (send)", "/episodes/{episode}/close", CLOSING_MANAGERS, method="post",
         url_name="episode_close", prepare=_returned, shown_again=CASEWORK - CLOSING_MANAGERS,
         data=lambda w: {**parts("closed_at", when(1)), "reason": "Moved to another authority"}),
    Page("interview, not shared with police", "/episodes/{episode}/interview", RHI_CONTENT_READERS,
         prepare=_interviewed, url_name="rhi"),
    Page("interview, shared with police", "/episodes/{episode}/interview", RHI_CONTENT_READERS | {"police_liaison"},
         prepare=_shared_with_police, url_name="rhi"),
    *_form("interview: allocate", "/episodes/{episode}/interview/allocate", RHI_LEADS, url_name="rhi_allocate",
           prepare=_returned,
           data=lambda w: {"practitioner": w.practitioner.username, **parts("allocated_at", when(60))}),
    # Re-allocating, with a reason: the co-ordinator and the MCT, as allocating.
    *_form("interview: re-allocate", "/episodes/{episode}/interview/allocate", RHI_LEADS, url_name="rhi_allocate",
           prepare=_allocated,
           data=lambda w: {"practitioner": "matrix.social_worker", **parts("allocated_at", when(30)),
                           "reason": "The practitioner is away"}),
    *_form("interview: offer", "/episodes/{episode}/interview/offer", RHI_RECORDERS, url_name="rhi_offer",
           prepare=_allocated,
           data=lambda w: {**parts("offered_at", when(60)), "method": "Phone", "answer": "declined"}),
    *_form("interview: record", "/episodes/{episode}/interview/record", RHI_RECORDERS, url_name="rhi_record",
           prepare=_offered,
           data=lambda w: {"outcome": "accepted", **parts("conducted_at", when(60)), "method": "face_to_face",
                           "seen_alone": "yes", "wishes_and_feelings": "To stay where I am."}),
    *_form("interview: authorise", "/episodes/{episode}/interview/authorise", frozenset({"coordinator", "admin"}),
           url_name="rhi_authorise", prepare=_interviewed, data=lambda w: parts("authorised_at", when(30))),
    # An authorised interview is amended by those who record it, and the amendment authorised
    # by those who authorise (DOMAIN.md section 3).
    *_form("interview: amend", "/episodes/{episode}/interview/amend", RHI_RECORDERS, url_name="rhi_amend",
           prepare=_authorised,
           data=lambda w: {"outcome": "declined", **parts("conducted_at", when(120)),
                           **parts("amended_at", when(5)), "reason": "The date was wrong"}),
    *_form("interview: authorise the amendment", "/episodes/{episode}/interview/authorise",
           frozenset({"coordinator", "admin"}), url_name="rhi_authorise", prepare=_amended,
           data=lambda w: parts("authorised_at", when(10))),
    *_form("interview: share", "/episodes/{episode}/interview/share", RHI_LEADS, url_name="rhi_share",
           prepare=_authorised, data=lambda w: {**parts("shared_at", when(10)), "recipients": ["police"]}),
    # Consultations and referrals (DOMAIN.md section 5a): casework roles record the decision and
    # its outcome.
    *_form("consultation decision", "/episodes/{episode}/consultations/new", CASEWORK, url_name="consultation_new",
           data=lambda w: {"kind": "section_47", "decision": "made", **parts("decided_at", when(5)),
                           "reason": "Significant harm suspected"}),
    *_form("consultation outcome", "/episodes/{episode}/consultations/{consultation}/outcome", CASEWORK,
           url_name="consultation_outcome", prepare=_consultation,
           data=lambda w: {**parts("outcome_at", when(5)), "outcome": "Section 47 enquiry started"}),
    # The Pre-MACE panel's outcome: social care's, and the exploitation team's that sits on it
    # (ADR 0016).
    *_form("pre-mace outcome", "/episodes/{episode}/consultations/{consultation}/outcome",
           CASEWORK | {"exploitation_team"}, url_name="consultation_outcome", prepare=_pre_mace,
           data=lambda w: {**parts("outcome_at", when(5)), "outcome": "Disruption plan agreed"}),
    # Around the episode (DOMAIN.md section 5a): casework roles record the action plan, its
    # review and update, the return visit and a judgement of vulnerability; casework roles, or
    # the person an action names, mark an action of the plan done.
    *_form("action plan", "/episodes/{episode}/action-plan/new", CASEWORK, url_name="plan_new",
           data=lambda w: {**parts("agreed_at", when(5)), "contact_by": "Key worker", "contact_how": "Texts",
                           "family_told": "All", "family_how_often": "Daily", "return_who_sees": "Carer",
                           "return_interviewer": "MCT"}),
    *_form("action plan review", "/episodes/{episode}/action-plan/review", CASEWORK, url_name="plan_review_new",
           prepare=_plan_review, data=lambda w: {"meeting": str(w.ids["meeting"]), "changes": "The plan stands"}),
    *_form("action plan update", "/episodes/{episode}/action-plan/update", CASEWORK, url_name="plan_update_new",
           prepare=_returned, data=lambda w: {**parts("updated_at", when(5)), "risk_analysis": "Lower",
                                              "safety_plan": "Curfew", "what_changed": "Curfew added"}),
    *_form("plan action done", "/episodes/{episode}/action-plan/actions/{plan_action}/done", CASEWORK,
           url_name="plan_action_done", prepare=_plan_action,
           data=lambda w: {**parts("done_at", when(5)), "note": "Done"}),
    *_form("return visit", "/episodes/{episode}/return-visits/new", CASEWORK, url_name="return_visit_new",
           prepare=_returned, data=lambda w: {**parts("visited_at", when(5)), "visited_by": "SW",
                                              "discussed_episode": "Where", "prevention": "Curfew",
                                              "outcome": "Settled"}),
    *_form("return visit: parental responsibility told", "/episodes/{episode}/return-visits/{visit}/"
           "parental-responsibility", CASEWORK, url_name="return_visit_informed", prepare=_visit,
           data=lambda w: {**parts("informed_at", when(5)), "informed": "Mother, by phone"}),
    *_form("vulnerability", "/episodes/{episode}/vulnerability/new", CASEWORK, url_name="vulnerability_new",
           data=lambda w: {**parts("judged_at", when(5)), "reason": "No phone and no money"}),
    Page("consultation counts", "/reports/consultations", OVERSIGHT, hidden_from=frozenset(),
         url_name="reports_consultations"),
    # Charges for exceptional interviews (seed 001): for finance, through the co-ordinator and
    # the senior managers; withdrawn by the co-ordinator.
    Page("charges", "/reports/charges", CHARGE_READERS, hidden_from=frozenset(), url_name="charges",
         prepare=_charge),
    Page("charges csv", "/reports/charges.csv", CHARGE_READERS, hidden_from=frozenset(), url_name="charges_csv",
         prepare=_charge),
    *_form("charge withdraw", "/reports/charges/{charge}/withdraw", CHARGE_WITHDRAWERS, url_name="charge_withdraw",
           hidden_from=frozenset(), prepare=_charge,
           data=lambda w: {**parts("withdrawn_at", when(5)), "reason": "Raised in error"}),
    Page("interview pipeline", "/interviews", RHI_LEADS, hidden_from=frozenset(), url_name="rhi_pipeline"),
    # The interviews allocated to the person: anyone's own list (empty for most roles).
    Page("my interviews", "/interviews/mine", ALL, hidden_from=frozenset(), url_name="my_interviews"),
    Page("reports", "/reports", OVERSIGHT, hidden_from=frozenset(), url_name="reports"),
    Page("weekly report", "/reports/weekly", OVERSIGHT, hidden_from=frozenset(), url_name="reports_weekly"),
    Page("weekly report pdf", "/reports/weekly.pdf", OVERSIGHT, hidden_from=frozenset(),
         url_name="reports_weekly_pdf"),
    Page("performance", "/reports/performance", OVERSIGHT, hidden_from=frozenset(), url_name="reports_performance"),
    Page("patterns", "/reports/patterns", OVERSIGHT, hidden_from=frozenset(), url_name="reports_patterns"),
    Page("statutory returns", "/reports/statutory", OVERSIGHT, hidden_from=frozenset(),
         url_name="reports_statutory"),
    Page("ssda903 missing csv", "/reports/statutory/ssda903-missing.csv?year={year}", OVERSIGHT,
         hidden_from=frozenset(), url_name="reports_ssda903"),
    Page("annex a xlsx", "/reports/statutory/annex-a-list-8.xlsx", OVERSIGHT, hidden_from=frozenset(),
         url_name="reports_annex_a"),
    Page("ssd missing csv", "/reports/statutory/ssd_missing.csv", OVERSIGHT, hidden_from=frozenset(),
         url_name="reports_ssd"),
    *_form("import", "/reports/import", IMPORTERS, url_name="reports_import", hidden_from=frozenset(),
           prepare=_returned, data=_upload),
    Page("import job", "/reports/import/{job}", IMPORTERS, hidden_from=frozenset(), prepare=_import_job,
         url_name="reports_import_job"),
    Page("import job problems csv", "/reports/import/{job}/problems.csv", IMPORTERS, hidden_from=frozenset(),
         prepare=_import_job, url_name="reports_import_job_problems"),
    Page("police notifications", "/police-notifications", INTAKE, hidden_from=frozenset(), url_name="intake_queue"),
    *_form("police notification upload", "/police-notifications/upload", INTAKE, data=_eml, hidden_from=frozenset(),
           url_name="intake_upload"),
    Page("police notification", "/police-notifications/{message}", INTAKE, hidden_from=frozenset(),
         prepare=_found_notification_waiting, url_name="intake_message"),
    Page("police notification as received", "/police-notifications/{message}/original.eml", INTAKE,
         hidden_from=frozenset(), prepare=_found_notification_waiting, url_name="intake_original"),
    Page("police notification: match (send)", "/police-notifications/{message}/match", INTAKE, method="post",
         hidden_from=frozenset(), prepare=_found_notification_waiting, data=lambda w: {"child": w.child.pk},
         url_name="intake_match"),
    Page("police notification: record the child (send)", "/police-notifications/{message}/new-child", INTAKE,
         method="post", hidden_from=frozenset(), prepare=_missing_notification_waiting, data=_new_child,
         url_name="intake_new_child"),
    Page("police notification: archive (send)", "/police-notifications/{message}/archive", INTAKE, method="post",
         hidden_from=frozenset(), prepare=_missing_notification_waiting, data=lambda w: {"reason": "Not ours"},
         url_name="intake_archive"),
    # Messages from other authorities held for matching: the same roles as the held API.
    Page("authority messages", "/authority-messages", INTAKE, hidden_from=frozenset(), url_name="exchange_held"),
    Page("authority message", "/authority-messages/{exchange_message}", INTAKE, hidden_from=frozenset(),
         prepare=_held_exchange_message, url_name="exchange_message"),
    Page("authority message: the child chosen", "/authority-messages/{exchange_message}/match?child={child}",
         INTAKE, hidden_from=frozenset(), prepare=_held_exchange_message, url_name="exchange_match"),
    Page("authority message: match (send)", "/authority-messages/{exchange_message}/match", INTAKE, method="post",
         hidden_from=frozenset(), prepare=_held_exchange_message, data=lambda w: {"child": w.child.pk},
         url_name="exchange_match"),
    Page("audit log", "/audit", AUDITORS, hidden_from=frozenset(), url_name="audit_log"),
    Page("child access log", "/children/{child}/access-log", ACCESS_LOG_READERS, url_name="child_access_log"),
    # Resetting a person's two-factor app and lifting a lock-out: the system administrator only.
    Page("sign-in security", "/security", frozenset({"admin"}), hidden_from=frozenset(), url_name="security_admin"),
    Page("two-factor reset (form)", "/security/two-factor-reset", frozenset({"admin"}), hidden_from=frozenset(),
         url_name="security_two_factor_reset"),
    Page("lock-out lift (form)", "/security/lockouts/{attempt}/lift", frozenset({"admin"}), hidden_from=frozenset(),
         prepare=_lockout, url_name="security_lockout_lift"),
    Page("stay signed in", "/session/keep-alive", ALL, method="post", hidden_from=frozenset(),
         url_name="session_keep_alive"),
]

# Pages of homeward/web/urls.py that are the same for every role (sign-in and its steps).
NOT_PER_ROLE = {"sign_in", "sign_out", "two_factor_verify", "two_factor_setup", "two_factor_recovery_codes",
                "oidc_start", "oidc_callback"}


def _url_names(patterns: list[Any]) -> set[str]:
    names: set[str] = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            names |= _url_names(pattern.url_patterns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(pattern.name)
    return names


def test_the_matrix_names_every_page() -> None:
    """A page added to homeward/web/urls.py is added here too, with who may use it."""
    missing = _web_url_names() - NOT_PER_ROLE - {p.url_name for p in PAGES}
    assert not missing, f"pages with no row in the permission matrix: {sorted(missing)}"


def page_path(page: Page, world: World) -> str:
    return page.path.format(child=world.child.pk, episode=world.episode.pk, job=world.job.pk if world.job else 0,
                            year=collection_year_now(), **world.ids)


def _web_url_names() -> set[str]:
    web = next(p for p in get_resolver().url_patterns if isinstance(p, URLResolver) and p.namespace == "web")
    return _url_names(web.url_patterns)


def expected_status(page: Page, role: str) -> set[int]:
    if role == ANONYMOUS:
        return {302}
    if role in page.hidden_from:
        # A role that may not see the child is 404, as in the API, whether or not its role
        # could otherwise do this: the page looks the child up before it checks the role.
        return {404}
    if role in page.shown_again:
        return {200}
    return {page.success} if role in page.allowed else {403}


def _ask(client: Client, page: Page, path: str, world: World) -> Any:
    """One request, rolled back afterwards so that the next role meets the same world."""
    savepoint = transaction.savepoint()
    try:
        if page.method == "post":
            return client.post(path, page.data(world))
        return client.get(path)
    finally:
        transaction.savepoint_rollback(savepoint)


def _outcome(response: Any) -> str:
    location = response.get("Location", "") if response.status_code == 302 else ""
    return f"{response.status_code} {location}".strip()


@pytest.fixture
def clients(world: World) -> dict[str, Client]:
    out = {ANONYMOUS: Client()}
    for role in ROLES:
        client = Client()
        client.force_login(_person(role))
        out[role] = client
    return out


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


# Rows for pages being added alongside this file count once their address is in urls.py.
PAGES = [p for p in PAGES if p.url_name in _web_url_names()]


# The pages that need the same world share one (each request is rolled back), which keeps the
# whole matrix quick: one test per state of the world, listing every page and role it got wrong.
STAGES: dict[str, list[Page]] = {}
for _page in PAGES:
    STAGES.setdefault(_page.prepare.__name__.strip("_<>").replace("lambda", "as_built"), []).append(_page)


@pytest.mark.parametrize("stage", list(STAGES))
def test_every_role_against_every_page(stage: str, world: World, clients: dict[str, Client], media: None) -> None:
    pages = STAGES[stage]
    pages[0].prepare(world)
    world.episode.refresh_from_db()
    wrong = []
    for page in pages:
        path = page_path(page, world)
        for role, client in clients.items():
            response = _ask(client, page, path, world)
            expected = expected_status(page, role)
            location = response.get("Location", "") if response.status_code == 302 else ""
            if role == ANONYMOUS:
                ok = response.status_code == 302 and location.startswith("/sign-in")
            elif expected == {302}:
                # Done, and sent on to a page rather than back to sign in.
                ok = response.status_code == 302 and not location.startswith("/sign-in")
            else:
                ok = response.status_code in expected
            if not ok:
                wrong.append(f"{page.name} {page.method.upper()} {path} as {role}: "
                             f"expected {sorted(expected)}, got {_outcome(response)}")
    assert len({p.prepare for p in pages}) == 1
    assert not wrong, "\n".join(wrong)


# Outside what a person may see: 404 on every page of a child's records ----------------------

# A child's or an episode's pages; not a held authority message's, which names a child only as
# the one chosen to match it (the MCT's and the co-ordinator's, whoever the child is).
CHILD_PAGES = [p for p in PAGES
               if ("{child}" in p.path or "{episode}" in p.path) and "{exchange_message}" not in p.path]


@pytest.fixture
def stranger(world: World, make_child: Any) -> World:
    """Another team's child, placed with another provider, whose episode (returned, its interview
    done by another practitioner) no one in the matrix is linked to."""
    user_create(username="other.team.worker", role="social_worker", password=None, validate=False,
                team_name="Assessment and Intervention")
    other_practitioner = user_create(username="other.practitioner", role="rhi_practitioner", password=None,
                                     validate=False, organisation_name="Another Charity")
    child = make_child(team="Assessment and Intervention", given_name="Stranger", family_name="Unseen",
                       placement={"authority": "941", "provider": "Elsewhere"})
    episode = episode_report(actor=world.coordinator, child=child, reported_at=when(600),
                             reported_by="police").episode
    other = World(child=child, episode=episode, coordinator=world.coordinator, practitioner=other_practitioner)
    _returned(other)
    rhi_allocate(actor=world.coordinator, episode=episode, practitioner=other_practitioner, allocated_at=when(250))
    rhi_record_offer(actor=world.coordinator, episode=episode, offered_at=when(200), method="Visit")
    from homeward.casework.interviews import InterviewRecord

    rhi_record_interview(actor=world.coordinator, episode=episode, record=InterviewRecord(
        outcome="accepted", conducted_at=when(150), method="face_to_face", seen_alone=True,
        wishes_and_feelings="Secret"))
    episode.refresh_from_db()
    return other


# A social worker of another team, an IRO not the child's, an RHI practitioner not allocated,
# a provider with whom the child is not placed, the exploitation team where exploitation is no
# concern and nobody asked it (DOMAIN.md section 7).
SCOPED_ROLES = ["social_worker", "iro", "rhi_practitioner", "placement_provider", "exploitation_team"]


@pytest.mark.parametrize("role", SCOPED_ROLES)
def test_a_child_outside_the_persons_scope_is_404_on_every_page_of_it(
    role: str, stranger: World, clients: dict[str, Client], world: World, media: None,
) -> None:
    _photo(stranger)
    _meeting_action(stranger)
    _adult(stranger)
    _consultation(stranger)
    _plan_action(stranger)
    _visit(stranger)
    client = clients[role]
    wrong = []
    for page in CHILD_PAGES:
        path = page_path(page, stranger)
        response = _ask(client, page, path, stranger)
        # 404, whether or not the person's role could otherwise do this (the child first).
        if response.status_code != 404:
            wrong.append(f"{page.name} {page.method.upper()} {path}: got {_outcome(response)}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("role", [*SCOPED_ROLES, "auditor"])
def test_lists_and_searches_do_not_name_a_child_outside_the_persons_scope(
    role: str, stranger: World, world: World, clients: dict[str, Client],
) -> None:
    client = clients[role]
    for path in ("/", "/missing-now", "/search?q=Unseen", "/search?q=Stranger", "/interviews/mine",
                 "/report?q=Unseen", "/work"):
        response = client.get(path)
        assert response.status_code in (200, 403), (path, response.status_code)
        body = response.content.decode()
        assert "Stranger Unseen" not in body and f'href="/children/{stranger.child.pk}"' not in body, (
            f"{role} sees the stranger on {path}")


def test_police_do_not_see_a_child_never_reported_missing(world: World, make_child: Any,
                                                           clients: dict[str, Client]) -> None:
    never = make_child(team="Children in Care North")
    police = clients["police_liaison"]
    assert police.get(f"/children/{never.pk}").status_code == 404
    assert police.get(f"/children/{never.pk}/philomena").status_code == 404
    assert police.get(f"/children/{world.child.pk}").status_code == 200
