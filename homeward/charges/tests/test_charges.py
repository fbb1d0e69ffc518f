"""A chargeable exceptional interview becomes a charge to the placing authority when it is
authorised, at the protocol's fee (DOMAIN.md section 4; seed 001); withdrawn, never deleted."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from homeward.audit.models import AuditEntry
from homeward.casework.charges import charge_withdraw
from homeward.casework.episodes import episode_record_found, episode_report
from homeward.casework.interviews import (
    InterviewRecord,
    rhi_allocate,
    rhi_amend,
    rhi_authorise,
    rhi_record_interview,
    rhi_record_offer,
)
from homeward.charges.models import Charge
from homeward.charges.selectors import CSV_COLUMNS, charge_list_for_user, charges_csv
from homeward.children.models import ChronologyEntry
from homeward.common.errors import DomainValidationError, PermissionDenied
from homeward.common.timeutil import local_date

pytestmark = pytest.mark.django_db

NOW = timezone.now


def _interviewed(coordinator: Any, practitioner: Any, child: Any, *, exceptional: bool, outcome: str) -> Any:
    episode = episode_report(actor=coordinator, child=child, reported_at=NOW() - timedelta(hours=30),
                             reported_by="police", classification="missing").episode
    episode_record_found(actor=coordinator, episode=episode, found_at=NOW() - timedelta(hours=20))
    rhi_allocate(actor=coordinator, episode=episode, practitioner=practitioner,
                 allocated_at=NOW() - timedelta(hours=19), exceptional=exceptional)
    rhi_record_offer(actor=coordinator, episode=episode, offered_at=NOW() - timedelta(hours=18), method="Visit")
    accepted = outcome == "accepted"
    rhi_record_interview(actor=coordinator, episode=episode, record=InterviewRecord(
        outcome=outcome, conducted_at=NOW() - timedelta(hours=10), method="face_to_face" if accepted else "",
        seen_alone=True if accepted else None))
    episode.refresh_from_db()
    return episode


@pytest.fixture
def placed_here(make_child: Any) -> Any:
    """Sandwell's looked-after child placed in the home authority (941)."""
    return make_child(responsible_authority="333", placement={"authority": "941", "provider": "Oak House"})


@pytest.fixture
def practitioner(make_user: Any) -> Any:
    return make_user("rhi_practitioner", organisation="Safe Return")


def test_authorising_an_exceptional_interview_raises_the_charge(coordinator: Any, practitioner: Any,
                                                                 placed_here: Any) -> None:
    episode = _interviewed(coordinator, practitioner, placed_here, exceptional=True, outcome="accepted")
    assert episode.rhi_chargeable and episode.rhi_exceptional
    assert not Charge.objects.exists()
    rhi_authorise(actor=coordinator, episode=episode, authorised_at=NOW() - timedelta(hours=2))
    charge = Charge.objects.get(episode=episode)
    assert charge.authority.code == "333" and charge.fee_pence == 35000 and charge.fee == "350.00"
    assert charge.interview_on == local_date(NOW() - timedelta(hours=10))
    assert charge.raised_by == coordinator and "Homeward default protocol" in charge.protocol
    line = ChronologyEntry.objects.get(episode=episode, kind="charge_raised")
    assert "£350.00" in line.summary and "Sandwell" in line.summary
    assert AuditEntry.objects.filter(object_type="charge", object_id=str(charge.pk), action="create",
                                     child_id=placed_here.pk).exists()


def test_an_amendment_authorised_raises_no_second_charge(coordinator: Any, practitioner: Any,
                                                         placed_here: Any) -> None:
    episode = _interviewed(coordinator, practitioner, placed_here, exceptional=True, outcome="accepted")
    rhi_authorise(actor=coordinator, episode=episode, authorised_at=NOW() - timedelta(hours=3))
    rhi_amend(actor=coordinator, episode=episode, amended_at=NOW() - timedelta(hours=2), reason="Typo",
              record=InterviewRecord(outcome="accepted", conducted_at=NOW() - timedelta(hours=10),
                                     method="face_to_face", seen_alone=True))
    rhi_authorise(actor=coordinator, episode=episode, authorised_at=NOW() - timedelta(hours=1))
    assert Charge.objects.filter(episode=episode).count() == 1


def test_no_charge_for_an_outcome_the_protocol_does_not_charge_or_a_child_of_our_own(
        coordinator: Any, practitioner: Any, placed_here: Any, make_child: Any) -> None:
    declined = _interviewed(coordinator, practitioner, placed_here, exceptional=True, outcome="declined")
    rhi_authorise(actor=coordinator, episode=declined, authorised_at=NOW() - timedelta(hours=2))
    ours = _interviewed(coordinator, practitioner, make_child(), exceptional=False, outcome="accepted")
    rhi_authorise(actor=coordinator, episode=ours, authorised_at=NOW() - timedelta(hours=2))
    assert not Charge.objects.exists()


def test_the_protocol_sets_the_fee_and_the_outcomes_charged(coordinator: Any, practitioner: Any,
                                                            placed_here: Any, tmp_path: Any, settings: Any) -> None:
    path = tmp_path / "protocol.toml"
    path.write_text('effective_from = 2017-01-16\n[charges]\nrhi_fee = "412.50"\nrhi_outcomes = ["declined"]\n',
                    encoding="utf-8")
    settings.HOMEWARD_PROTOCOL = str(path)
    episode = _interviewed(coordinator, practitioner, placed_here, exceptional=True, outcome="declined")
    rhi_authorise(actor=coordinator, episode=episode, authorised_at=NOW() - timedelta(hours=2))
    assert Charge.objects.get(episode=episode).fee == "412.50"


def test_a_charge_is_withdrawn_with_a_reason_once_and_listed_as_csv(coordinator: Any, practitioner: Any,
                                                                    placed_here: Any, make_user: Any) -> None:
    episode = _interviewed(coordinator, practitioner, placed_here, exceptional=True, outcome="accepted")
    rhi_authorise(actor=coordinator, episode=episode, authorised_at=NOW() - timedelta(hours=2))
    charge = Charge.objects.get()
    with pytest.raises(PermissionDenied):
        charge_withdraw(actor=make_user("team_manager"), charge=charge, withdrawn_at=NOW(), reason="x")
    with pytest.raises(DomainValidationError) as bad:
        charge_withdraw(actor=coordinator, charge=charge, withdrawn_at=NOW() - timedelta(days=2), reason=" ")
    assert {e.field for e in bad.value.errors} == {"withdrawn_at", "reason"}
    charge_withdraw(actor=coordinator, charge=charge, withdrawn_at=NOW(), reason="Sandwell held it after all")
    with pytest.raises(DomainValidationError) as again:
        charge_withdraw(actor=coordinator, charge=charge, withdrawn_at=NOW(), reason="Twice")
    assert {e.field for e in again.value.errors} == {"charge"}
    assert ChronologyEntry.objects.filter(episode=episode, kind="charge_withdrawn").count() == 1
    charges = list(charge_list_for_user(coordinator))
    text = charges_csv(charges)
    header, row = text.strip().split("\r\n")
    assert header.split(",") == list(CSV_COLUMNS)
    assert ",333,Sandwell," in row and ",350.00," in row and "Sandwell held it after all" in row
    assert list(charge_list_for_user(coordinator, include_withdrawn=False)) == []
    with pytest.raises(PermissionDenied):
        charge_list_for_user(make_user("social_worker"))


def test_a_csv_cell_never_starts_a_formula(coordinator: Any, practitioner: Any, make_child: Any) -> None:
    child = make_child(responsible_authority="333", given_name="=HYPERLINK(1)",
                       placement={"authority": "941", "provider": "Oak House"})
    episode = _interviewed(coordinator, practitioner, child, exceptional=True, outcome="accepted")
    rhi_authorise(actor=coordinator, episode=episode, authorised_at=NOW() - timedelta(hours=2))
    assert "'=HYPERLINK(1)" in charges_csv(charge_list_for_user(coordinator))
