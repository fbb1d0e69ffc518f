"""One weekly report run per ISO week (unique), and one delivery per recipient."""

from __future__ import annotations

from django.db import models


class WeeklyReportRun(models.Model):
    week_start = models.DateField(unique=True, help_text="The Monday (Europe/London) of the ISO week.")
    as_of = models.DateTimeField(help_text="The instant the report describes: Monday 07:00 Europe/London.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-week_start"]

    def __str__(self) -> str:
        return f"Weekly report, week of {self.week_start:%d/%m/%Y}"


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class WeeklyReportDelivery(models.Model):
    run = models.ForeignKey(WeeklyReportRun, on_delete=models.PROTECT, related_name="deliveries")
    user = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    email = models.EmailField()
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["run", "id"]
        constraints = [models.UniqueConstraint(fields=["run", "user"], name="weekly_report_one_delivery_per_person")]

    def __str__(self) -> str:
        return f"{self.run} to {self.email} ({self.status})"
