"""What police liaison see of a child (DOMAIN.md section 7, ADR 0008): episode and Philomena
data, not social care case notes, on the child's page, the episode's page, the chronology and
the API alike; the child's social worker sees all of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from homeward.accounts.permissions import may_read_action_note, may_read_casework_notes
from homeward.accounts.roles import Role
from homeward.casework.children import child_update
from homeward.casework.episodes import (
    episode_close,
    episode_record_action,
    episode_record_found,
    episode_regrade_risk,
    episode_report,
)
from homeward.casework.meetings import AgreedAction, strategy_meeting_record
from homeward.children.services import PlacementInput, philomena_profile_update, responsible_adult_add
from homeward.episodes.models import Episode
from homeward.interviews.selectors import chronology_for_user
from homeward.obligations.services import episode_obligations_evaluate

pytestmark = pytest.mark.django_db

# Words written only into the social care record: none may reach the police.
SOCIAL_CARE_ONLY = {
    "earlier legal status": "Child in need",
    "earlier placement": "Brook Lodge",
    "person with parental responsibility": "Sam Parentname",
    "their phone": "07700 900123",
    "school": "Hillside Academy",
    "manager informed note": "Mother's new partner is known to children's services",
    "risk analysis note": "Sibling disclosed neglect at home",
    "carer update note": "Carer reports self-harm marks last week",
    "closing note": "Plan reviewed with the family court in mind",
}
# Episode and Philomena data: the police see all of it.
SHARED = {
    "Philomena description": "Slim build, red hoodie",
    "risk rationale": "Known to older males at the bus station",
    "current placement": "Oakfield House",
    "safe and well note": "Seen by PC Amber Lane, no injuries",
    "meeting decisions": "Address checks on Fenton Road tonight",
    "meeting action": "Check Fenton Road flat",
    "current legal status": "Looked after",
    "where found": "Fenton Road",
}


@dataclass
class Case:
    child: Any
    episode: Episode
    social_worker: Any
    police: Any


@pytest.fixture
def case(make_child: Any, make_user: Any, coordinator: Any) -> Case:
    """A child once in need, now looked after and moved from one home to another, absent once:
    reported, graded, found, checked by police, discussed at a strategy meeting, every follow-up
    recorded (some with social care's notes) and closed with a note."""
    social_worker = make_user("social_worker", team="Children in Care North")
    police = make_user("police_liaison")
    child = make_child(team="Children in Care North", legal_status="child_in_need", legal_status_since=date(2019, 3, 1),
                       school=SOCIAL_CARE_ONLY["school"],
                       placement={"authority": "941", "provider": SOCIAL_CARE_ONLY["earlier placement"],
                                  "started_on": date(2020, 1, 1)})
    child_update(actor=coordinator, child=child, legal_status="looked_after", legal_status_since=date(2023, 2, 1),
                 placement=PlacementInput(authority="941", provider=SHARED["current placement"],
                                          started_on=date(2023, 2, 1)))
    responsible_adult_add(actor=coordinator, child=child, name=SOCIAL_CARE_ONLY["person with parental responsibility"],
                          relationship="Mother", phone=SOCIAL_CARE_ONLY["their phone"])
    philomena_profile_update(actor=coordinator, child=child, description=SHARED["Philomena description"])
    now = timezone.now()
    episode = episode_report(actor=coordinator, child=child, reported_at=now - timedelta(hours=10),
                             reported_by="police", classification="absent").episode
    episode_regrade_risk(actor=police, episode=episode, risk_level="low", graded_at=now - timedelta(hours=9),
                         graded_by="PS Khan", rationale=SHARED["risk rationale"])
    strategy_meeting_record(actor=coordinator, episode=episode, held_at=now - timedelta(hours=8),
                            kind="missing_strategy", attendees=["PS Khan", "Social worker"],
                            decisions=SHARED["meeting decisions"],
                            actions=[AgreedAction(owner=police.username, description=SHARED["meeting action"])])
    episode_record_found(actor=coordinator, episode=episode, found_at=now - timedelta(hours=6),
                         found_location=SHARED["where found"])
    notes = {"manager_informed": SOCIAL_CARE_ONLY["manager informed note"],
             "risk_analysis": SOCIAL_CARE_ONLY["risk analysis note"],
             "carer_update": SOCIAL_CARE_ONLY["carer update note"]}
    for action, note in notes.items():
        episode_record_action(actor=coordinator, episode=episode, action=action, at=now - timedelta(hours=5),
                              note=note)
    episode_record_action(actor=police, episode=episode, action="safe_and_well_check",
                          at=now - timedelta(hours=5), note=SHARED["safe and well note"])
    episode.refresh_from_db()
    for obligation in episode_obligations_evaluate(episode, now):
        if obligation.status in ("pending", "overdue") and obligation.code == "action_plan":
            from homeward.casework.plans import PlanContent, action_plan_record

            action_plan_record(actor=coordinator, episode=episode, agreed_at=now - timedelta(hours=4),
                               content=PlanContent(contact_by="Key worker", contact_how="Texts", family_told="All",
                                                   family_how_often="Daily", return_who_sees="Carer",
                                                   return_interviewer="MCT"))
        elif obligation.status in ("pending", "overdue"):
            episode_record_action(actor=coordinator, episode=episode, action=obligation.code,
                                  at=now - timedelta(hours=4))
    episode_close(actor=coordinator, episode=episode, closed_at=now - timedelta(hours=1),
                  note=SOCIAL_CARE_ONLY["closing note"])
    return Case(child=child, episode=episode, social_worker=social_worker, police=police)


def _page(user: Any, path: str) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode().replace("&#x27;", "'")


def _pages(case: Case, user: Any) -> str:
    return (_page(user, reverse("web:child", args=[case.child.pk]))
            + _page(user, reverse("web:episode", args=[case.episode.pk])))


def test_the_rule_lies_in_the_choke_point(make_user: Any) -> None:
    police = make_user("police_liaison")
    assert not may_read_casework_notes(police)
    assert may_read_action_note(police, "safe_and_well_check")
    assert not may_read_action_note(police, "carer_update")
    for role in sorted(set(Role.values) - {Role.POLICE_LIAISON}):
        assert may_read_casework_notes(make_user(role)), role
        assert may_read_action_note(make_user(role), "carer_update"), role


def test_police_pages_show_episode_and_philomena_data_but_no_social_care_notes(case: Case) -> None:
    html = _pages(case, case.police)
    leaked = [name for name, words in SOCIAL_CARE_ONLY.items() if words in html]
    missing = [name for name, words in SHARED.items() if words not in html]
    assert not leaked, f"shown to police: {leaked}"
    assert not missing, f"not shown to police: {missing}"
    # The recorded actions are still listed, without their notes.
    assert "Team manager informed." in html
    assert "Update from the carer." in html
    assert "Episode closed." in html
    assert "stay with children's services" in html


def test_the_social_worker_sees_the_whole_record(case: Case) -> None:
    html = _pages(case, case.social_worker)
    missing = [name for name, words in {**SOCIAL_CARE_ONLY, **SHARED}.items() if words not in html]
    assert not missing, f"not shown to the social worker: {missing}"
    assert "stay with children's services" not in html


def test_the_chronology_leaves_out_the_legal_status_and_placement_history_for_police(case: Case) -> None:
    entries = case.child.chronology.order_by("at", "id")
    police_kinds = [e.kind for e in chronology_for_user(case.police, entries)]
    worker_kinds = [e.kind for e in chronology_for_user(case.social_worker, entries)]
    assert "legal_status_changed" in worker_kinds and "placement_changed" in worker_kinds
    assert "legal_status_changed" not in police_kinds and "placement_changed" not in police_kinds
    # Every event of the episode is there for both.
    episode_kinds = [e.kind for e in entries if e.episode_id]
    assert [k for k in police_kinds if k in episode_kinds] == episode_kinds
    # The rows are copies: nothing is saved.
    assert case.child.chronology.filter(kind="closed", summary__contains="family court").exists()


def test_the_api_child_answer_leaves_out_history_and_school_for_police(case: Case, api_for: Any) -> None:
    path = f"/api/v1/children/{case.child.pk}"
    police = api_for(case.police).get(path).json()
    worker = api_for(case.social_worker).get(path).json()
    assert worker["school"] == SOCIAL_CARE_ONLY["school"]
    assert [p["status"] for p in worker["legal_status_history"]] == ["child_in_need", "looked_after"]
    assert "school" not in police and "legal_status_history" not in police
    # Every field API.md names is kept, the same for both.
    assert set(worker) - set(police) == {"school", "legal_status_history"}
    for name in ("external_id", "given_name", "family_name", "date_of_birth", "sex", "legal_status",
                 "legal_status_since", "responsible_authority", "placement", "allocated_worker", "team", "iro",
                 "episodes", "episodes_last_90_days"):
        assert police[name] == worker[name], name
    assert police["legal_status"] == "looked_after"
    assert police["placement"]["provider"] == SHARED["current placement"]


def test_the_api_episode_answer_is_the_same_for_police(case: Case, api_for: Any) -> None:
    """The episode's answer holds episode data only (notification, gradings with rationale,
    classifications, return): police get it whole."""
    path = f"/api/v1/episodes/{case.episode.pk}"
    police = api_for(case.police).get(path).json()
    worker = api_for(case.social_worker).get(path).json()
    assert police == worker
    assert police["risk_gradings"][-1]["rationale"] == SHARED["risk rationale"]
    assert SOCIAL_CARE_ONLY["closing note"] not in str(police)
    meetings = api_for(case.police).get(path + "/strategy-meetings").json()
    assert meetings[0]["decisions"] == SHARED["meeting decisions"]
