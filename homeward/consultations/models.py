"""Consultations and referrals as decisions (DOMAIN.md section 5a; seeds 002 and 004).

Each time one is considered for an episode: the decision (made or not made), the reason, who
decided and when; for one made, its outcome once known. Every decision is kept: a referral
not made today may be made tomorrow, a second row beside the first.
"""

from __future__ import annotations

from django.db import models

from homeward.common.models import TimeStampedModel
from homeward.protocol.consultations import CONSULTATION_KINDS, CONSULTATION_LABELS


class ConsultationKind(models.TextChoices):
    SECTION_47 = "section_47", CONSULTATION_LABELS["section_47"]
    PRE_MACE = "pre_mace", CONSULTATION_LABELS["pre_mace"]
    CHILD_FAMILY_ASSESSMENT = "child_family_assessment", CONSULTATION_LABELS["child_family_assessment"]
    EARLY_HELP_ASSESSMENT = "early_help_assessment", CONSULTATION_LABELS["early_help_assessment"]
    DUTY_ASSESSMENT_TEAM = "duty_assessment_team", CONSULTATION_LABELS["duty_assessment_team"]


assert tuple(ConsultationKind.values) == CONSULTATION_KINDS


class Decision(models.TextChoices):
    MADE = "made", "Made"
    NOT_MADE = "not_made", "Not made"


class Consultation(TimeStampedModel):
    episode = models.ForeignKey("episodes.Episode", on_delete=models.PROTECT, related_name="consultations")
    kind = models.CharField(max_length=30, choices=ConsultationKind.choices)
    decision = models.CharField(max_length=10, choices=Decision.choices)
    decided_at = models.DateTimeField(help_text="When the decision was made.")
    decided_by = models.CharField(max_length=200, help_text="Who decided: name and role.")
    reason = models.TextField()
    # What prompted it when decided (trigger codes of homeward.protocol.consultations), kept as
    # it stood: the prompts change as the episode does.
    prompted_by = models.JSONField(default=list, blank=True)
    recorded_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")

    outcome = models.TextField(blank=True)
    outcome_at = models.DateTimeField(null=True, blank=True, help_text="When the outcome was known.")
    outcome_recorded_at = models.DateTimeField(null=True, blank=True)
    outcome_recorded_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT,
                                            related_name="+")

    class Meta:
        ordering = ["episode", "decided_at", "id"]
        indexes = [models.Index(fields=["decided_at"], name="consultation_by_decided_at")]
