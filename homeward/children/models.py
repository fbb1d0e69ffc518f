"""Children, their legal status and placement histories, the people around them and their
Philomena profile. Nothing is overwritten without history; nothing is deleted."""

from __future__ import annotations

from django.db import models
from django.db.models import F

from homeward.common.models import TimeStampedModel

# A history row without a start date applied throughout, so it sorts before every dated one
# (PostgreSQL and SQLite disagree on where NULLs go unless told).
OLDEST_FIRST = (F("started_on").asc(nulls_first=True), "id")
NEWEST_FIRST = (F("started_on").desc(nulls_last=True), "-id")


class LegalStatus(models.TextChoices):
    LOOKED_AFTER = "looked_after", "Looked after"
    CHILD_PROTECTION = "child_protection", "Child protection plan"
    CHILD_IN_NEED = "child_in_need", "Child in need"
    EARLY_HELP = "early_help", "Early help"
    NONE = "none", "No current involvement"


class Sex(models.TextChoices):
    MALE = "male", "Male"
    FEMALE = "female", "Female"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Not known"


class Child(TimeStampedModel):
    # Blank until known: at 2 a.m. an out-of-hours worker may report a child placed here by
    # another authority, or not yet on the case system. Unique when given (constraint below).
    external_id = models.CharField(
        max_length=40, blank=True, help_text="The home authority's case-system id (LCS, Mosaic...)."
    )
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    known_as = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=10, choices=Sex.choices)
    ethnicity = models.CharField(max_length=10, blank=True, help_text="DfE ethnicity code.")
    # Current values, denormalised from the history tables for fast scoping and lists.
    legal_status = models.CharField(max_length=20, choices=LegalStatus.choices)
    responsible_authority = models.ForeignKey(
        "reference.Authority", on_delete=models.PROTECT, related_name="responsible_for"
    )
    allocated_worker = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="allocated_children"
    )
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    iro = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="iro_children"
    )
    school = models.CharField(max_length=200, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    archive_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["family_name", "given_name"]
        indexes = [
            models.Index(fields=["family_name", "given_name"]),
            models.Index(fields=["date_of_birth"]),
        ]
        constraints = [
            # A partial unique index on PostgreSQL and SQLite alike.
            models.UniqueConstraint(
                fields=["external_id"], condition=~models.Q(external_id=""), name="child_external_id_unique_when_given",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


class LegalStatusPeriod(models.Model):
    """A legal status and the date it began; the rules use the one in force at missing_since."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="legal_statuses")
    status = models.CharField(max_length=20, choices=LegalStatus.choices)
    started_on = models.DateField(null=True, blank=True, help_text="Blank: applied throughout.")
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["child", *OLDEST_FIRST]


class Placement(models.Model):
    """Where a looked-after child is placed: a new placement ends the previous one."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="placements")
    authority = models.ForeignKey("reference.Authority", on_delete=models.PROTECT, related_name="+")
    provider = models.CharField(max_length=200, blank=True)
    provider_organisation = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT,
        related_name="placements",
    )
    type = models.CharField(max_length=10, blank=True, help_text="SSDA903 placement type code.")
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["child", *OLDEST_FIRST]


class ResponsibleAdult(TimeStampedModel):
    """A person with parental responsibility, or another adult the network must reach."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="responsible_adults")
    name = models.CharField(max_length=200)
    relationship = models.CharField(max_length=100)
    has_parental_responsibility = models.BooleanField(default=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    address = models.TextField(blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    archive_reason = models.TextField(blank=True)


class PhilomenaProfile(TimeStampedModel):
    """Prepared in advance by the placement and handed to police when the child goes missing."""

    child = models.OneToOneField(Child, on_delete=models.PROTECT, related_name="philomena")
    description = models.TextField(blank=True, help_text="Height, build, hair, distinguishing marks.")
    photo = models.ImageField(upload_to="philomena/", blank=True)
    phone_numbers = models.TextField(blank=True)
    social_media = models.TextField(blank=True)
    known_associates = models.TextField(blank=True)
    places_frequented = models.TextField(blank=True)
    health_needs = models.TextField(blank=True)
    risk_cse = models.BooleanField(default=False)
    risk_cce = models.BooleanField(default=False)
    risk_self_harm = models.BooleanField(default=False)
    other_risks = models.TextField(blank=True)


class ChronologyEntry(models.Model):
    """One line of the child's chronology: every episode and every event of it."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="chronology")
    episode = models.ForeignKey(
        "episodes.Episode", null=True, blank=True, on_delete=models.PROTECT, related_name="chronology"
    )
    at = models.DateTimeField(help_text="When it happened.")
    recorded_at = models.DateTimeField(auto_now_add=True, help_text="When it was typed in.")
    recorded_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    kind = models.SlugField(max_length=60)
    summary = models.TextField()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["child", "-at"])]
        verbose_name_plural = "chronology entries"
