"""Notifications as records (DOMAIN.md section 4): who was told of each event, and whether
the message got through. The table is also the outbox the worker delivers from (ADR 0003).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class ContactKind(models.TextChoices):
    FRONT_DOOR = "front_door", "Front door / MASH"
    MCT = "mct", "Missing Children Team"
    EDT = "edt", "Out-of-hours service (EDT)"
    POLICE = "police", "Police missing-person unit"
    AUTHORITY = "authority", "Another authority's missing-children contact"


class ContactPoint(models.Model):
    """Where notifications to a recipient that is not one person go: an inbox.

    `front_door`, `mct` and `edt` are the home authority's own services; `authority` is
    another authority's missing-children contact (named by `authority`); `police` is a
    force's missing-person unit (named by `police_force`). Archived, never deleted.
    """

    kind = models.CharField(max_length=20, choices=ContactKind.choices)
    authority = models.ForeignKey(
        "reference.Authority", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="For kind 'authority': the authority whose missing-children contact this is.",
    )
    police_force = models.ForeignKey(
        "reference.PoliceForce", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="For kind 'police': the force whose missing-person unit this is.",
    )
    name = models.CharField(max_length=200, help_text="Shown as the recipient, e.g. 'Leicestershire MCT'.")
    email = models.EmailField()
    archived_at = models.DateTimeField(null=True, blank=True, help_text="Set to stop using it; never deleted.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="authority", authority__isnull=False)
                | (~Q(kind="authority") & Q(authority__isnull=True)),
                name="contact_point_authority_iff_kind_authority",
            ),
            models.CheckConstraint(
                condition=Q(kind="police", police_force__isnull=False)
                | (~Q(kind="police") & Q(police_force__isnull=True)),
                name="contact_point_force_iff_kind_police",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


class NotificationEvent(models.TextChoices):
    REPORTED = "reported", "Reported missing or absent"
    RETURNED = "returned", "Returned"


class NotificationStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class Channel(models.TextChoices):
    EMAIL = "email", "Email"


class Notification(models.Model):
    """One message about one event of an episode to one recipient.

    `recipient_role` is the stable code from `homeward.protocol.routing`; where one
    address is due several roles for the same event (the front door standing in for a
    team manager) it gets one message, whose `roles` lists them all and whose `reason`
    explains each. `dedupe_key` makes the same event never create (or send) the same
    recipient twice.
    """

    episode = models.ForeignKey("episodes.Episode", on_delete=models.PROTECT, related_name="notifications")
    child = models.ForeignKey("children.Child", on_delete=models.PROTECT, related_name="notifications")
    event = models.CharField(max_length=20, choices=NotificationEvent.choices)
    event_at = models.DateTimeField(help_text="When the event happened (reported_at or found_at).")
    recipient_role = models.CharField(max_length=40)
    roles = models.JSONField(default=list, help_text="Every role this message serves, first the main one.")
    recipient = models.CharField(max_length=200, help_text="The person's name or the contact's name.")
    recipient_user = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="notifications"
    )
    contact_point = models.ForeignKey(
        ContactPoint, null=True, blank=True, on_delete=models.PROTECT, related_name="notifications"
    )
    address = models.EmailField(blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    reason = models.TextField(help_text="Why this recipient is told, in plain English.")
    dedupe_key = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    status = models.CharField(max_length=10, choices=NotificationStatus.choices, default=NotificationStatus.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    leased_until = models.DateTimeField(null=True, blank=True)
    lease_token = models.CharField(max_length=32, blank=True)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["episode", "dedupe_key"], name="notification_once_per_event"),
            models.CheckConstraint(
                condition=~Q(status="queued") | ~Q(address=""), name="notification_queued_has_address"
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="notification_due")]

    def __str__(self) -> str:
        return f"{self.event} of episode {self.episode_id} to {self.recipient_role} ({self.status})"


class PeriodicTaskState(models.Model):
    """When each periodic task of the worker runs next; shared by every worker process."""

    name = models.CharField(max_length=200, unique=True)
    next_run_at = models.DateTimeField()
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
