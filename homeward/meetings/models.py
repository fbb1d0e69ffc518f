"""Strategy meetings (missing strategy, Section 47, MACE, Pre-MACE) and the actions they agree."""

from __future__ import annotations

from django.db import models

from homeward.common.models import TimeStampedModel


class MeetingKind(models.TextChoices):
    MISSING_STRATEGY = "missing_strategy", "Missing strategy meeting"
    SECTION_47 = "section_47", "Section 47 strategy discussion"
    MACE = "mace", "MACE panel"
    PRE_MACE = "pre_mace", "Pre-MACE panel"


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
    """Who does what by when, as agreed at a meeting; marked done with when, by whom and a note."""

    meeting = models.ForeignKey(StrategyMeeting, on_delete=models.PROTECT, related_name="actions")
    owner = models.CharField(max_length=200)
    # The person the owner names, when it names someone who signs in to Homeward (their
    # username or full name): the action is then on their worklist and theirs to mark done.
    owner_user = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="meeting_actions"
    )
    description = models.TextField()
    due = models.DateField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True, help_text="When it was done.")
    done_recorded_at = models.DateTimeField(null=True, blank=True, help_text="When it was marked done.")
    done_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    done_note = models.TextField(blank=True)

    class Meta:
        ordering = ["meeting", "due", "id"]
        indexes = [
            # A person's open actions, soonest due first (their home page): read in order, where a
            # co-ordinator's thousands of open actions were read and sorted on every visit (issue 11).
            models.Index(fields=["owner_user", "due", "id"], name="meeting_action_open_by_owner",
                         condition=models.Q(done_at__isnull=True)),
        ]
