"""An import job: the file, how far checking and writing have got, and the outcome.

Progress is saved while the rows are checked (outside any transaction, so a progress page
sees it); the episodes are then written in one transaction, all or nothing.
"""

from __future__ import annotations

from django.db import models


class ImportFormat(models.TextChoices):
    SSDA903 = "ssda903", "SSDA903 Missing table"
    CASE_SYSTEM = "case_system", "Case-system export"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    CHECKING = "checking", "Checking rows"
    WRITING = "writing", "Writing episodes"
    SUCCEEDED = "succeeded", "Imported"
    FAILED = "failed", "Not imported"


class ImportJob(models.Model):
    format = models.CharField(max_length=20, choices=ImportFormat.choices)
    filename = models.CharField(max_length=255, blank=True)
    content = models.TextField(help_text="The file as uploaded (UTF-8).")
    dry_run = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    skipped_duplicates = models.PositiveIntegerField(default=0)
    skipped_open = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"Import {self.pk} ({self.format}, {self.status})"

    @property
    def percent(self) -> int:
        """How far it has got: checking the rows is shown as 0 to 90, writing them as 90
        (one transaction: no partial progress to show), finished as 100."""
        if self.status in (ImportStatus.SUCCEEDED, ImportStatus.FAILED):
            return 100
        if self.status == ImportStatus.WRITING:
            return 90
        if not self.total_rows:
            return 0
        return int(90 * self.processed_rows / self.total_rows)
