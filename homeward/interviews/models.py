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

    class Meta:
        indexes = [
            # The patterns report's push and pull factors read from the index alone (index-only
            # scan; the table is many times wider). The lists hold only codes of their coded
            # lists (casework checks each), so an entry stays far below an index row's limit.
            models.Index(fields=["episode"], include=["push_factors", "pull_factors"], name="rhi_factors_covering"),
            # The performance report's outcome of each offer owed (a national year's are a
            # quarter of a million) read from the index alone: through the indexes above, each
            # was a read of the table's page (issue 11).
            models.Index(fields=["episode"], include=["outcome"], name="rhi_outcome_covering"),
        ]


class RhiAllocation(models.Model):
    """Each allocation of the interview to a practitioner. Re-allocating keeps the first
    allocation's clock (DOMAIN.md section 3) and records who had it before."""

    interview = models.ForeignKey(ReturnInterview, on_delete=models.PROTECT, related_name="allocations")
    practitioner = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    previous_practitioner = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    allocated_at = models.DateTimeField()
    reason = models.TextField(blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["interview", "allocated_at", "id"]


class OfferAnswer(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    NO_CONTACT = "no_contact", "No contact"


class RhiOffer(models.Model):
    """Each offer of the interview, with the child's answer ("we will not give up": seed 000)."""

    interview = models.ForeignKey(ReturnInterview, on_delete=models.PROTECT, related_name="offers")
    offered_at = models.DateTimeField()
    method = models.CharField(max_length=100)
    answer = models.CharField(max_length=12, choices=OfferAnswer.choices, blank=True)
    note = models.TextField(blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["interview", "offered_at", "id"]


class RhiVersion(models.Model):
    """One version of the interview's record. Version 1 is the interview as recorded; once
    authorised it is locked, and each amendment is a new version that needs authorising again.
    `content` holds the record's fields as they stood in this version."""

    interview = models.ForeignKey(ReturnInterview, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    content = models.JSONField(default=dict)
    amended_at = models.DateTimeField(null=True, blank=True, help_text="When an amendment was made (version 2 on).")
    amendment_reason = models.TextField(blank=True)
    recorded_at = models.DateTimeField(auto_now=True)
    recorded_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    authorised_at = models.DateTimeField(null=True, blank=True)
    authorised_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    recommendations = models.TextField(blank=True)

    class Meta:
        ordering = ["interview", "number"]
        constraints = [models.UniqueConstraint(fields=["interview", "number"], name="rhi_version_unique_number")]


class RhiSharing(models.Model):
    """Each time the interview (or an urgent safeguarding concern from it) was shared."""

    interview = models.ForeignKey(ReturnInterview, on_delete=models.PROTECT, related_name="sharings")
    shared_at = models.DateTimeField()
    recipients = models.JSONField(default=list)
    safeguarding_concern = models.BooleanField(default=False)
    note = models.TextField(blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
