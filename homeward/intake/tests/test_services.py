"""A notification taken in becomes the episode through the casework services when Homeward is
sure who it is about; anything less waits in the triage queue, where it is matched by hand."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from homeward.audit.models import AuditEntry
from homeward.common.errors import DomainValidationError, PermissionDenied
from homeward.episodes.models import Episode
from homeward.intake.models import MessageStatus, Outcome, PoliceMessage
from homeward.intake.parsing import PoliceNotification
from homeward.intake.selectors import intake_candidates
from homeward.intake.services import (
    intake_archive,
    intake_receive,
    intake_triage_create_child,
    intake_triage_match,
)

from .conftest import sample

pytestmark = pytest.mark.django_db


def receive(name: str, actor: Any = None) -> PoliceMessage:
    return intake_receive(raw=sample(name), source="upload" if actor else "mailbox", actor=actor).message


def test_a_compact_notification_becomes_the_episode_without_anyone_typing(jade: Any) -> None:
    message = receive("wmp-compact-missing.eml")
    episode = Episode.objects.get(child=jade)
    assert (message.status, message.outcome, message.episode, message.child) == (
        MessageStatus.DONE, Outcome.EPISODE_CREATED, episode, jade)
    assert message.reason == f"Episode created: episode {episode.pk}."
    assert (episode.police_force.code, episode.police_reference, episode.reported_by) == (
        "west-midlands", "20MWM/004417/26", "police")
    assert (episode.risk_level, episode.location_last_seen) == ("medium", "Dartmouth Park, West Bromwich")
    assert "Officer: PC 4471 Hughes" in episode.circumstances
    # Through the casework services: the episode's chronology, audit and duties follow.
    assert episode.chronology.filter(kind="episode_reported").exists()
    assert episode.obligations.exists()
    assert AuditEntry.objects.filter(object_type="episode", action="create", object_id=str(episode.pk)).exists()
    assert AuditEntry.objects.filter(object_type="police_message", object_id=str(message.pk)).count() == 2


def test_a_message_delivered_twice_is_one_record_and_one_episode(jade: Any) -> None:
    first = intake_receive(raw=sample("wmp-compact-missing.eml"), source="mailbox")
    again = intake_receive(raw=sample("wmp-compact-missing.eml"), source="mailbox")
    forwarded = intake_receive(raw=b"X-Forwarded: yes\r\n" + sample("wmp-compact-missing.eml"), source="mailbox")
    assert first.created and not again.created and not forwarded.created
    assert again.message == first.message == forwarded.message
    assert PoliceMessage.objects.count() == 1 and Episode.objects.count() == 1


def test_the_same_notification_sent_again_is_the_same_episode_and_a_new_grading_updates_it(jade: Any) -> None:
    receive("wmp-compact-missing.eml")
    resent = sample("wmp-compact-missing.eml").replace(b"Message-ID: <2026", b"Message-ID: <resent-2026")
    message = intake_receive(raw=resent, source="mailbox").message
    assert (message.outcome, Episode.objects.count()) == (Outcome.EPISODE_KNOWN, 1)
    regraded = resent.replace(b"<resent-", b"<regraded-").replace(b"Risk Assessment: Medium", b"Risk Assessment: High")
    message = intake_receive(raw=regraded, source="mailbox").message
    assert message.outcome == Outcome.RISK_REGRADED
    assert Episode.objects.get().risk_level == "high"


def test_the_found_notification_records_the_return(jade: Any) -> None:
    receive("wmp-compact-missing.eml")
    message = receive("wmp-compact-found.eml")
    episode = Episode.objects.get(child=jade)
    assert (message.outcome, message.episode) == (Outcome.RETURN_RECORDED, episode)
    assert (episode.status, episode.found_location, episode.found_by) == (
        "returned", "Returned to Oakfield House of her own accord", "PC 2210 Begum")
    again = receive("wmp-compact-found.eml")
    assert again == message
    resent = sample("wmp-compact-found.eml").replace(b"Message-ID: <2026", b"Message-ID: <resent-2026")
    assert intake_receive(raw=resent, source="mailbox").message.outcome == Outcome.RETURN_KNOWN


@pytest.mark.parametrize(("name", "child", "force"), [
    ("northants-mfh-missing-csv.eml", "kyle", "northamptonshire"),
    ("met-missing-notification-pdf.eml", "tobi", "metropolitan"),
])
def test_csv_and_pdf_notifications_become_episodes(name: str, child: str, force: str,
                                                   request: pytest.FixtureRequest) -> None:
    who = request.getfixturevalue(child)
    message = receive(name)
    assert message.outcome == Outcome.EPISODE_CREATED
    assert Episode.objects.get(child=who).police_force.code == force


def test_the_case_system_id_is_a_confident_match(make_child: Any) -> None:
    child = make_child(given_name="Kay", family_name="Other", external_id="LCS-77")
    raw = b"Subject: Missing child\r\n\r\nChild ID: LCS-77\r\nForce: Kent Police\r\nReference: K/1\r\n"
    message = intake_receive(raw=raw, source="mailbox").message
    assert (message.outcome, message.child) == (Outcome.EPISODE_CREATED, child)


def test_two_children_of_the_same_names_and_birth_wait_in_triage_and_are_matched_there(
        jade: Any, make_child: Any, coordinator: Any) -> None:
    twin = make_child(given_name="Jade", family_name="OKAFOR", date_of_birth=date(2011, 3, 2))
    message = receive("wmp-compact-missing.eml")
    assert (message.status, message.reason) == (MessageStatus.TRIAGE, "2 children have these names and date of birth.")
    assert not Episode.objects.exists()
    ranked = intake_candidates(coordinator, message)
    assert {c.child for c in ranked[:2]} == {jade, twin} and ranked[0].score == ranked[1].score
    matched = intake_triage_match(actor=coordinator, message=message, child_id=twin.pk)
    assert (matched.status, matched.outcome, matched.resolved_by) == (MessageStatus.DONE, Outcome.EPISODE_CREATED,
                                                                      coordinator)
    assert Episode.objects.get().child == twin
    with pytest.raises(DomainValidationError, match="no longer waiting"):
        intake_triage_match(actor=coordinator, message=matched, child_id=jade.pk)
    # The found notification then finds the episode by its force and reference.
    assert receive("wmp-compact-found.eml").outcome == Outcome.RETURN_RECORDED


def test_a_child_not_on_record_is_created_from_the_queue(coordinator: Any) -> None:
    message = receive("met-missing-notification-pdf.eml")
    assert (message.status, message.outcome) == (MessageStatus.TRIAGE, Outcome.UNMATCHED)
    assert "No child on record" in message.reason
    done = intake_triage_create_child(actor=coordinator, message=message, given_name="Tobi", family_name="Adeyemi",
                                      date_of_birth=date(2012, 8, 9), sex="male", legal_status="child_in_need",
                                      responsible_authority="203")
    episode = Episode.objects.get()
    assert (done.outcome, done.child, episode.child.given_name) == (Outcome.EPISODE_CREATED, episode.child, "Tobi")


def test_a_reference_of_another_childs_episode_is_not_trusted_when_the_birth_differs(
        jade: Any, make_child: Any) -> None:
    receive("wmp-compact-missing.eml")
    wrong = (sample("wmp-compact-found.eml").replace(b"02/03/2011", b"04/03/2011")
             .replace(b"Message-ID: <2026", b"Message-ID: <wrong-2026"))
    message = intake_receive(raw=wrong, source="mailbox").message
    assert message.status == MessageStatus.TRIAGE
    assert "date of birth 04/03/2011" in message.reason
    assert Episode.objects.get().status == "open"


def test_found_with_no_open_episode_waits_with_the_reason(jade: Any) -> None:
    message = receive("wmp-compact-found.eml")
    assert (message.status, message.child) == (MessageStatus.TRIAGE, jade)
    assert "no open episode" in message.reason


def test_a_message_that_cannot_be_read_stays_in_the_queue_with_the_reason_until_archived(coordinator: Any) -> None:
    message = receive("not-a-notification.eml")
    assert (message.status, message.outcome) == (MessageStatus.TRIAGE, Outcome.UNREADABLE)
    assert "No labelled fields" in message.reason and bytes(message.raw) == sample("not-a-notification.eml")
    with pytest.raises(DomainValidationError, match="Nothing could be read"):
        intake_triage_match(actor=coordinator, message=message, child_id=1)
    with pytest.raises(DomainValidationError):
        intake_archive(actor=coordinator, message=message, reason=" ")
    archived = intake_archive(actor=coordinator, message=message, reason="A newsletter, not a notification.")
    assert archived.archived_at is not None and PoliceMessage.objects.filter(pk=message.pk).exists()


def test_only_the_mct_and_the_coordinator_upload_or_match(make_user: Any, jade: Any) -> None:
    for role in ("social_worker", "police_liaison", "admin"):
        with pytest.raises(PermissionDenied):
            intake_receive(raw=sample("wmp-compact-missing.eml"), source="upload", actor=make_user(role))
    upload = intake_receive(raw=sample("wmp-compact-missing.eml"), source="upload", actor=make_user("mct_admin"))
    assert upload.message.uploaded_by.role == "mct_admin"
    assert Episode.objects.get().created_by == upload.message.uploaded_by


def test_the_stored_notification_reads_back() -> None:
    message = receive("northants-mfh-missing-csv.eml")
    assert PoliceNotification.from_json(message.parsed).police_reference == "26/118734"
