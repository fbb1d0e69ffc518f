"""Consultations and referrals as decisions: recorded through the casework write path, prompted
where the guidance prompts them, tracked to an outcome, in the chronology and the audit log,
counted (DOMAIN.md section 5a; seeds 002 and 004)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from homeward.audit.models import AuditEntry
from homeward.casework.consultations import (
    consultation_record,
    consultation_record_outcome,
    episode_consultation_prompts,
)
from homeward.casework.episodes import episode_record_action, episode_regrade_risk, episode_report
from homeward.children.models import ChronologyEntry
from homeward.common.errors import DomainValidationError, PermissionDenied
from homeward.consultations.models import Consultation
from homeward.consultations.selectors import consultation_counts, consultation_period

pytestmark = pytest.mark.django_db


@pytest.fixture
def episode(coordinator: Any, make_child: Any) -> Any:
    return episode_report(actor=coordinator, child=make_child(), reported_at=timezone.now() - timedelta(hours=20),
                          reported_by="police", classification="missing").episode


def _fields(error: DomainValidationError) -> set[str]:
    return {e.field for e in error.errors}


def test_a_decision_is_kept_with_reason_decider_chronology_and_audit(coordinator: Any, episode: Any) -> None:
    at = timezone.now() - timedelta(hours=2)
    consultation = consultation_record(actor=coordinator, episode=episode, kind="section_47", decision="made",
                                       decided_at=at, reason="Significant harm suspected", decided_by="")
    assert consultation.decided_by == coordinator.display_name
    assert consultation.reason == "Significant harm suspected"
    line = ChronologyEntry.objects.get(episode=episode, kind="consultation_made")
    assert "Section 47 strategy discussion considered: made" in line.summary and line.at == at
    entry = AuditEntry.objects.get(object_type="consultation", object_id=str(consultation.pk))
    assert entry.action == "create" and entry.child_id == episode.child_id


def test_bad_input_names_the_fields_and_stores_nothing(coordinator: Any, episode: Any) -> None:
    with pytest.raises(DomainValidationError) as raised:
        consultation_record(actor=coordinator, episode=episode, kind="mace", decision="maybe",
                            decided_at=timezone.now() + timedelta(days=1), reason="  ", decided_by="x" * 201)
    assert _fields(raised.value) == {"kind", "decision", "decided_at", "reason", "decided_by"}
    with pytest.raises(DomainValidationError) as early:
        consultation_record(actor=coordinator, episode=episode, kind="pre_mace", decision="made",
                            decided_at=episode.missing_since - timedelta(days=3), reason="x")
    assert _fields(early.value) == {"decided_at"}
    with pytest.raises(DomainValidationError) as missing:
        consultation_record(actor=coordinator, episode=episode, kind="pre_mace", decision="made", decided_at=None,
                            reason="x\u202e")
    assert _fields(missing.value) == {"decided_at", "reason"}
    assert not Consultation.objects.exists()


def test_police_may_not_record_a_decision(make_user: Any, episode: Any) -> None:
    with pytest.raises(PermissionDenied):
        consultation_record(actor=make_user("police_liaison"), episode=episode, kind="section_47",
                            decision="made", decided_at=timezone.now(), reason="x")


def test_prompts_follow_high_risk_exploitation_and_are_answered_by_a_decision(coordinator: Any,
                                                                           episode: Any) -> None:
    assert episode_consultation_prompts(episode) == ()
    episode_regrade_risk(actor=coordinator, episode=episode, risk_level="high",
                    graded_at=timezone.now() - timedelta(hours=5))
    episode.refresh_from_db()
    assert [p.kind for p in episode_consultation_prompts(episode)] == ["section_47", "duty_assessment_team"]
    episode_record_action(actor=coordinator, episode=episode, action="risk_analysis",
                          at=timezone.now() - timedelta(hours=4), immediate_risks=["exploitation"])
    prompts = {p.kind: p for p in episode_consultation_prompts(episode)}
    assert set(prompts) == {"section_47", "pre_mace", "duty_assessment_team"}
    assert prompts["section_47"].triggers == ("exploitation_indicators", "high_risk")
    consultation = consultation_record(actor=coordinator, episode=episode, kind="pre_mace", decision="not_made",
                                       decided_at=timezone.now() - timedelta(hours=1),
                                       reason="Already known to the MACE panel")
    assert consultation.prompted_by == ["exploitation_indicators"]
    answered = {p.kind: p.answered for p in episode_consultation_prompts(episode)}
    assert answered == {"section_47": False, "pre_mace": True, "duty_assessment_team": False}


def test_repeat_missing_prompts_pre_mace_and_early_help(coordinator: Any, make_child: Any) -> None:
    child = make_child()
    now = timezone.now()
    for days in (40, 20):
        earlier = episode_report(actor=coordinator, child=child, reported_at=now - timedelta(days=days),
                                 reported_by="police", classification="missing").episode
        from homeward.casework.episodes import episode_record_found

        episode_record_found(actor=coordinator, episode=earlier, found_at=now - timedelta(days=days - 1))
    third = episode_report(actor=coordinator, child=child, reported_at=now - timedelta(hours=3),
                           reported_by="police", classification="missing").episode
    assert [p.kind for p in episode_consultation_prompts(third)] == ["pre_mace", "early_help_assessment"]


def test_an_outcome_follows_a_decision_made_once(coordinator: Any, episode: Any) -> None:
    decided = timezone.now() - timedelta(hours=3)
    made = consultation_record(actor=coordinator, episode=episode, kind="early_help_assessment", decision="made",
                               decided_at=decided, reason="Risk of harm identified")
    with pytest.raises(DomainValidationError) as before:
        consultation_record_outcome(actor=coordinator, consultation=made, outcome="Done",
                                    outcome_at=decided - timedelta(minutes=1))
    assert _fields(before.value) == {"outcome_at"}
    done = consultation_record_outcome(actor=coordinator, consultation=made, outcome="Early Help plan agreed",
                                       outcome_at=timezone.now() - timedelta(hours=1))
    assert done.outcome == "Early Help plan agreed" and done.outcome_recorded_by == coordinator
    assert ChronologyEntry.objects.filter(episode=episode, kind="consultation_outcome").count() == 1
    with pytest.raises(DomainValidationError) as again:
        consultation_record_outcome(actor=coordinator, consultation=made, outcome="Again", outcome_at=timezone.now())
    assert _fields(again.value) == {"consultation"}
    not_made = consultation_record(actor=coordinator, episode=episode, kind="duty_assessment_team",
                                   decision="not_made", decided_at=decided, reason="No immediate risk")
    with pytest.raises(DomainValidationError) as none:
        consultation_record_outcome(actor=coordinator, consultation=not_made, outcome="", outcome_at=None)
    assert _fields(none.value) == {"consultation", "outcome", "outcome_at"}


def test_a_cancelled_episode_takes_no_decision_and_prompts_nothing(coordinator: Any, episode: Any) -> None:
    from homeward.casework.episodes import episode_cancel

    episode_regrade_risk(actor=coordinator, episode=episode, risk_level="high", graded_at=timezone.now())
    episode_cancel(actor=coordinator, episode=episode, reason="Reported in error")
    episode.refresh_from_db()
    assert episode_consultation_prompts(episode) == ()
    with pytest.raises(DomainValidationError) as raised:
        consultation_record(actor=coordinator, episode=episode, kind="section_47", decision="made",
                            decided_at=timezone.now(), reason="x")
    assert _fields(raised.value) == {"episode"}


def test_counts_by_kind_in_a_period(coordinator: Any, episode: Any) -> None:
    now = timezone.now()
    made = consultation_record(actor=coordinator, episode=episode, kind="section_47", decision="made",
                               decided_at=now - timedelta(hours=3), reason="x")
    consultation_record_outcome(actor=coordinator, consultation=made, outcome="s47 enquiry", outcome_at=now)
    consultation_record(actor=coordinator, episode=episode, kind="section_47", decision="not_made",
                        decided_at=now - timedelta(hours=2), reason="y")
    _first, _last, since, until = consultation_period(None, None)
    counts = {row["kind"]: row for row in consultation_counts(since=since, until=until)}
    assert counts["section_47"] == {"kind": "section_47", "label": "Section 47 strategy discussion",
                                    "considered": 2, "made": 1, "not_made": 1, "with_outcome": 1, "prompted": 0}
    assert counts["pre_mace"]["considered"] == 0
    assert len(counts) == 5
    _f, _l, since, until = consultation_period("2020-01-01", "2020-12-31")
    assert all(row["considered"] == 0 for row in consultation_counts(since=since, until=until))


@pytest.mark.parametrize(("first", "last", "field"), [("2020-13-01", None, "from"), (None, "0001-01-01", "to"),
                                                      ("2021-01-02", "2021-01-01", "from")])
def test_a_bad_period_names_its_end(first: str | None, last: str | None, field: str) -> None:
    with pytest.raises(DomainValidationError) as raised:
        consultation_period(first, last)
    assert _fields(raised.value) == {field}


def test_an_unallocated_child_judged_vulnerable_prompts_a_child_and_family_assessment(
        coordinator: Any, episode: Any) -> None:
    from homeward.casework.plans import vulnerability_judge

    assert episode.child.allocated_worker_id is None
    assert "child_family_assessment" not in [p.kind for p in episode_consultation_prompts(episode)]
    vulnerability_judge(actor=coordinator, episode=episode, judged_at=timezone.now() - timedelta(hours=1),
                        reason="Twelve, new to the area, and with an older boyfriend the family does not know.")
    prompts = {p.kind: p for p in episode_consultation_prompts(episode)}
    assert "unallocated_vulnerable" in prompts["child_family_assessment"].triggers
