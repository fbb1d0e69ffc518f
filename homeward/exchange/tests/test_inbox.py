"""The inbox: a partner's signed message recorded on our child's episode through the casework
services and acknowledged; refused (400 naming the problem, nothing stored) when forged,
altered, replayed, stale or malformed; held for matching when Homeward is not sure."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from homeward.audit.models import AuditEntry
from homeward.episodes.models import Episode, EpisodeStatus
from homeward.exchange.models import (
    ChildReference,
    EpisodeReference,
    IncomingMessage,
    OutgoingMessage,
    ReceivedToken,
)
from homeward.exchange.signing import signing_key, verify

from .conftest import PARTNER, missing_message, new_key, signed

pytestmark = pytest.mark.django_db
INBOX = "/api/v1/exchange/inbox"


def post(token: str) -> Any:
    return APIClient().post(INBOX, {"jws": token}, format="json")


def stored() -> tuple[int, int, int, int]:
    return (IncomingMessage.objects.count(), ReceivedToken.objects.count(), Episode.objects.count(),
            AuditEntry.objects.filter(object_type="exchange_message").count())


def test_the_hosts_report_becomes_our_episode_with_our_duties_and_a_signed_acknowledgement(
        partner: Any, partner_key: Any, placed_child: Any) -> None:
    body = missing_message()
    answer = post(signed(body, partner_key))
    assert answer.status_code == 202, answer.content
    episode = Episode.objects.get(child=placed_child)
    assert (episode.status, episode.reported_by, episode.risk_level) == (EpisodeStatus.OPEN, "other", "medium")
    assert "by the authority exchange" in episode.reporter_name
    # Our own duties, as for any report of our looked-after child placed out of area.
    assert set(episode.obligations.values_list("code", flat=True)) >= {"strategy_meeting", "mct_notified"}
    ack = verify(answer.json()["acknowledgement"], {"keys": [signing_key().jwk]}, signer="941")
    assert (ack["type"], ack["in_reply_to"], ack["status"], ack["from"], ack["to"]) == (
        "acknowledgement", body["id"], "recorded", "941", PARTNER)
    assert ack["episode"]["ref"] == str(episode.pk) and ack["child"]["ref"] == "WN-77"
    message = IncomingMessage.objects.get()
    assert (message.episode, message.child, message.status) == (episode, placed_child, "recorded")
    # The sender's references are kept for the messages that follow; nothing is sent back to it.
    assert ChildReference.objects.get(child=placed_child).reference == "NN-12"
    assert EpisodeReference.objects.get(episode=episode).reference == "501"
    assert not OutgoingMessage.objects.exists()
    assert AuditEntry.objects.filter(object_type="exchange_message", child_id=placed_child.pk).exists()


def test_the_same_message_again_signed_afresh_is_acknowledged_as_before_and_recorded_once(
        partner: Any, partner_key: Any, placed_child: Any) -> None:
    body = missing_message()
    first = post(signed(body, partner_key))
    again = post(signed(body, partner_key, sent_at=timezone.now() + timedelta(seconds=1)))
    assert (first.status_code, again.status_code) == (202, 202)
    assert again.json()["acknowledgement"] == first.json()["acknowledgement"]
    assert IncomingMessage.objects.count() == 1 and Episode.objects.count() == 1


def test_found_then_interview_outcome_reach_the_same_episode_by_the_senders_reference(
        partner: Any, partner_key: Any, placed_child: Any) -> None:
    body = missing_message()
    assert post(signed(body, partner_key)).status_code == 202
    found_at = timezone.now() - timedelta(minutes=30)
    found = {**body, "id": str(uuid.uuid4()), "type": "found",
             "event": {"found_at": found_at.isoformat(), "found_location": "Bus station", "found_by": "Police"}}
    assert post(signed(found, partner_key)).status_code == 202
    episode = Episode.objects.get(child=placed_child)
    assert (episode.status, episode.found_location) == (EpisodeStatus.RETURNED, "Bus station")
    # Now ours to offer the return interview (the placing authority's duty, on our worklist).
    assert episode.obligations.filter(code="rhi_offered", for_information=False).exists()
    outcome = {**body, "id": str(uuid.uuid4()), "type": "interview_outcome",
               "event": {"outcome": "declined", "conducted_at": timezone.now().isoformat(), "method": ""}}
    assert post(signed(outcome, partner_key)).status_code == 202
    assert episode.chronology.filter(kind="exchange_interview_outcome").exists()


def refused(answer: Any, field: str, words: str) -> None:
    assert answer.status_code == 400, answer.content
    assert answer["Content-Type"] == "application/problem+json"
    errors = answer.json()["errors"]
    assert any(e["field"] == field and words in e["message"] for e in errors), errors


def test_forged_altered_replayed_and_stale_messages_are_refused_and_nothing_is_stored(
        partner: Any, partner_key: Any, placed_child: Any) -> None:
    before = stored()
    refused(post(signed(missing_message(), new_key())), "jws", "not one that authority 940 publishes")
    token = signed(missing_message(), partner_key)
    header, _payload, signature = token.split(".")
    other = signed(missing_message(given_name="Someone"), partner_key).split(".")[1]
    refused(post(f"{header}.{other}.{signature}"), "jws", "forged or altered")
    refused(post(signed(missing_message(), partner_key, sent_at=timezone.now() - timedelta(hours=1))),
            "sent_at", "replayed or delayed")
    refused(post("not a jws"), "jws", "compact serialisation")
    refused(post(signed({**missing_message(), "from": "333"}, partner_key)), "from", "not an exchange partner")
    refused(post(signed({**missing_message(), "to": "940"}, partner_key)), "to", "authority 941")
    refused(post(signed({**missing_message(), "v": 2}, partner_key)), "v", "not supported")
    bad_time = missing_message()
    bad_time["event"]["reported_at"] = "yesterday"
    refused(post(signed(bad_time, partner_key)), "event.reported_at", "offset")
    assert stored() == before
    # The exact same token twice: the second is a replay.
    assert post(token).status_code == 202
    after_first = stored()
    refused(post(token), "jws", "Replayed")
    assert stored() == after_first


def test_a_message_id_reused_for_different_content_is_refused(partner: Any, partner_key: Any,
                                                              placed_child: Any) -> None:
    body = missing_message()
    assert post(signed(body, partner_key)).status_code == 202
    before = stored()
    refused(post(signed({**body, "event": {**body["event"], "risk_level": "high"}}, partner_key)), "id",
            "different content")
    assert stored() == before


def test_a_child_we_cannot_be_sure_of_is_held_then_matched_by_the_mct(
        partner: Any, partner_key: Any, placed_child: Any, api: APIClient) -> None:
    answer = post(signed(missing_message(given_name="Amyra"), partner_key))
    assert answer.status_code == 202 and answer.json()["status"] == "held"
    assert not Episode.objects.exists()
    held = api.get("/api/v1/exchange/held").json()["messages"]
    assert len(held) == 1 and "No child placed by or with authority 940" in held[0]["reason"]
    matched = api.post(f"/api/v1/exchange/messages/{held[0]['id']}/match", {"child": placed_child.pk},
                       format="json")
    assert matched.status_code == 200, matched.content
    episode = Episode.objects.get(child=placed_child)
    assert matched.json()["episode"] == episode.pk and matched.json()["status"] == "recorded"
    assert api.get("/api/v1/exchange/held").json()["messages"] == []


def test_a_child_not_placed_by_or_with_the_sender_is_never_matched(partner: Any, partner_key: Any,
                                                                   make_child: Any) -> None:
    make_child(given_name="Amira", family_name="Stone", external_id="HOME-1")  # ours, placed at home
    answer = post(signed(missing_message(your_ref="HOME-1"), partner_key))
    assert answer.status_code == 202 and answer.json()["status"] == "held"
    assert not Episode.objects.exists()


def test_keys_are_published_without_signing_in() -> None:
    answer = APIClient().get("/api/v1/exchange/keys")
    assert answer.status_code == 200 and answer.json() == {"keys": [signing_key().jwk]}
