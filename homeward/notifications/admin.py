"""Contact points are configured here; notifications are read here, never edited."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from homeward.accounts.models import User
from homeward.audit.services import audit_list_read, audit_record

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
    list_display = ("name", "kind", "authority", "police_force", "email", "secure", "archived_at")
    list_filter = ("kind", "secure", ("archived_at", admin.EmptyFieldListFilter))
    search_fields = ("name", "email", "authority__name", "authority__code", "police_force__name")
    raw_id_fields = ("authority", "police_force")
    actions = ("archive",)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # archive instead: notifications keep pointing at the contact they went to

    @admin.action(description="Archive the selected contact points (stop sending to them)")
    def archive(self, request: HttpRequest, queryset: QuerySet[ContactPoint]) -> None:
        count = queryset.filter(archived_at__isnull=True).update(archived_at=timezone.now())
        self.message_user(request, f"Archived {count} contact point(s).")


# What an operator needs to see of a notification: never the child it is about (the admin is
# not a way round the pages' scoping), only the episode's number.
NOTIFICATION_FIELDS = ("episode_number", "event", "event_at", "recipient_role", "recipient", "address", "channel",
                       "reason", "urgent", "attachment_version", "status", "attempts", "next_attempt_at", "sent_at",
                       "last_error")


@admin.register(Notification)
class NotificationAdmin(NotificationAdminBase):
    list_display = ("id", "episode_number", "event", "recipient_role", "recipient", "address", "status", "attempts",
                    "next_attempt_at", "sent_at")
    fields = NOTIFICATION_FIELDS
    readonly_fields = NOTIFICATION_FIELDS
    list_filter = ("status", "event", "recipient_role")
    search_fields = ("=episode__id", "address", "recipient")
    date_hierarchy = "created_at"
    actions = ("requeue",)

    @admin.display(description="Episode", ordering="episode_id")
    def episode_number(self, obj: Notification) -> int:
        return obj.episode_id

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        """Reading the list is a read of each child it names (ADR 0009): audited per child."""
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            audit_list_read(actor=request.user, object_type="notification_admin",
                            rows=[(n.pk, n.child_id) for n in changelist.result_list],
                            query={"page": "django-admin", **request.GET.dict()})
        return response

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: dict[str, Any] | None = None) -> Any:
        notification = Notification.objects.filter(pk=object_id).first() if object_id.isdigit() else None
        if notification is not None:
            audit_record(actor=request.user, action="view", object_type="notification", object_id=object_id,
                         child_id=notification.child_id, detail={"page": "django-admin"})
        return super().change_view(request, object_id, form_url, extra_context)

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
