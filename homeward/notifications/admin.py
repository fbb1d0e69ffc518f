"""Contact points are configured here; notifications are read here, never edited."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from homeward.accounts.models import User

from .models import ContactPoint, Notification, NotificationStatus, PeriodicTaskState
from .services import notification_requeue

if TYPE_CHECKING:
    ContactPointAdminBase = admin.ModelAdmin[ContactPoint]
    NotificationAdminBase = admin.ModelAdmin[Notification]
    PeriodicTaskStateAdminBase = admin.ModelAdmin[PeriodicTaskState]
else:
    ContactPointAdminBase = NotificationAdminBase = PeriodicTaskStateAdminBase = admin.ModelAdmin


@admin.register(ContactPoint)
class ContactPointAdmin(ContactPointAdminBase):
    list_display = ("name", "kind", "authority", "police_force", "email", "archived_at")
    list_filter = ("kind", ("archived_at", admin.EmptyFieldListFilter))
    search_fields = ("name", "email", "authority__name", "authority__code", "police_force__name")
    raw_id_fields = ("authority", "police_force")
    actions = ("archive",)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # archive instead: notifications keep pointing at the contact they went to

    @admin.action(description="Archive the selected contact points (stop sending to them)")
    def archive(self, request: HttpRequest, queryset: QuerySet[ContactPoint]) -> None:
        count = queryset.filter(archived_at__isnull=True).update(archived_at=timezone.now())
        self.message_user(request, f"Archived {count} contact point(s).")


@admin.register(Notification)
class NotificationAdmin(NotificationAdminBase):
    list_display = ("id", "episode", "event", "recipient_role", "recipient", "address", "status", "attempts",
                    "next_attempt_at", "sent_at")
    list_filter = ("status", "event", "recipient_role")
    search_fields = ("=episode__id", "address", "recipient")
    date_hierarchy = "created_at"
    actions = ("requeue",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Queue the selected failed notifications again (after fixing the cause)")
    def requeue(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        requeued = sum(
            notification_requeue(notification=n, actor=cast(User, request.user))
            for n in queryset.filter(status=NotificationStatus.FAILED)
        )
        level = messages.SUCCESS if requeued else messages.WARNING
        self.message_user(request, f"Queued {requeued} notification(s) again; ones without an address were "
                                   "left as they are.", level)


@admin.register(PeriodicTaskState)
class PeriodicTaskStateAdmin(PeriodicTaskStateAdminBase):
    list_display = ("name", "next_run_at", "last_started_at", "last_finished_at", "last_error")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
