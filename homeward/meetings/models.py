"""Strategy meetings (missing strategy, Section 47, MACE) and the actions they agree."""

from __future__ import annotations

from django.db import models

from homeward.common.models import TimeStampedModel


class MeetingKind(models.TextChoices):
    MISSING_STRATEGY = "missing_strategy", "Missing strategy meeting"
    SECTION_47 = "section_47", "Section 47 strategy discussion"
    MACE = "mace", "MACE panel"


class StrategyMeeting(TimeStampedModel):
    episode = models.ForeignKey("episodes.Episode", on_delete=models.PROTECT, related_name="meetings")
    held_at = models.DateTimeField()
    kind = models.CharField(max_length=20, choices=MeetingKind.choices)
    attendees = models.JSONField(default=list, blank=True)
    decisions = models.TextField(blank=True)
    recorded_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["episode", "held_at", "id"]


class MeetingAction(models.Model):
    meeting = models.ForeignKey(StrategyMeeting, on_delete=models.PROTECT, related_name="actions")
    owner = models.CharField(max_length=200)
    description = models.TextField()
    due = models.DateField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["meeting", "due", "id"]
