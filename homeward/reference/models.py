"""Reference data shipped with the product: authorities, police forces and coded lists.

Rows are retired (``retired_on``), never deleted, so old records keep their meaning.
"""

from django.db import models


class PoliceForce(models.Model):
    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    retired_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Authority(models.Model):
    """An English local authority, named by its DfE three-digit LA code."""

    code = models.CharField(max_length=3, unique=True)
    name = models.CharField(max_length=120)
    police_force = models.ForeignKey(PoliceForce, on_delete=models.PROTECT, related_name="authorities")
    region = models.CharField(max_length=60, blank=True)
    retired_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "authorities"

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class CodedItem(models.Model):
    """One entry of a coded list (push factors, pull factors, risks, placement types, ...)."""

    list_name = models.SlugField(max_length=60)
    code = models.SlugField(max_length=60)
    label = models.CharField(max_length=200)
    position = models.PositiveIntegerField(default=0)
    retired_on = models.DateField(null=True, blank=True)
    # Shipped rows come from the product's data files; an authority may add its own.
    shipped = models.BooleanField(default=True)

    class Meta:
        ordering = ["list_name", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["list_name", "code"], name="coded_item_unique_code"),
        ]

    def __str__(self) -> str:
        return f"{self.list_name}:{self.code}"
