"""Children's services' risk analysis while a child is missing may be coded: seed 004's
immediate risks and the push and pull factors known so far. The codes are checked against
their lists, kept with the action, written to the chronology and the audit log, answered by
the API and counted on the patterns report."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from homeward.audit.models import AuditEntry
from homeward.casework.episodes import episode_record_action, episode_report
from homeward.children.models import ChronologyEntry
from homeward.common.errors import DomainValidationError
from homeward.common.timeutil import local_date
from homeward.episodes.models import EpisodeAction
from homeward.reporting.history import month_key
from homeward.reporting.patterns import patterns

pytestmark = pytest.mark.django_db


@pytest.fixture
def episode(coordinator: Any, make_child: Any) -> Any:
    return episode_report(actor=coordinator, child=make_child(), reported_at=timezone.now() - timedelta(hours=5),
                          reported_by="placement_provider", classification="missing").episode


def test_a_coded_risk_analysis_is_kept_chronicled_and_audited(coordinator: Any, episode: Any) -> None:
    at = timezone.now() - timedelta(hours=1)
    record = episode_record_action(actor=coordinator, episode=episode, action="risk_analysis", at=at,
                                   note="Seen with older males at the bus station.",
                                   immediate_risks=["exploitation", "missed_education"],
                                   pull_factors=["grooming_or_coercion"])
    assert record.detail == {"immediate_risks": ["exploitation", "missed_education"],
                             "pull_factors": ["grooming_or_coercion"]}
    line = ChronologyEntry.objects.get(episode=episode, kind="action_risk_analysis")
    assert line.summary == ("Children's services risk analysis recorded: Seen with older males at the bus station. "
                            "Immediate risks: Sexual or criminal exploitation, Missed education. "
                            "Pull factors: Grooming or coercion by a peer or older person.")
    entry = AuditEntry.objects.get(object_type="episode_action", object_id=str(record.pk))
    assert entry.detail["immediate_risks"] == ["exploitation", "missed_education"]
    assert episode.obligations.get(code="risk_analysis").done_at == at


@pytest.mark.parametrize(("field", "values", "action", "message"), [
    ("immediate_risks", ["exploitation", "ghosts"], "risk_analysis", "'ghosts' is not a code of the risks list."),
    ("push_factors", ["victim_of_crime"], "risk_analysis", "'victim_of_crime' is not a code of the push_factors"),
    ("pull_factors", ["peers_or_partners", "peers_or_partners"], "risk_analysis", "Give each code once."),
    ("immediate_risks", ["exploitation"], "manager_informed", "Only a risk analysis records these."),
])
def test_bad_codes_are_refused_naming_the_field_and_nothing_is_stored(
    coordinator: Any, episode: Any, field: str, values: list[str], action: str, message: str,
) -> None:
    with pytest.raises(DomainValidationError) as raised:
        episode_record_action(actor=coordinator, episode=episode, action=action,
                              at=timezone.now() - timedelta(hours=1), **{field: values})
    assert [(e.field, e.message[:len(message)]) for e in raised.value.errors] == [(field, message)]
    assert not EpisodeAction.objects.filter(episode=episode).exists()
    assert not ChronologyEntry.objects.filter(episode=episode, kind__startswith="action_").exists()


def test_the_api_takes_and_answers_the_codes(api: Any, episode: Any) -> None:
    url = f"/api/v1/episodes/{episode.pk}/actions"
    at = (timezone.now() - timedelta(hours=1)).isoformat()
    response = api.post(url, {"action": "risk_analysis", "at": at, "immediate_risks": ["victim_of_crime"],
                              "push_factors": ["conflict_at_home"]}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["immediate_risks"], body["push_factors"], body["pull_factors"]) == (
        ["victim_of_crime"], ["conflict_at_home"], [])
    refused = api.post(url, {"action": "risk_analysis", "at": at, "immediate_risks": ["nonsense"]}, format="json")
    assert refused.status_code == 400
    assert "immediate_risks" in refused.content.decode()
    plain = api.post(url, {"action": "manager_informed", "at": at}, format="json")
    assert plain.status_code == 201
    assert plain.json()["immediate_risks"] == []


def test_patterns_count_each_immediate_risk_once_an_episode_by_month(
    coordinator: Any, episode: Any, make_child: Any,
) -> None:
    other = episode_report(actor=coordinator, child=make_child(), reported_at=timezone.now() - timedelta(hours=4),
                           reported_by="police", classification="missing").episode
    at = timezone.now() - timedelta(minutes=30)
    # A second analysis of the same episode names a risk again: the episode still counts once.
    for chosen, target in ((["exploitation", "trafficking"], episode), (["exploitation"], episode),
                           (["exploitation"], other)):
        episode_record_action(actor=coordinator, episode=target, action="risk_analysis", at=at,
                              immediate_risks=chosen)
    today = local_date(timezone.now())
    found = patterns(coordinator, first=today - timedelta(days=2), last=today)
    risks = {t.code: t for t in found.factors if t.kind == "risk"}
    assert list(risks) == ["exploitation", "trafficking"]  # most episodes first
    assert (risks["exploitation"].total, risks["exploitation"].episodes) == (2, sorted([episode.pk, other.pk]))
    assert risks["exploitation"].label == "Sexual or criminal exploitation"
    month = found.months.index(month_key(episode.missing_since))
    assert risks["trafficking"].by_month[month] == 1 and sum(risks["trafficking"].by_month) == 1
    assert not [t for t in found.factors if t.kind in ("push", "pull")]  # no interview yet
