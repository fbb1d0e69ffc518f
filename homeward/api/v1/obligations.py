"""What is due, by when and why: an episode's obligations, and the caller's worklist."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from homeward.accounts.roles import Role
from homeward.api.pagination import Pagination
from homeward.api.views import HomewardAPIView
from homeward.audit.services import audit_list_read
from homeward.common.errors import DomainValidationError
from homeward.episodes.selectors import episode_get_for_user
from homeward.obligations.models import StoredObligation
from homeward.obligations.selectors import STATUSES, obligation_list_for_user, stored_status
from homeward.obligations.services import episode_obligations_evaluate
from homeward.protocol import obligation_to_dict

from .fields import query_instant


def _as_of(request: Request) -> datetime:
    return query_instant(request, "as_of") or timezone.now()


class BasisSerializer(serializers.Serializer):
    rule = serializers.CharField()
    trigger = serializers.CharField()
    trigger_at = serializers.DateTimeField()
    policy_value = serializers.CharField()
    citation = serializers.CharField()
    note = serializers.CharField()


class ObligationSerializer(serializers.Serializer):
    code = serializers.CharField()
    instance = serializers.IntegerField()
    title = serializers.CharField()
    responsible_role = serializers.CharField()
    arises_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    done_at = serializers.DateTimeField(allow_null=True)
    status = serializers.ChoiceField(choices=STATUSES)
    late = serializers.BooleanField()
    basis = BasisSerializer()


class ObligationsAnswerSerializer(serializers.Serializer):
    as_of = serializers.DateTimeField()
    episode = serializers.IntegerField()
    obligations = ObligationSerializer(many=True)


class EpisodeObligationsView(HomewardAPIView):
    @extend_schema(parameters=[OpenApiParameter("as_of", datetime)], responses={200: ObligationsAnswerSerializer},
                   operation_id="episode_obligations")
    def get(self, request: Request, episode_id: int) -> Response:
        episode = episode_get_for_user(self.actor(request), episode_id)
        as_of = _as_of(request)
        obligations = episode_obligations_evaluate(episode, as_of)
        return Response({"as_of": as_of.isoformat(), "episode": episode.pk,
                         "obligations": [obligation_to_dict(o) for o in obligations]})


def worklist_item(row: StoredObligation, as_of: datetime) -> dict[str, Any]:
    status = stored_status(row, as_of)
    done_at = row.done_at if status == "done" else None
    return {
        "episode": row.episode_id,
        "child": row.child_id,
        "code": row.code,
        "instance": row.instance,
        "title": row.title,
        "responsible_role": row.responsible_role,
        "arises_at": row.arises_at,
        "due_at": row.due_at,
        "done_at": done_at,
        "status": status,
        "late": bool(done_at and done_at > row.due_at),
        "basis": row.basis,
    }


class WorklistView(HomewardAPIView):
    @extend_schema(
        parameters=[OpenApiParameter("as_of", datetime), OpenApiParameter("status", str, enum=STATUSES),
                    OpenApiParameter("role", str, enum=Role.values), OpenApiParameter("page", int)],
        responses={200: ObligationSerializer(many=True)}, operation_id="worklist",
    )
    def get(self, request: Request) -> Response:
        as_of = _as_of(request)
        status = request.query_params.get("status") or None
        if status and status not in STATUSES:
            raise DomainValidationError.single("status", f"Use one of {', '.join(STATUSES)}.")
        role = request.query_params.get("role") or None
        if role and role not in Role.values:
            raise DomainValidationError.single("role", f"Use one of {', '.join(Role.values)}.")
        queryset = obligation_list_for_user(self.actor(request), status=status, as_of=as_of, role=role)
        paginator = Pagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        assert page is not None
        audit_list_read(actor=self.actor(request), object_type="worklist",
                        rows=[(row.episode_id, row.child_id) for row in page], query=dict(request.query_params.items()))
        response = paginator.get_paginated_response([worklist_item(row, as_of) for row in page])
        response.data["as_of"] = as_of.isoformat()
        return response
