"""Consultations and referrals counted in the patterns report (issue 15; DOMAIN.md sections 5a
and 8): per kind, over the period's episodes, by the month each episode started, in one SQL
aggregate; the service, the API and the page."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from homeward.casework.consultations import consultation_record, consultation_record_outcome
from homeward.casework.episodes import episode_cancel
from homeward.protocol.consultations import CONSULTATION_LABELS
from homeward.reporting.patterns import patterns

from .conftest import london

pytestmark = pytest.mark.django_db

FIRST, LAST = date(2024, 6, 1), date(2024, 7, 31)


@pytest.fixture
def decided(coordinator: Any, make_child: Any, episode: Any) -> dict[str, Any]:
    """Episodes of June and July 2024 (one starting at 00:30 on 1 July, London summer time:
    still 30 June in UTC) with their consultations, one episode before the period and one
    cancelled, whose decisions do not count."""
    child, other = make_child(), make_child()
    before = episode(child, london(2024, 5, 20, 9), london(2024, 5, 21, 9))
    june = episode(child, london(2024, 6, 10, 9), london(2024, 6, 11, 9))
    july = episode(other, london(2024, 7, 1, 0, 30), london(2024, 7, 2, 9))
    cancelled = episode(other, london(2024, 7, 20, 9))

    def decide(ep: Any, kind: str, decision: str, *, outcome: bool = False) -> Any:
        made = consultation_record(actor=coordinator, episode=ep, kind=kind, decision=decision,
                                   decided_at=ep.missing_since + timedelta(hours=2), reason="Considered")
        if outcome:
            consultation_record_outcome(actor=coordinator, consultation=made, outcome="Plan agreed",
                                        outcome_at=ep.missing_since + timedelta(hours=5))
        return made

    decide(june, "section_47", "made", outcome=True)
    decide(june, "pre_mace", "not_made")
    decide(july, "section_47", "made")
    decide(july, "pre_mace", "made", outcome=True)
    decide(july, "early_help_assessment", "not_made")
    decide(before, "section_47", "made")
    decide(cancelled, "section_47", "made")
    episode_cancel(actor=coordinator, episode=cancelled, reason="Reported in error")
    return {"june": june, "july": july}


def _by_kind(found: Any) -> dict[str, Any]:
    return {c.kind: c for c in found.consultations}


def test_the_period_s_decisions_are_counted_by_kind_and_by_the_month_the_episode_started(
        decided: dict[str, Any], coordinator: Any) -> None:
    found = patterns(coordinator, first=FIRST, last=LAST)
    assert found.months == ["2024-06", "2024-07"]
    kinds = _by_kind(found)
    # Every kind, in the order of the list, even with nothing counted.
    assert list(kinds) == ["section_47", "pre_mace", "child_family_assessment", "early_help_assessment",
                           "duty_assessment_team"]
    s47 = kinds["section_47"]
    assert (s47.considered, s47.made, s47.not_made, s47.with_outcome, s47.by_month) == (2, 2, 0, 1, [1, 1])
    mace = kinds["pre_mace"]
    assert (mace.considered, mace.made, mace.not_made, mace.with_outcome, mace.by_month) == (2, 1, 1, 1, [1, 1])
    early = kinds["early_help_assessment"]
    # 00:30 on 1 July in London is July's, though it is 30 June in UTC.
    assert (early.considered, early.not_made, early.by_month) == (1, 1, [0, 1])
    assert kinds["duty_assessment_team"].considered == 0
    assert kinds["duty_assessment_team"].by_month == [0, 0]


def test_a_decision_the_guidance_prompted_is_counted_as_prompted(coordinator: Any, make_child: Any,
                                                                  episode: Any) -> None:
    """A high risk grading prompts a Section 47 strategy discussion: its decision is prompted."""
    ep = episode(make_child(), london(2024, 6, 3, 9), risk_level="high")
    consultation_record(actor=coordinator, episode=ep, kind="section_47", decision="made",
                        decided_at=london(2024, 6, 3, 10), reason="High risk")
    consultation_record(actor=coordinator, episode=ep, kind="child_family_assessment", decision="not_made",
                        decided_at=london(2024, 6, 3, 10), reason="Allocated")
    kinds = _by_kind(patterns(coordinator, first=FIRST, last=LAST))
    assert (kinds["section_47"].prompted, kinds["child_family_assessment"].prompted) == (1, 0)


def test_the_counts_are_one_aggregate_whatever_the_number_of_decisions(
        decided: dict[str, Any], coordinator: Any) -> None:
    """No loop over consultations in Python: one statement reads them, grouped in the database."""
    with CaptureQueriesContext(connection) as queries:
        patterns(coordinator, first=FIRST, last=LAST)
    reads = [q["sql"] for q in queries.captured_queries if "consultations_consultation" in q["sql"]]
    assert len(reads) == 1
    assert "GROUP BY" in reads[0].upper() and "COUNT(" in reads[0].upper()


def test_a_scoped_reader_counts_only_the_episodes_they_may_see(decided: dict[str, Any], make_user: Any) -> None:
    """The counts follow the patterns' own scope (the period's episodes the person may see)."""
    from homeward.reporting.patterns import _consultation_trends
    from homeward.reporting.performance import episodes_starting

    stranger = make_user("social_worker", team="Nobody's team")
    trends = _consultation_trends(episodes_starting(stranger, FIRST, LAST), ["2024-06", "2024-07"])
    assert all(t.considered == 0 for t in trends)


def test_the_api_answers_the_counts_in_the_patterns(decided: dict[str, Any], api: Any) -> None:
    response = api.get("/api/v1/reports/patterns?from=2024-06-01&to=2024-07-31")
    assert response.status_code == 200
    counts = {c["kind"]: c for c in response.json()["consultations"]}
    s47 = counts["section_47"]
    assert s47["label"] == CONSULTATION_LABELS["section_47"]
    assert {k: v for k, v in s47.items() if k != "label"} == {
        "kind": "section_47", "considered": 2, "made": 2, "not_made": 0, "with_outcome": 1, "prompted": 0,
        "by_month": [1, 1]}
    assert counts["pre_mace"]["by_month"] == [1, 1]
    assert counts["early_help_assessment"]["by_month"] == [0, 1]


def test_the_patterns_page_shows_the_counts_in_a_chart_and_a_table(decided: dict[str, Any],
                                                                   coordinator: Any) -> None:
    web = Client()
    web.force_login(coordinator)
    response = web.get("/reports/patterns", {"from_date_day": "1", "from_date_month": "6", "from_date_year": "2024",
                                             "to_date_day": "31", "to_date_month": "7", "to_date_year": "2024"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="consultations"' in body and 'id="chart-consultations-title"' in body
    row = body.split('id="consultations-section_47"')[1].split("</tr>")[0]
    cells = [cell.split(">", 1)[1].split("<", 1)[0] for cell in row.split("<td")[1:]]
    # June, July, considered, made, not made, made with an outcome, prompted.
    assert cells == ["1", "1", "2", "2", "0", "1", "0"]
    assert 'href="/reports/consultations"' in body
