"""Obligations as evaluated by the protocol engine, stored so that worklists are index reads.

Rows are a cache of `evaluate(facts, protocol, now)`: refreshed in the same transaction as
every fact that changes them, and by the worker as time passes (`Episode` keeps the instant
until which its rows are known to be complete). Their status at any instant follows from
their times, exactly as the engine computes it.
"""

from __future__ import annotations

from django.db import models


class StoredObligation(models.Model):
    episode = models.ForeignKey("episodes.Episode", on_delete=models.CASCADE, related_name="obligations")
    # Denormalised from the episode so that access scoping filters without a join.
    child = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="+")
    code = models.SlugField(max_length=60)
    instance = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    responsible_role = models.CharField(max_length=30)
    arises_at = models.DateTimeField()
    due_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_recorded_at = models.DateTimeField(null=True, blank=True)
    late = models.BooleanField(default=False)
    basis = models.JSONField(default=dict)
    refreshed_at = models.DateTimeField()

    class Meta:
        ordering = ["due_at", "code", "instance"]
        constraints = [
            models.UniqueConstraint(fields=["episode", "code", "instance"], name="obligation_unique_instance"),
        ]
        indexes = [
            # Worklists: what is not done, by due time.
            models.Index(fields=["done_at", "due_at"], name="obligation_open_by_due"),
            models.Index(fields=["responsible_role", "done_at", "due_at"], name="obligation_role_by_due"),
        ]


class EpisodeObligationState(models.Model):
    """Until when an episode's stored obligations are known to match the engine."""

    episode = models.OneToOneField("episodes.Episode", on_delete=models.CASCADE, related_name="obligation_state")
    refreshed_at = models.DateTimeField()
    # The next instant at which a new obligation may arise (a daily carer update, the 72-hour
    # escalation...): the worker and the worklist refresh the episode again from then.
    valid_until = models.DateTimeField(null=True, blank=True, db_index=True)
