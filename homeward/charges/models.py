"""Charges for exceptional return interviews (DOMAIN.md section 4; seed 001).

Another authority's looked-after child placed here has the return interview from the placing
authority; the home authority conducts one "only in exceptional circumstances where a clear,
immediate safeguarding need arises for which they will then seek to charge a fee". When such an
interview is authorised, a charge is raised to the placing authority at the protocol's fee,
one per episode, for finance to invoice. Never deleted: a charge raised in error is withdrawn
with a reason.
"""

from __future__ import annotations

from django.db import models

from homeward.common.models import TimeStampedModel


class Charge(TimeStampedModel):
    episode = models.ForeignKey("episodes.Episode", on_delete=models.PROTECT, related_name="charges")
    authority = models.ForeignKey("reference.Authority", on_delete=models.PROTECT, related_name="+",
                                  help_text="The placing authority charged.")
    interview_on = models.DateField(help_text="The date of the interview (Europe/London).")
    fee_pence = models.PositiveIntegerField()
    protocol = models.CharField(max_length=300, help_text="The protocol version whose fee applies.")
    raised_at = models.DateTimeField(help_text="When the interview was authorised, raising the charge.")
    raised_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    withdrawn_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["episode"], name="charge_one_per_episode")]

    @property
    def fee(self) -> str:
        """The fee in pounds, e.g. "350.00"."""
        return f"{self.fee_pence // 100}.{self.fee_pence % 100:02d}"
