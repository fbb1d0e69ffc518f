"""Delivering the outbox: a refusal is final (until an operator queues it again), no answer or
an acknowledgement that does not verify is tried again later, a verified one is kept."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.utils import timezone

from homeward.casework.episodes import episode_report
from homeward.exchange.delivery import exchange_deliver_due
from homeward.exchange.models import ChildReference, EpisodeReference, OutgoingMessage, OutgoingStatus, Partner
from homeward.exchange.signing import SigningKey, sign, verify

from .conftest import PARTNER, new_key

pytestmark = pytest.mark.django_db


class Inbox:
    """A partner's inbox on loopback that answers what the test says, and keeps what it got."""

    def __init__(self) -> None:
        self.answer: tuple[int, dict[str, Any]] = (500, {})
        self.received: list[dict[str, Any]] = []
        inbox = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                inbox.received.append(body)
                status, answer = inbox.answer
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/v1/exchange/inbox"


@pytest.fixture
def inbox(partner: Partner) -> Iterator[Inbox]:
    box = Inbox()
    thread = threading.Thread(target=box.server.serve_forever, daemon=True)
    thread.start()
    Partner.objects.filter(pk=partner.pk).update(endpoint=box.url)
    yield box
    box.server.shutdown()


@pytest.fixture
def queued(inbox: Inbox, placed_child: Any, coordinator: Any) -> OutgoingMessage:
    episode_report(actor=coordinator, child=placed_child, reported_at=timezone.now() - timedelta(hours=1),
                   reported_by="placement_provider")
    return OutgoingMessage.objects.get()


def ack(message: OutgoingMessage, key: SigningKey, **changes: Any) -> dict[str, Any]:
    payload = {"v": 1, "type": "acknowledgement", "id": "a", "in_reply_to": str(message.message_id), "from": PARTNER,
               "to": "941", "sent_at": timezone.now().isoformat(), "status": "recorded",
               "child": {"ref": "NN-12"}, "episode": {"ref": "501"}, "note": "Reported: episode 501.", **changes}
    return {"acknowledgement": sign(payload, key), "status": "recorded", "in_reply_to": payload["in_reply_to"],
            "note": ""}


def test_a_verified_acknowledgement_is_kept_with_the_partners_references(
        inbox: Inbox, queued: OutgoingMessage, partner_key: SigningKey, own_key: Any) -> None:
    inbox.answer = (202, ack(queued, partner_key))
    assert exchange_deliver_due().acknowledged == 1
    queued.refresh_from_db()
    assert (queued.status, queued.attempts, queued.acknowledgement["status"]) == (OutgoingStatus.ACKNOWLEDGED, 1,
                                                                                   "recorded")
    # What was sent is the message, signed by us, with this attempt's sent_at.
    from homeward.exchange.signing import signing_key

    sent = verify(inbox.received[0]["jws"], {"keys": [signing_key().jwk]}, signer="941")
    assert sent["id"] == str(queued.message_id) and "sent_at" in sent
    assert ChildReference.objects.get(child=queued.child).reference == "NN-12"
    assert EpisodeReference.objects.get(episode=queued.episode).reference == "501"
    assert exchange_deliver_due().claimed == 0  # once


def test_a_refusal_is_final_and_says_why(inbox: Inbox, queued: OutgoingMessage) -> None:
    inbox.answer = (400, {"title": "Message refused", "errors": [{"field": "jws", "message": "forged or altered"}]})
    assert exchange_deliver_due().rejected == 1
    queued.refresh_from_db()
    assert queued.status == OutgoingStatus.REJECTED and "jws: forged or altered" in queued.last_error
    assert exchange_deliver_due(now=timezone.now() + timedelta(days=1)).claimed == 0


def test_no_answer_or_an_acknowledgement_that_does_not_verify_is_tried_again_later(
        inbox: Inbox, queued: OutgoingMessage, settings: Any) -> None:
    settings.HOMEWARD_EXCHANGE_RETRY_SECONDS = 60
    inbox.answer = (503, {"title": "Unavailable"})
    assert exchange_deliver_due().retrying == 1
    queued.refresh_from_db()
    assert queued.status == OutgoingStatus.QUEUED and "answered 503" in queued.last_error
    assert queued.next_attempt_at is not None and queued.next_attempt_at > timezone.now() + timedelta(seconds=50)
    inbox.answer = (202, ack(queued, new_key()))  # signed by someone else
    later = timezone.now() + timedelta(minutes=2)
    assert exchange_deliver_due(now=later).retrying == 1
    queued.refresh_from_db()
    assert queued.attempts == 2 and "does not verify" in queued.last_error
    assert queued.next_attempt_at is not None and queued.next_attempt_at > timezone.now() + timedelta(seconds=110)
