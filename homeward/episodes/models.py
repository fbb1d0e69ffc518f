"""Episodes: one period in which a child's whereabouts were not as expected (DOMAIN.md s.2).

Classification and risk grading are histories; the episode keeps the current value of each
for fast boards, always written by the service that appends to the history.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q

from homeward.common.models import TimeStampedModel

from .places import normalise_place

# Each place the patterns report compares, kept with the text it is worked out from.
_PLACE_SOURCES = (("location_last_seen", "last_seen_place"), ("found_location", "found_place"))


class ReportedBy(models.TextChoices):
    POLICE = "police", "Police"
    PLACEMENT_PROVIDER = "placement_provider", "Placement provider"
    PARENT_CARER = "parent_carer", "Parent or carer"
    SCHOOL = "school", "School"
    EDT = "edt", "Out-of-hours service (EDT)"
    SOCIAL_WORKER = "social_worker", "Social worker"
    OTHER = "other", "Other"


class MissingFrom(models.TextChoices):
    HOME = "home", "Home"
    CARE = "care", "Care"
    EDUCATION = "education", "Education"


class Classification(models.TextChoices):
    MISSING = "missing", "Missing"
    ABSENT = "absent", "Absent"


class RiskLevel(models.TextChoices):
    VERY_LOW = "very_low", "Very low"
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class EpisodeStatus(models.TextChoices):
    OPEN = "open", "Open"
    RETURNED = "returned", "Returned"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"


class Episode(TimeStampedModel):
    child = models.ForeignKey("children.Child", on_delete=models.PROTECT, related_name="episodes")
    status = models.CharField(max_length=10, choices=EpisodeStatus.choices, default=EpisodeStatus.OPEN)

    # Notification
    reported_at = models.DateTimeField(help_text="First notification: the investigation begins.")
    reported_by = models.CharField(max_length=30, choices=ReportedBy.choices)
    reporter_name = models.CharField(max_length=200, blank=True)
    police_force = models.ForeignKey(
        "reference.PoliceForce", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    police_reference = models.CharField(max_length=60, blank=True)
    # The reference given with this report when the same force and reference were already on an
    # episode its reporter may not see: kept here, never revealed, for the MCT to confirm with
    # the force (duty police_reference_review).
    police_reference_conflict = models.CharField(max_length=60, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    location_last_seen = models.CharField(max_length=300, blank=True)
    circumstances = models.TextField(blank=True)
    missing_from = models.CharField(max_length=20, choices=MissingFrom.choices, blank=True)
    whereabouts_known = models.BooleanField(
        default=False, help_text="SSDA903: A (away, whereabouts known) rather than M (missing)."
    )
    # last_seen_at where known, else reported_at: every "missing for N hours" clock runs from it.
    missing_since = models.DateTimeField(db_index=True)

    # Current values of the histories below.
    classification = models.CharField(max_length=10, choices=Classification.choices)
    risk_level = models.CharField(max_length=10, choices=RiskLevel.choices, blank=True)

    # Return
    found_at = models.DateTimeField(null=True, blank=True)
    found_location = models.CharField(max_length=300, blank=True)
    found_by = models.CharField(max_length=200, blank=True)
    whereabouts = models.TextField(blank=True, help_text="Where the child was while missing.")
    with_whom = models.TextField(blank=True)
    condition = models.TextField(blank=True, help_text="Carers' observations on return.")
    found_recorded_at = models.DateTimeField(null=True, blank=True)

    closed_at = models.DateTimeField(null=True, blank=True)
    close_note = models.TextField(blank=True)
    # A manager's reason for closing with duties outstanding: they become `not_done` with it.
    close_reason = models.TextField(blank=True)
    closed_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True)

    # Who conducts the return interview (DOMAIN.md s.4), fixed when reported.
    rhi_authority = models.ForeignKey(
        "reference.Authority", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rhi_out_of_area = models.BooleanField(default=False)
    # Placed in a neighbouring authority of the protocol's list (seed 001's pilot).
    rhi_neighbouring = models.BooleanField(default=False)
    rhi_chargeable = models.BooleanField(default=False)
    # Another authority's child placed here: an immediate safeguarding need makes the home
    # authority conduct the interview, chargeable to the placing authority (seed 001).
    rhi_exceptional = models.BooleanField(default=False)

    created_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    # Where a historical episode was imported from (an SSDA903 file, the old case system).
    # Its follow-up belonged to the old system: it owes no obligations and tells nobody.
    imported_from = models.CharField(max_length=200, blank=True)

    # Where last seen and where found, normalised (`places.normalise_place`): worked out from
    # the texts whenever the episode is saved (`places_set`), never written on their own.
    last_seen_place = models.CharField(max_length=300, blank=True, editable=False)
    found_place = models.CharField(max_length=300, blank=True, editable=False)

    class Meta:
        ordering = ["-missing_since", "-id"]
        constraints = [
            # One open episode per child, enforced by the database as well as the service.
            models.UniqueConstraint(
                fields=["child"], condition=Q(status="open"), name="episode_one_open_per_child"
            ),
            # The same police notification twice is the same episode.
            models.UniqueConstraint(
                fields=["police_force", "police_reference"],
                condition=~Q(police_reference=""),
                name="episode_unique_police_reference",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "missing_since"]),
            # Reports read a period's rows, never the whole history (issue 11): episodes by
            # return (returned in a week or month, a collection year's ends), closed in a week,
            # still unended (neither found nor closed: missing now), and a child's by start.
            models.Index(fields=["found_at"], name="episode_by_found_at"),
            models.Index(fields=["closed_at"], name="episode_by_closed_at", condition=Q(closed_at__isnull=False)),
            models.Index(fields=["missing_since"], name="episode_unended",
                         condition=Q(found_at__isnull=True, closed_at__isnull=True)),
            models.Index(fields=["child", "missing_since"], name="episode_by_child_start"),
            # The episodes open now with what the board counts and filters them by (risk, since
            # when, missing from, out of area), so that its counts read this small index alone
            # rather than a row of the table for each of a nation's thousands missing.
            models.Index(fields=["risk_level", "missing_since"], include=["id", "missing_from", "rhi_out_of_area"],
                         name="episode_open_figures", condition=Q(status="open")),
            # A collection year's episodes (SSDA903) read from the index alone: those found since
            # the year began, or not yet, with all the return reads of them (index-only scan;
            # the table itself is many times wider).
            models.Index(fields=["found_at", "missing_since", "child", "whereabouts_known", "id"],
                         name="episode_found_covering", condition=~Q(status="cancelled")),
            # A period's episodes by start with what the patterns report reads of them (its factors,
            # places, network and consultations; index-only scan): each of its statements scanned
            # the whole table's pages for a national year's quarter of a million episodes.
            models.Index(fields=["missing_since"], include=["id", "child", "found_at", "last_seen_place",
                                                            "found_place"],
                         name="episode_period_covering", condition=~Q(status="cancelled")),
            # A place's episodes by start, with the text as written: how the places the patterns
            # report shows were spelled in the period, read from the index for those places alone.
            models.Index(fields=["last_seen_place", "missing_since"], include=["id", "location_last_seen"],
                         name="episode_last_seen_place", condition=~Q(status="cancelled")),
            models.Index(fields=["found_place", "missing_since"], include=["id", "found_location"],
                         name="episode_found_place", condition=~Q(status="cancelled")),
        ]

    def __str__(self) -> str:
        return f"Episode {self.pk} ({self.child_id})"

    def places_set(self) -> None:
        """The normalised places of the texts as they are now: called by `save`, and by whatever
        inserts episodes without it (`common.bulk.insert_together`)."""
        for text, place in _PLACE_SOURCES:
            setattr(self, place, normalise_place(getattr(self, text)))

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A save of some fields only saves the places of the texts among them.
        self.places_set()
        fields = kwargs.get("update_fields")
        if fields is not None:
            kwargs["update_fields"] = {*fields, *(place for text, place in _PLACE_SOURCES if text in fields)}
        super().save(*args, **kwargs)


class ClassificationChange(models.Model):
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="classifications")
    classification = models.CharField(max_length=10, choices=Classification.choices)
    at = models.DateTimeField()
    rationale = models.TextField(blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["episode", "at", "id"]


class WhereaboutsChange(models.Model):
    """SSDA903's M (whereabouts unknown) or A (away, whereabouts known), kept as a history
    like the classification: the return uses the value in force at the end of the episode."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="whereabouts_changes")
    whereabouts_known = models.BooleanField()
    at = models.DateTimeField()
    rationale = models.TextField(blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["episode", "at", "id"]


class RiskGrading(models.Model):
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="risk_gradings")
    risk_level = models.CharField(max_length=10, choices=RiskLevel.choices)
    graded_at = models.DateTimeField()
    graded_by = models.CharField(max_length=200, blank=True, help_text="Who graded: officer, role.")
    rationale = models.TextField(blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["episode", "graded_at", "id"]


class EpisodeAction(models.Model):
    """A simple recorded fact that completes an obligation (police informed, carer update...)."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="actions")
    action = models.SlugField(max_length=60)
    at = models.DateTimeField(help_text="When it happened.")
    note = models.TextField(blank=True)
    detail = models.JSONField(default=dict, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True, help_text="When it was typed in.")
    recorded_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["episode", "at", "id"]
        indexes = [
            models.Index(fields=["episode", "action"]),
            # The patterns report's immediate risks read from the index alone (index-only scan): a
            # risk analysis's detail holds only codes of its coded lists (casework checks each),
            # far below an index row's limit; the table of every action is many times wider.
            models.Index(fields=["episode"], include=["detail"], condition=Q(action="risk_analysis"),
                         name="action_risk_analysis_covering"),
        ]
