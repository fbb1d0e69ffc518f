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
    SENIOR_ON_DUTY = "senior_on_duty", "Senior manager on duty"
    EXPLOITATION = "exploitation", "Exploitation (CSE/CCE) team"


class ContactPoint(models.Model):
    """Where notifications to a recipient that is not one person go: an inbox.

    `front_door`, `mct`, `edt`, `senior_on_duty` (the duty senior manager's rota inbox) and
    `exploitation` (the CSE/CCE team) are the home authority's own services; `authority` is
    another authority's missing-children contact (named by `authority`); `police` is a
    force's missing-person unit (named by `police_force`). `secure`: a secure government or
    police mailbox, to which an authorised return interview shared is sent itself, as a PDF
    attachment; every other address gets only a message that it is ready in Homeward.
    Archived, never deleted.
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
    secure = models.BooleanField(
        default=False,
        help_text="A secure government or police mailbox: an authorised return interview shared with this "
                  "recipient is attached to the email as a PDF. Leave unticked for an ordinary inbox.",
    )
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
    GRADED_HIGH = "graded_high", "Graded high risk"
    MISSING_72_HOURS = "missing_72_hours", "Missing 72 hours"
    RECLASSIFIED_MISSING = "reclassified_missing", "Reclassified from absent to missing"
    CONCERN_SHARED = "concern_shared", "Safeguarding concern shared"
    INTERVIEW_SHARED = "interview_shared", "Authorised return interview shared"
    PARENTAL_RESPONSIBILITY = "parental_responsibility", "People with parental responsibility told"
    EXPLOITATION = "exploitation", "Exploitation indicators recorded"


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
    event = models.CharField(max_length=30, choices=NotificationEvent.choices)
    event_at = models.DateTimeField(help_text="When the event happened (reported_at, found_at, graded_at...).")
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
    urgent = models.BooleanField(default=False, help_text="Sent marked urgent (a safeguarding concern).")
    attachment_version = models.ForeignKey(
        "interviews.RhiVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="The authorised interview version sent as a PDF attachment (secure contact points only).",
    )
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
