"""The return home interview (DOMAIN.md section 5): allocation, offer, interview,
authorisation and sharing, each step kept with when it happened and who recorded it."""

from __future__ import annotations

from django.db import models

from homeward.common.models import TimeStampedModel


class Outcome(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    NO_CONTACT = "no_contact", "No contact"


class Method(models.TextChoices):
    FACE_TO_FACE = "face_to_face", "Face to face"
    PHONE = "phone", "Phone"
    VIDEO = "video", "Video"


class ReturnInterview(TimeStampedModel):
    episode = models.OneToOneField("episodes.Episode", on_delete=models.PROTECT, related_name="rhi")

    practitioner = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="rhi_allocations"
    )
    allocated_at = models.DateTimeField(null=True, blank=True)
    allocated_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")

    offered_at = models.DateTimeField(null=True, blank=True)
    offer_method = models.CharField(max_length=100, blank=True)

    outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)
    conducted_at = models.DateTimeField(null=True, blank=True)
    method = models.CharField(max_length=12, choices=Method.choices, blank=True)
    seen_alone = models.BooleanField(null=True)
    accompanied_by = models.CharField(max_length=200, blank=True)
    conducted_by = models.CharField(max_length=200, blank=True)
    push_factors = models.JSONField(default=list, blank=True)
    pull_factors = models.JSONField(default=list, blank=True)
    exploitation_indicators = models.JSONField(default=list, blank=True)
    referrals = models.JSONField(default=list, blank=True)
    reasons = models.TextField(blank=True)
    whereabouts = models.TextField(blank=True)
    harm = models.TextField(blank=True)
    health_concerns = models.TextField(blank=True)
    wishes_and_feelings = models.TextField(blank=True)
    actions = models.TextField(blank=True)
    carer_observations = models.TextField(blank=True)
    interview_recorded_at = models.DateTimeField(null=True, blank=True)

    authorised_at = models.DateTimeField(null=True, blank=True)
    authorised_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    recommendations = models.TextField(blank=True)

    shared_at = models.DateTimeField(null=True, blank=True)
    shared_with = models.JSONField(default=list, blank=True)


class RhiSharing(models.Model):
    """Each time the interview (or an urgent safeguarding concern from it) was shared."""

    interview = models.ForeignKey(ReturnInterview, on_delete=models.PROTECT, related_name="sharings")
    shared_at = models.DateTimeField()
    recipients = models.JSONField(default=list)
    safeguarding_concern = models.BooleanField(default=False)
    note = models.TextField(blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
