"""Who may be allocated a child's return interview (DOMAIN.md section 5a): any professional not
in the child's direct care; the child's IRO at the child's request; never the carers or the
placement provider; the child's own social worker as the protocol chooses."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from homeward.audit.models import AuditEntry
from homeward.casework.episodes import episode_record_found, episode_report
from homeward.casework.interviews import InterviewRecord, rhi_allocate, rhi_record_interview, rhi_record_offer
from homeward.children.models import ChronologyEntry
from homeward.common.errors import DomainValidationError
from homeward.interviews.models import RhiAllocation

pytestmark = pytest.mark.django_db


def ago(hours: float) -> Any:
    return timezone.now() - timedelta(hours=hours)


@pytest.fixture
def people(make_user: Any) -> dict[str, Any]:
    return {
        "worker": make_user("social_worker", team="Children in Care North", username="sw.own"),
        "other_worker": make_user("social_worker", team="Assessment and Intervention", username="sw.other"),
        "iro": make_user("iro", username="iro.own"),
        "other_iro": make_user("iro", username="iro.other"),
        "provider": make_user("placement_provider", organisation="Oakfield Homes", username="provider"),
        "provider_staff": make_user("rhi_practitioner", organisation="Oakfield Homes", username="oak.key"),
        "advocate": make_user("rhi_practitioner", organisation="Voice Advocacy", username="advocate"),
        "manager": make_user("team_manager", username="tm"),
        "police": make_user("police_liaison", username="pc"),
    }


@pytest.fixture
def episode(coordinator: Any, make_child: Any, people: dict[str, Any]) -> Any:
    provider = people["provider"]
    child = make_child(team="Children in Care North", allocated_worker="sw.own", iro="iro.own",
                       placement={"authority": "941", "provider": "Oakfield House",
                                  "provider_organisation_id": provider.organisation_id})
    episode = episode_report(actor=coordinator, child=child, reported_at=ago(30), reported_by="police",
                             classification="missing").episode
    episode_record_found(actor=coordinator, episode=episode, found_at=ago(20))
    return episode


def _refused(coordinator: Any, episode: Any, person: Any, **kwargs: Any) -> dict[str, str]:
    with pytest.raises(DomainValidationError) as raised:
        rhi_allocate(actor=coordinator, episode=episode, practitioner=person, allocated_at=ago(2), **kwargs)
    assert not RhiAllocation.objects.filter(practitioner=person).exists()
    return {e.field: e.message for e in raised.value.errors}


@pytest.mark.parametrize("who", ["other_worker", "advocate", "manager"])
def test_a_professional_not_in_direct_care_may_be_allocated(coordinator: Any, episode: Any,
                                                            people: dict[str, Any], who: str) -> None:
    rhi = rhi_allocate(actor=coordinator, episode=episode, practitioner=people[who], allocated_at=ago(2))
    assert rhi.practitioner == people[who]


@pytest.mark.parametrize("who", ["provider", "provider_staff"])
def test_the_placement_provider_and_its_staff_are_refused(coordinator: Any, episode: Any,
                                                          people: dict[str, Any], who: str) -> None:
    errors = _refused(coordinator, episode, people[who])
    assert "direct care" in errors["practitioner"]


def test_police_liaison_are_refused(coordinator: Any, episode: Any, people: dict[str, Any]) -> None:
    assert "practitioner" in _refused(coordinator, episode, people["police"])


def test_the_childs_iro_only_at_the_childs_request(coordinator: Any, episode: Any, people: dict[str, Any]) -> None:
    assert "at_child_request" in _refused(coordinator, episode, people["iro"])
    assert "practitioner" in _refused(coordinator, episode, people["other_iro"], at_child_request=True)
    rhi_allocate(actor=coordinator, episode=episode, practitioner=people["iro"], allocated_at=ago(2),
                 at_child_request=True)
    line = ChronologyEntry.objects.filter(episode=episode, kind="rhi_allocated").latest("id")
    assert "At the child's request." in line.summary
    entry = AuditEntry.objects.filter(object_type="return_interview", child_id=episode.child_id).latest("id")
    assert entry.detail["at_child_request"] is True


def test_the_childs_iro_records_the_interview_allocated_to_them(coordinator: Any, episode: Any,
                                                                people: dict[str, Any]) -> None:
    iro = people["iro"]
    rhi_allocate(actor=coordinator, episode=episode, practitioner=iro, allocated_at=ago(5), at_child_request=True)
    rhi_record_offer(actor=iro, episode=episode, offered_at=ago(4), method="Visit")
    rhi = rhi_record_interview(actor=iro, episode=episode, record=InterviewRecord(
        outcome="accepted", conducted_at=ago(3), method="face_to_face", seen_alone=True))
    assert rhi.outcome == "accepted"


def test_the_own_social_worker_needs_a_recorded_reason_by_default(coordinator: Any, episode: Any,
                                                                  people: dict[str, Any]) -> None:
    errors = _refused(coordinator, episode, people["worker"])
    assert "own allocated social worker" in errors["reason"]
    rhi_allocate(actor=coordinator, episode=episode, practitioner=people["worker"], allocated_at=ago(2),
                 reason="Agreed by the network: the child will talk to no one else")
    allocation = RhiAllocation.objects.get(practitioner=people["worker"])
    assert allocation.reason == "Agreed by the network: the child will talk to no one else"


def test_a_protocol_may_refuse_the_own_social_worker(coordinator: Any, episode: Any, people: dict[str, Any],
                                                     settings: Any, tmp_path: Any) -> None:
    path = tmp_path / "protocol.toml"
    path.write_text('effective_from = 2017-01-16\n[rhi]\nown_social_worker = "refuse"\n', encoding="utf-8")
    settings.HOMEWARD_PROTOCOL = str(path)
    errors = _refused(coordinator, episode, people["worker"], reason="The child asked")
    assert "protocol does not allow" in errors["practitioner"]
