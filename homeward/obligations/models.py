"""Obligations as evaluated by the protocol engine, stored so that worklists are index reads.

Rows are a cache of `evaluate(facts, protocol, now)`: refreshed in the same transaction as
every fact that changes them, and by the worker as time passes (`Episode` keeps the instant
until which its rows are known to be complete). Their status at any instant follows from
their times, exactly as the engine computes it.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class OwnerQueue(models.TextChoices):
    """Whose worklist an obligation is on (DOMAIN.md section 3: every duty has an owner)."""

    PERSON = "person", "A named person"
    TEAM = "team", "The child's team's queue"
    ROLE = "role", "Everyone in the role"
    FRONT_DOOR = "front_door", "The front door (MASH) queue"
    NONE = "none", "Nobody here: the placing authority's duty, for information"


class StoredObligation(models.Model):
    # Every row written costs each index an insert (a report writes 15 rows): the episode's rows
    # are found by `obligation_unique_instance` (episode first), the code by `obligation_by_code`
    # (no LIKE index: nothing matches codes by pattern), and the owners by partial indexes on the
    # few rows that have one (issue 11).
    episode = models.ForeignKey("episodes.Episode", on_delete=models.CASCADE, related_name="obligations",
                                db_index=False)
    # Denormalised from the episode so that access scoping filters without a join.
    child = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="+")
    code = models.SlugField(max_length=60, db_index=False)
    instance = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    responsible_role = models.CharField(max_length=30)
    arises_at = models.DateTimeField()
    due_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_recorded_at = models.DateTimeField(null=True, blank=True)
    late = models.BooleanField(default=False)
    basis = models.JSONField(default=dict)
    # The engine lists the row from `listed_from` (a daily carer update from its day); a window of
    # a repeating obligation not done by `lapses_at` is missed; one outstanding when the episode
    # closed (`ended_at`) is not done, with the manager's reason.
    listed_from = models.DateTimeField()
    lapses_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_reason = models.TextField(blank=True)
    # Another authority's duty, shown for information and never put on a worklist here.
    for_information = models.BooleanField(default=False)
    owner_queue = models.CharField(max_length=12, choices=OwnerQueue.choices, default=OwnerQueue.ROLE)
    owner_user = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    owner_team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    refreshed_at = models.DateTimeField()

    class Meta:
        ordering = ["due_at", "code", "instance"]
        constraints = [
            models.UniqueConstraint(fields=["episode", "code", "instance"], name="obligation_unique_instance"),
        ]
        indexes = [
            models.Index(fields=["code"], name="obligation_by_code"),
            models.Index(fields=["owner_user"], name="obligation_owner_user", condition=Q(owner_user__isnull=False)),
            models.Index(fields=["owner_team"], name="obligation_owner_team", condition=Q(owner_team__isnull=False)),
            # Worklists read only what may still be done: partial indexes on those rows alone. This
            # one in the lists' own order with what the live filter asks of a row, so that a page
            # of overdue duties and its count read the index alone, unsorted (issue 11).
            models.Index(fields=["due_at", "code", "instance", "id"], name="obligation_live_in_order",
                         condition=Q(done_at__isnull=True, ended_at__isnull=True, for_information=False),
                         include=["listed_from", "arises_at", "lapses_at"]),
            # Every listed row in the lists' order: the worklist API asked without a status pages
            # through done and ended duties too, and sorted the whole table for each page.
            models.Index(fields=["due_at", "code", "instance", "id"], name="obligation_listed_in_order",
                         condition=Q(for_information=False), include=["listed_from"]),
            models.Index(fields=["owner_user", "due_at"], name="obligation_live_by_person",
                         condition=Q(done_at__isnull=True, ended_at__isnull=True, for_information=False)),
            models.Index(fields=["owner_queue", "responsible_role", "due_at"], name="obligation_live_by_queue",
                         condition=Q(done_at__isnull=True, ended_at__isnull=True, for_information=False)),
            # One duty across every episode (the weekly report's return interviews to offer).
            models.Index(fields=["code", "due_at"], name="obligation_live_by_code",
                         condition=Q(done_at__isnull=True, ended_at__isnull=True, for_information=False)),
            # The performance report's figures for a period's episodes (each duty's counts, the
            # return interviews offered), read from the index alone: the table's rows carry the
            # plan's basis and are ten times wider (issue 11). PostgreSQL; SQLite keeps the keys.
            models.Index(fields=["episode", "code"], name="obligation_figures_by_episode",
                         include=["instance", "for_information", "listed_from", "arises_at", "due_at", "done_at",
                                  "late", "lapses_at", "ended_at", "title"]),
            # The performance report's return interviews owed (the offer, once an episode): a
            # year's are a quarter of a million at national scale, found here rather than by as
            # many lookups in the index above, a dozen times larger (issue 11).
            models.Index(fields=["episode"], name="obligation_offer_owed",
                         condition=Q(code="rhi_offered", instance=1), include=["arises_at", "due_at", "done_at"]),
        ]


class EpisodeObligationState(models.Model):
    """Until when an episode's stored obligations are known to match the engine."""

    episode = models.OneToOneField("episodes.Episode", on_delete=models.CASCADE, related_name="obligation_state")
    refreshed_at = models.DateTimeField()
    # The next instant at which a new obligation may arise (a daily carer update, the 72-hour
    # escalation...): the worker and the worklist refresh the episode again from then.
    valid_until = models.DateTimeField(null=True, blank=True, db_index=True)
    # The stored rows are exact for any instant before this (None: for ever, nothing changes
    # with time alone); beyond it a read evaluates the episode in memory instead.
    exact_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # Every worklist asks which episodes' rows stop short of now: only open episodes
            # have a horizon, a few thousand among a million (issue 11).
            models.Index(fields=["exact_until"], name="obligation_state_horizon",
                         condition=Q(exact_until__isnull=False)),
        ]


class DutyDay(models.Model):
    """A Europe/London day whose closed episodes' duty figures are rolled up (`figures`): a
    closed episode's rows no longer change with time, so the performance report reads a
    year's few thousand totals here instead of its millions of rows (issue 11). Any change to
    a closed or cancelled episode's rows marks its day (`rolled_at` null); until the worker
    rolls it again the report counts that day's episodes from their rows."""

    day = models.DateField(unique=True)
    rolled_at = models.DateTimeField(null=True, blank=True)
    # A row of the day that will still change with time alone (a window lapsing after the
    # close): the day is rolled once this has passed.
    roll_after = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["roll_after"], name="duty_day_to_roll", condition=Q(rolled_at__isnull=True)),
        ]


class DutyFigures(models.Model):
    """One duty's figures over the closed episodes that began on a rolled day, as the
    performance report counts them (`homeward.reporting.performance.DutyFigures`)."""

    day = models.DateField()
    code = models.SlugField(max_length=60, db_index=False)
    title = models.CharField(max_length=200)
    owed = models.PositiveIntegerField()
    done_in_time = models.PositiveIntegerField()
    done_late = models.PositiveIntegerField()
    missed = models.PositiveIntegerField()
    not_done = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "code"], name="duty_figures_one_per_day")]
