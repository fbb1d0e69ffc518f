"""The missing child action plan, its actions, reviews and update; return visits; judgements
that the child is vulnerable. Rows only: the casework layer writes them (ADR 0011)."""

from __future__ import annotations

from django.db import models

from homeward.common.models import TimeStampedModel


class ActionPlan(TimeStampedModel):
    """Seed 003: "a missing child action plan for every missing episode", from the report.
    Seed 002: who keeps contact with the child and how, what the family is told and how
    often, and the plan for the return (who sees the child, where, who is best placed to do
    the return home interview)."""

    episode = models.OneToOneField("episodes.Episode", on_delete=models.PROTECT, related_name="action_plan")
    agreed_at = models.DateTimeField(help_text="When the plan was agreed.")
    contact_by = models.CharField(max_length=200, help_text="Who keeps contact with the child.")
    contact_how = models.TextField(help_text="How (phone, messages, social media), as agreed by the network.")
    family_told = models.TextField(help_text="What the family is told.")
    family_how_often = models.CharField(max_length=200, help_text="How often the family is updated.")
    return_who_sees = models.CharField(max_length=200, help_text="Who sees the child when they are found.")
    return_where = models.CharField(max_length=200, blank=True, help_text="Where the child is seen.")
    return_interviewer = models.CharField(
        max_length=200, help_text="Who is best placed to do the return home interview.")
    recorded_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")


class PlanReview(TimeStampedModel):
    """The plan reviewed at a strategy meeting (seed 002): one review per meeting."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.PROTECT, related_name="reviews")
    meeting = models.OneToOneField("meetings.StrategyMeeting", on_delete=models.PROTECT,
                                   related_name="plan_review")
    changes = models.TextField(help_text="What the meeting changed in the plan, or that it stands.")
    recorded_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")


class PlanAction(models.Model):
    """Who does what by when, agreed in the plan or at a review; marked done like a meeting's."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.PROTECT, related_name="actions")
    review = models.ForeignKey(PlanReview, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="actions", help_text="The review that added it, if not the plan.")
    owner = models.CharField(max_length=200)
    # The person the owner names, when it names someone who signs in: on their worklist.
    owner_user = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="plan_actions")
    description = models.TextField()
    due = models.DateField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True, help_text="When it was done.")
    done_recorded_at = models.DateTimeField(null=True, blank=True, help_text="When it was marked done.")
    done_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    done_note = models.TextField(blank=True)

    class Meta:
        ordering = ["plan", "id"]


class PlanUpdate(TimeStampedModel):
    """After the return (seed 002): "This information will inform an updated risk analysis
    and safety plan". Reads the authorised interview and records what changed."""

    episode = models.ForeignKey("episodes.Episode", on_delete=models.PROTECT, related_name="plan_updates")
    interview = models.ForeignKey("interviews.ReturnInterview", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="plan_updates")
    revised_at = models.DateTimeField(help_text="When the plan was updated.")
    risk_analysis = models.TextField(help_text="The updated risk analysis.")
    safety_plan = models.TextField(help_text="The updated safety plan.")
    what_changed = models.TextField(help_text="What changed, from what the interview found.")
    recorded_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["episode", "revised_at", "id"]


class ReturnVisit(TimeStampedModel):
    """Seed 000, "Social Worker Visits": the social worker's visit after the return, what was
    discussed about the episode and its prevention, and those with parental responsibility
    told of the episode, the visit and its outcome."""

    episode = models.ForeignKey("episodes.Episode", on_delete=models.PROTECT, related_name="return_visits")
    visited_at = models.DateTimeField()
    visited_by = models.CharField(max_length=200, help_text="Who visited.")
    discussed_episode = models.TextField(help_text="What was discussed about the missing episode.")
    prevention = models.TextField(help_text="What can be done to prevent another episode.")
    outcome = models.TextField(help_text="The outcome of the visit.")
    parental_responsibility_informed_at = models.DateTimeField(null=True, blank=True)
    parental_responsibility_informed = models.TextField(
        blank=True, help_text="Who with parental responsibility was told of the episode, the visit and its outcome, "
                              "and how.")
    recorded_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["episode", "visited_at", "id"]


class VulnerabilityJudgement(TimeStampedModel):
    """Seed 002: the strategy meeting is held earlier "if the child is deemed to be at high
    risk or vulnerable". A practitioner's recorded judgement, with the reason."""

    episode = models.ForeignKey("episodes.Episode", on_delete=models.PROTECT,
                                related_name="vulnerability_judgements")
    judged_at = models.DateTimeField()
    reason = models.TextField()
    judged_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["episode", "judged_at", "id"]
