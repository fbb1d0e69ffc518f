"""The children's periods of care (`models.CarePeriod`, PostgreSQL) worked out again in one
statement, for a load that wrote legal statuses with the triggers that keep them turned off."""

from __future__ import annotations

from django.db import connection

from .models import CarePeriod


def care_periods_work_out_all() -> int:
    """Every child's periods of care worked out again from their statuses, by the function the
    triggers call (migration reporting 0003); how many there are. Nothing to do off PostgreSQL."""
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT reporting_care_periods_of(ARRAY("
                       "SELECT DISTINCT child_id FROM children_legalstatusperiod))")
    return CarePeriod.objects.count()
