"""The follow-up acknowledgement (docs/exchange.md): a held message matched by hand is
acknowledged again, `recorded`, through the outbox (retried, signed afresh at each attempt);
the sender, receiving it at its inbox, shows its message recorded on the episode; a follow-up
of a message never sent, replayed or altered is refused with nothing stored, and `recorded`
is final."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from homeward.audit.models import AuditEntry
from homeward.casework.episodes import episode_report
from homeward.exchange.delivery import exchange_deliver_due
from homeward.exchange.models import (
    ChildReference,
    IncomingMessage,
    OutgoingMessage,
    OutgoingStatus,
    ReceivedToken,
)
from homeward.exchange.selectors import exchange_messages_for_episode
from homeward.exchange.services import exchange_match, exchange_receive
from homeward.exchange.signing import SigningKey, sign, signing_key, verify

from .conftest import PARTNER, missing_message, signed
from .test_delivery import Inbox, inbox  # noqa: F401  (the partner's inbox on loopback, a fixture)

pytestmark = pytest.mark.django_db
INBOX = "/api/v1/exchange/inbox"


def ours() -> dict[str, Any]:
    return {"keys": [signing_key().jwk]}


def test_a_held_message_matched_by_hand_sends_the_sender_a_recorded_acknowledgement_with_retries(
        inbox: Inbox, partner_key: SigningKey, placed_child: Any, coordinator: Any, settings: Any) -> None:  # noqa: F811
    held = exchange_receive(token=signed(missing_message(date_of_birth="2011-04-30"), partner_key)).message
    assert held.status == "held" and held.acknowledgement["status"] == "held"
    assert not OutgoingMessage.objects.exists()
    message = exchange_match(actor=coordinator, message=held, child_id=placed_child.pk)
    follow_up = OutgoingMessage.objects.get()
    assert (follow_up.type, follow_up.partner.authority.code, follow_up.episode, follow_up.child) == (
        "acknowledgement", PARTNER, message.episode, placed_child)
    assert follow_up.body["in_reply_to"] == str(held.message_id) and follow_up.body["status"] == "recorded"
    assert follow_up.body["child"]["ref"] == "WN-77" and follow_up.body["episode"]["ref"] == str(message.episode_id)
    assert "matched to the child by hand" in follow_up.body["note"] and "sent_at" not in follow_up.body
    # The first answer stays the answer to a re-delivery of the message itself.
    assert message.acknowledgement["status"] == "held"

    settings.HOMEWARD_EXCHANGE_RETRY_SECONDS = 60
    inbox.answer = (503, {"title": "Unavailable"})
    assert exchange_deliver_due().retrying == 1
    follow_up.refresh_from_db()
    assert follow_up.status == OutgoingStatus.QUEUED and "answered 503" in follow_up.last_error
    answer = {"v": 1, "type": "acknowledgement", "id": str(uuid.uuid4()), "in_reply_to": str(follow_up.message_id),
              "from": PARTNER, "to": "941", "sent_at": timezone.now().isoformat(), "status": "recorded",
              "child": {"ref": "NN-12"}, "episode": {"ref": "501"}, "note": "Recorded."}
    inbox.answer = (202, {"acknowledgement": sign(answer, partner_key)})
    assert exchange_deliver_due(now=timezone.now() + timedelta(minutes=2)).acknowledged == 1
    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.attempts) == (OutgoingStatus.ACKNOWLEDGED, 2)
    first, second = (verify(r["jws"], ours(), signer="941") for r in inbox.received)
    assert first["id"] == second["id"] == str(follow_up.message_id)
    assert first["sent_at"] != second["sent_at"]  # signed afresh at each attempt
    assert (second["type"], second["in_reply_to"], second["status"], second["to"]) == (
        "acknowledgement", str(held.message_id), "recorded", PARTNER)
    # The follow-up is on our episode's messages too, as sent and acknowledged.
    rows = [(r.direction, r.type, r.status) for r in exchange_messages_for_episode(message.episode)]
    assert ("sent", "acknowledgement", "acknowledged") in rows


@pytest.fixture
def sent_and_held(partner: Any, placed_child: Any, coordinator: Any) -> OutgoingMessage:
    """Our report of our child placed with the partner, acknowledged by it as `held`."""
    episode_report(actor=coordinator, child=placed_child, reported_at=timezone.now() - timedelta(hours=1),
                   reported_by="placement_provider")
    out = OutgoingMessage.objects.get()
    OutgoingMessage.objects.filter(pk=out.pk).update(
        status=OutgoingStatus.ACKNOWLEDGED, attempts=1, acknowledged_at=timezone.now(),
        acknowledgement={"type": "acknowledgement", "status": "held", "note": "No child has these names."})
    out.refresh_from_db()
    return out


def follow_up(out: OutgoingMessage, **changes: Any) -> dict[str, Any]:
    return {"v": 1, "type": "acknowledgement", "id": str(uuid.uuid4()), "in_reply_to": str(out.message_id),
            "from": PARTNER, "to": "941", "status": "recorded", "child": {"ref": "NN-12"},
            "episode": {"ref": "501"}, "note": "Held on receipt; matched to the child by hand: Reported.", **changes}


def post(token: str) -> Any:
    return APIClient().post(INBOX, {"jws": token}, format="json")


def stored() -> tuple[int, int]:
    return IncomingMessage.objects.count(), ReceivedToken.objects.count()


def test_the_sender_receives_the_follow_up_and_shows_its_message_recorded(
        sent_and_held: OutgoingMessage, partner_key: SigningKey) -> None:
    out = sent_and_held
    [row] = exchange_messages_for_episode(out.episode)
    assert row.detail.startswith("Acknowledged: held")
    body = follow_up(out)
    answer = post(signed(body, partner_key))
    assert answer.status_code == 202, answer.content
    reply = verify(answer.json()["acknowledgement"], ours(), signer="941")
    assert (reply["type"], reply["in_reply_to"], reply["status"], reply["to"]) == (
        "acknowledgement", body["id"], "recorded", PARTNER)
    out.refresh_from_db()
    assert (out.status, out.acknowledgement["status"], out.acknowledgement["id"]) == (
        OutgoingStatus.ACKNOWLEDGED, "recorded", body["id"])
    # The episode shows the message recorded; the follow-up is not a row of its own.
    [row] = exchange_messages_for_episode(out.episode)
    assert (row.direction, row.status) == ("sent", "acknowledged")
    assert row.detail.startswith("Acknowledged: recorded (Held on receipt; matched to the child by hand")
    # The partner's references, learned for the messages that follow.
    assert ChildReference.objects.get(child=out.child).reference == "NN-12"
    assert AuditEntry.objects.filter(object_type="exchange_message", action="update", child=out.child,
                                     detail__acknowledges=str(out.message_id)).exists()
    # The same follow-up again, signed afresh: the same answer, nothing more stored.
    before = stored()
    again = post(signed(body, partner_key, sent_at=timezone.now() + timedelta(seconds=1)))
    assert again.status_code == 202 and again.json()["acknowledgement"] == answer.json()["acknowledgement"]
    assert stored() == (before[0], before[1] + 1)


def test_recorded_is_final(sent_and_held: OutgoingMessage, partner_key: SigningKey) -> None:
    out = sent_and_held
    assert post(signed(follow_up(out), partner_key)).status_code == 202
    later = post(signed(follow_up(out, status="held", note="Held again?"), partner_key))
    assert later.status_code == 202 and "nothing changed" in later.json()["note"]
    out.refresh_from_db()
    assert out.acknowledgement["status"] == "recorded"


def test_a_follow_up_of_a_message_never_sent_forged_or_replayed_is_refused_and_nothing_is_stored(
        sent_and_held: OutgoingMessage, partner_key: SigningKey, partner: Any) -> None:
    out = sent_and_held
    before = stored()
    never = post(signed(follow_up(out, in_reply_to=str(uuid.uuid4())), partner_key))
    assert never.status_code == 400 and never.json()["errors"][0]["field"] == "in_reply_to"
    bad = post(signed(follow_up(out, status="maybe", in_reply_to="x"), partner_key))
    assert bad.status_code == 400
    assert {e["field"] for e in bad.json()["errors"]} == {"status", "in_reply_to"}
    from .conftest import new_key

    forged = post(signed(follow_up(out), new_key()))
    assert forged.status_code == 400 and forged.json()["errors"][0]["field"] == "jws"
    assert stored() == before
    out.refresh_from_db()
    assert out.acknowledgement["status"] == "held"
    token = signed(follow_up(out), partner_key)
    assert post(token).status_code == 202
    replayed = post(token)
    assert replayed.status_code == 400 and replayed.json()["errors"][0]["field"] == "jws"
