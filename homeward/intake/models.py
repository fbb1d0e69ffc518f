"""Police notifications by email, each kept as received (issue 12).

A message is stored before anything is read from it, so nothing is lost: the same message
twice (same bytes, or the same Message-ID) is one record. What Homeward did with it is on the
record: the episode it created, updated or returned, or why it waits in the triage queue.
Archived with a reason, never deleted.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from homeward.common.models import TimeStampedModel


class MessageSource(models.TextChoices):
    MAILBOX = "mailbox", "The authority's mailbox"
    UPLOAD = "upload", "Uploaded (.eml)"


class MessageStatus(models.TextChoices):
    RECEIVED = "received", "Received, not yet read"
    TRIAGE = "triage", "Waiting in the triage queue"
    DONE = "done", "Recorded"


class Outcome(models.TextChoices):
    """What the notification did to the casework record."""

    EPISODE_CREATED = "episode_created", "Episode created"
    EPISODE_KNOWN = "episode_known", "Already recorded on the episode"
    RISK_REGRADED = "risk_regraded", "Risk grading updated on the episode"
    RETURN_RECORDED = "return_recorded", "Return recorded"
    RETURN_KNOWN = "return_known", "Return already recorded"
    UNREADABLE = "unreadable", "Cannot be read"
    UNMATCHED = "unmatched", "No confident match"


class PoliceMessage(TimeStampedModel):
    raw = models.BinaryField(help_text="The message exactly as received (RFC 5322).")
    sha256 = models.CharField(max_length=64, unique=True)
    message_id = models.CharField(max_length=300, blank=True, db_index=True)
    received_at = models.DateTimeField()
    source = models.CharField(max_length=10, choices=MessageSource.choices)
    uploaded_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    sender = models.CharField(max_length=300, blank=True)
    subject = models.CharField(max_length=300, blank=True)

    status = models.CharField(max_length=10, choices=MessageStatus.choices, default=MessageStatus.RECEIVED)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    reason = models.TextField(blank=True, help_text="Why it waits in the queue, or what was done.")
    kind = models.CharField(max_length=10, blank=True, help_text="missing or found, once read.")
    parsed = models.JSONField(default=dict, blank=True, help_text="The notification as read (PoliceNotification).")
    police_force = models.ForeignKey("reference.PoliceForce", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    police_reference = models.CharField(max_length=60, blank=True)

    child = models.ForeignKey("children.Child", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="police_messages")
    episode = models.ForeignKey("episodes.Episode", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="police_messages")
    resolved_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    archive_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            # A message delivered twice (or forwarded and uploaded as well) is one record.
            models.UniqueConstraint(fields=["message_id"], condition=~Q(message_id=""),
                                    name="police_message_unique_message_id"),
        ]
        indexes = [models.Index(fields=["status", "received_at"], name="police_message_queue")]

    def __str__(self) -> str:
        return f"Police message {self.pk} ({self.get_status_display()})"
