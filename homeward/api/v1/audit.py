"""The audit log: GET /api/v1/audit (auditors, administrators) and a child's access log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from homeward.accounts.models import User
from homeward.api.pagination import Pagination
from homeward.api.views import HomewardAPIView
from homeward.audit.models import AuditEntry
from homeward.audit.selectors import audit_detail_for, audit_list_for_user, child_access_log_for_user

from .fields import query_instant, query_number, query_text


class AuditEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    user = serializers.CharField()
    action = serializers.CharField()
    object_type = serializers.CharField()
    object_id = serializers.CharField()
    child = serializers.IntegerField(allow_null=True)
    remote_addr = serializers.CharField()
    channel = serializers.CharField()
    detail = serializers.DictField(help_text=(
        "What the entry records. To a reader who may not read children's records (the auditor), only "
        "which record and step, and the names of the fields concerned (`fields`), never their values."))


def entry_representation(entry: AuditEntry, reader: User) -> dict[str, Any]:
    return {
        "id": entry.pk, "at": entry.at, "user": entry.username, "action": entry.action,
        "object_type": entry.object_type, "object_id": entry.object_id, "child": entry.child_id,
        "remote_addr": entry.remote_addr, "channel": entry.channel,
        "detail": audit_detail_for(reader, entry.detail),
    }


def _instant(request: Request, name: str) -> datetime | None:
    return query_instant(request, name)


def _paged(view: HomewardAPIView, request: Request, queryset: Any) -> Response:
    paginator = Pagination()
    page: list[AuditEntry] | None = paginator.paginate_queryset(queryset, request, view=view)
    assert page is not None
    reader = view.actor(request)
    return paginator.get_paginated_response([entry_representation(e, reader) for e in page])


class AuditView(HomewardAPIView):
    # Answers a page (count, next, previous, results): the OpenAPI description says so.
    pagination_class = Pagination

    @extend_schema(
        parameters=[OpenApiParameter("child", int), OpenApiParameter("user", str), OpenApiParameter("since", datetime),
                    OpenApiParameter("until", datetime), OpenApiParameter("action", str),
                    OpenApiParameter("page", int)],
        responses={200: AuditEntrySerializer(many=True)}, operation_id="audit_list",
    )
    def get(self, request: Request) -> Response:
        child = query_number(request, "child", message="Give the child's numeric id.")
        queryset = audit_list_for_user(
            self.actor(request), child_id=child,
            username=query_text(request, "user"), since=_instant(request, "since"),
            until=_instant(request, "until"), action=query_text(request, "action"),
        )
        return _paged(self, request, queryset)


class ChildAccessLogView(HomewardAPIView):
    # Answers a page (count, next, previous, results): the OpenAPI description says so.
    pagination_class = Pagination

    @extend_schema(responses={200: AuditEntrySerializer(many=True)}, operation_id="child_access_log")
    def get(self, request: Request, child_id: int) -> Response:
        return _paged(self, request, child_access_log_for_user(self.actor(request), child_id))
