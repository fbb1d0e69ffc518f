"""The episode page reads each kind of the episode's rows once, whether or not there is any: an
episode just reported and one with its whole casework cost the same number of queries (issue 11),
and the page still shows that casework."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from homeward.casework.consultations import consultation_record
from homeward.casework.episodes import episode_record_action, episode_record_found, episode_regrade_risk, episode_report
from homeward.casework.interviews import rhi_allocate, rhi_record_offer
from homeward.casework.meetings import AgreedAction, strategy_meeting_record
from homeward.casework.plans import PlanContent, PlannedAction, action_plan_record, vulnerability_judge

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(second=0, microsecond=0)


def ago(hours: float) -> Any:
    return NOW - timedelta(hours=hours)


def test_a_bare_episode_and_a_full_one_cost_the_same_queries(web: Client, coordinator: Any, make_child: Any,
                                                              make_user: Any) -> None:
    make_user("social_worker", team="North", username="sw1")
    practitioner = make_user("rhi_practitioner", organisation="SR", username="aisha")
    bare = episode_report(actor=coordinator, child=make_child(given_name="Bare"), reported_at=ago(5),
                          reported_by="police").episode
    child = make_child(given_name="Ella", allocated_worker="sw1", team="North")
    full = episode_report(actor=coordinator, child=child, reported_at=ago(60), reported_by="police").episode
    episode_regrade_risk(actor=coordinator, episode=full, risk_level="high", graded_at=ago(59), rationale="Older male")
    episode_record_action(actor=coordinator, episode=full, action="risk_analysis", at=ago(58), note="Analysed",
                          immediate_risks=["exploitation"])
    strategy_meeting_record(actor=coordinator, episode=full, held_at=ago(50), kind="missing_strategy",
                            attendees=["Priya"], decisions="Check associates",
                            actions=[AgreedAction(owner="sw1", description="Visit the flat")])
    action_plan_record(actor=coordinator, episode=full, agreed_at=ago(55), content=PlanContent(
        contact_by="Sam", contact_how="Texts", family_told="All news", family_how_often="Daily",
        return_who_sees="The carer", return_interviewer="Aisha"), actions=[PlannedAction(owner="sw1",
                                                                                         description="Call school")])
    vulnerability_judge(actor=coordinator, episode=full, judged_at=ago(45), reason="Older associates")
    consultation_record(actor=coordinator, episode=full, kind="pre_mace", decision="made", decided_at=ago(44),
                        reason="Contextual harm")
    episode_record_found(actor=coordinator, episode=full, found_at=ago(40))
    rhi_allocate(actor=coordinator, episode=full, practitioner=practitioner, allocated_at=ago(39))
    rhi_record_offer(actor=coordinator, episode=full, offered_at=ago(38), method="Phone call")

    def read(episode: Any) -> tuple[int, str]:
        with CaptureQueriesContext(connection) as captured:
            response = web.get(f"/episodes/{episode.pk}")
        assert response.status_code == 200
        return len(captured.captured_queries), response.content.decode()

    read(bare)  # the session's first request reads more (its device, its key): not the page's own
    bare_queries, _ = read(bare)
    full_queries, body = read(full)
    assert full_queries == bare_queries
    if connection.vendor == "postgresql":
        # The session, its person, the episode, its audit entry, every kind of row in one round
        # trip, the people they name.
        assert full_queries == 6
    for shown in ("Older male", "Check associates", "Visit the flat", "Call school", "Texts", "Older associates",
                  "Contextual harm", "To aisha", "Phone call", "Exploitation"):
        assert shown in body, shown
