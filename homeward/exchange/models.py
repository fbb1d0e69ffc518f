"""The authority exchange: partners, the outbox of signed messages, and what came in
(docs/exchange.md, ADR 0015).

Outgoing messages are written in the transaction that records the event (an outbox, as the
notifications are) and delivered by the worker with retries; each is one event, idempotent by
its `message_id`, freshly signed at each attempt. Incoming messages are kept as received
(the JWS), with what Homeward did with them: recorded on the child's episode, or held for
matching by the MCT. Nothing is deleted.
"""

from __future__ import annotations

import uuid

from django.db import models


class MessageType(models.TextChoices):
    MISSING = "missing", "Missing"
    FOUND = "found", "Found"
    INTERVIEW_OFFERED = "interview_offered", "Return interview offered"
    INTERVIEW_OUTCOME = "interview_outcome", "Return interview outcome"
    # A later acknowledgement of a message first acknowledged `held`, once it is matched by
    # hand (docs/exchange.md, "The follow-up acknowledgement"): sent and received as a message.
    ACKNOWLEDGEMENT = "acknowledgement", "Acknowledgement"


class Partner(models.Model):
    """Another authority's Homeward: where to send (`endpoint`, its inbox) and the public keys
    it publishes (`jwks`, a JWK Set) that its messages and acknowledgements must verify with.
    An authority without a partner row, or without an endpoint, is told by email only."""

    authority = models.OneToOneField("reference.Authority", on_delete=models.PROTECT, related_name="+")
    endpoint = models.URLField(max_length=500, blank=True,
                               help_text="Its inbox, e.g. https://homeward.example.gov.uk/api/v1/exchange/inbox.")
    keys_url = models.URLField(max_length=500, blank=True, help_text="Where it publishes its keys (JWK Set).")
    jwks = models.JSONField(default=dict, blank=True, help_text="Its published public keys (a JWK Set).")
    archived_at = models.DateTimeField(null=True, blank=True, help_text="Set to stop exchanging; never deleted.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["authority__code"]

    def __str__(self) -> str:
        return f"Exchange partner {self.authority}"


class OutgoingStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    REJECTED = "rejected", "Refused by the partner"
    FAILED = "failed", "Not delivered"


class OutgoingMessage(models.Model):
    """One event of an episode for one partner authority; the row is also the outbox."""

    message_id = models.UUIDField(default=uuid.uuid4, unique=True)
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="outgoing")
    episode = models.ForeignKey("episodes.Episode", on_delete=models.PROTECT, related_name="exchange_outgoing")
    child = models.ForeignKey("children.Child", on_delete=models.PROTECT, related_name="exchange_outgoing")
    type = models.CharField(max_length=20, choices=MessageType.choices)
    event_at = models.DateTimeField()
    body = models.JSONField(help_text="The message as signed, less the fields of each attempt (sent_at).")
    dedupe_key = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    status = models.CharField(max_length=15, choices=OutgoingStatus.choices, default=OutgoingStatus.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    leased_until = models.DateTimeField(null=True, blank=True)
    lease_token = models.CharField(max_length=32, blank=True)
    last_error = models.TextField(blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledgement = models.JSONField(default=dict, blank=True, help_text="The partner's verified acknowledgement.")
    acknowledgement_jws = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["episode", "partner", "dedupe_key"], name="exchange_outgoing_once"),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="exchange_outgoing_due")]

    def __str__(self) -> str:
        return f"{self.type} of episode {self.episode_id} to {self.partner.authority.code} ({self.status})"


class IncomingStatus(models.TextChoices):
    RECORDED = "recorded", "Recorded"
    HELD = "held", "Held for matching"


class IncomingMessage(models.Model):
    """A verified message from a partner, kept as received, and what Homeward did with it."""

    sender = models.ForeignKey("reference.Authority", on_delete=models.PROTECT, related_name="+")
    message_id = models.UUIDField()
    type = models.CharField(max_length=20, choices=MessageType.choices)
    jws = models.TextField(help_text="The signed message exactly as first received.")
    body = models.JSONField(help_text="The verified payload, less the fields of each attempt (sent_at).")
    received_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=IncomingStatus.choices)
    reason = models.TextField(blank=True, help_text="What was recorded, or why it is held.")
    child = models.ForeignKey("children.Child", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="exchange_incoming")
    episode = models.ForeignKey("episodes.Episode", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="exchange_incoming")
    acknowledgement = models.JSONField(default=dict, help_text="What Homeward answered.")
    acknowledgement_jws = models.TextField()
    resolved_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["sender", "message_id"], name="exchange_incoming_once"),
        ]
        indexes = [models.Index(fields=["status", "received_at"], name="exchange_incoming_queue")]

    def __str__(self) -> str:
        return f"{self.type} from {self.sender_id} ({self.status})"


class ReceivedToken(models.Model):
    """Every signed token accepted, by its SHA-256: the exact same token again is a replay
    (a sender signs each attempt afresh)."""

    sha256 = models.CharField(max_length=64, unique=True)
    message = models.ForeignKey(IncomingMessage, on_delete=models.PROTECT, related_name="tokens")
    received_at = models.DateTimeField()


class ChildReference(models.Model):
    """A partner authority's reference for one of our children, learned from the exchange
    (an acknowledgement, a message) or from a held message matched by hand."""

    child = models.ForeignKey("children.Child", on_delete=models.PROTECT, related_name="exchange_references")
    authority = models.ForeignKey("reference.Authority", on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(max_length=60)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["authority", "reference"], name="exchange_child_reference_once"),
            models.UniqueConstraint(fields=["child", "authority"], name="exchange_child_one_reference"),
        ]


class EpisodeReference(models.Model):
    """A partner's episode that is the same event as one of ours."""

    episode = models.ForeignKey("episodes.Episode", on_delete=models.PROTECT, related_name="exchange_references")
    authority = models.ForeignKey("reference.Authority", on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(max_length=60)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["authority", "reference"], name="exchange_episode_reference_once"),
            models.UniqueConstraint(fields=["episode", "authority"], name="exchange_episode_one_reference"),
        ]

