"""The performance report's counts by month and cohort, rolled up for past months (issue 11,
ADR 0021): a national year's counts by cohort read from about a thousand rows here rather
than worked out again from a third of a million episodes and their children's histories."""

from __future__ import annotations

from django.db import models


class CohortMonth(models.Model):
    """A past Europe/London month whose counts by cohort are rolled up (`CohortFigures`).

    The month is counted from its episodes instead whenever its figures may be out of date:
    not rolled yet, rolled by another layout of the figures or for another home authority, or
    marked (`CohortMark`) by a change committed since its roll."""

    month = models.DateField(unique=True)  # its first day
    # The transactions running just after the month was declared (PostgreSQL's snapshot, as
    # text; blank until noted): the month is rolled only once they have all ended, so that
    # none that wrote to it unmarked, while it was still the current month, is left out.
    declared_snapshot = models.TextField(blank=True)
    rolled_at = models.DateTimeField(null=True, blank=True)
    layout = models.PositiveSmallIntegerField(default=0)
    home_authority_id = models.BigIntegerField(null=True, blank=True)


class CohortFigures(models.Model):
    """One count of a rolled month: episodes and distinct children of the month as a whole
    (`dimension` "month"), of one value of a cohort dimension, the episodes ended with a length
    in one bucket of hours ("bucket", its index as `value`) or still missing ("still_missing")."""

    month = models.DateField()
    dimension = models.CharField(max_length=20)
    value = models.CharField(max_length=40, blank=True)
    episodes = models.PositiveIntegerField()
    children = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["month", "dimension", "value"],
                                               name="cohort_figures_one_per_value")]


class CohortMark(models.Model):
    """A change to a past month's episodes or to the histories of its children, written by a
    database trigger in the transaction of the change (PostgreSQL): while any mark of a month
    is there, it is counted from its episodes; a roll removes the marks it has counted."""

    month = models.DateField(db_index=True)


class CarePeriod(models.Model):
    """A run of a child's legal status history while looked after (PostgreSQL; issue 11): from
    the day the first status of the run began (blank: a status recorded without a date, in force
    before every date) to the day a status that is not looked after began (blank: still looked
    after as recorded). The status in force on a day is the last recorded of those that began
    latest on or before it, as `history.ChildHistory` reads it. With it, what the SSDA903 Missing
    table reads of the child: their case-system id, date of birth, 18th birthday (of someone born
    on 29 February: 1 March) and responsible authority.

    Worked out again for a child by database triggers, in the transaction of any change to their
    legal statuses or to those facts, whatever wrote it (migration reporting 0003): the Missing
    table joins a national year's episodes to these rows alone, rather than working out every
    child's history and reading every child on each export. SQLite reads the histories and the
    children themselves, and this table stays empty there."""

    # No foreign-key constraints: the triggers keep the rows in step, and children are never
    # deleted (they are archived).
    child = models.ForeignKey("children.Child", on_delete=models.DO_NOTHING, db_constraint=False,
                              related_name="+")
    began = models.DateField(null=True)
    ended = models.DateField(null=True)
    external_id = models.CharField(max_length=40, blank=True)
    date_of_birth = models.DateField()
    eighteenth_birthday = models.DateField()
    responsible_authority_id = models.BigIntegerField()
