"""Reading import jobs (their progress and outcome)."""

from __future__ import annotations

from homeward.accounts.models import User
from homeward.accounts.permissions import Capability, require
from homeward.common.errors import NotFound

from .models import ImportJob


def import_job_get_for_user(user: User, job_id: int) -> ImportJob:
    """Any import job, for a person who may import (imports are the authority's, not one person's)."""
    require(user, Capability.IMPORT)
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None:
        raise NotFound
    return job
