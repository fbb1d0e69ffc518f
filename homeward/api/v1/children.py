"""Children: POST/GET/PATCH /api/v1/children."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from homeward.accounts.models import User
from homeward.accounts.permissions import Capability, may_read_casework_notes, require
from homeward.api.views import HomewardAPIView
from homeward.casework.children import child_update
from homeward.children.models import OLDEST_FIRST, Child, LegalStatus, Sex
from homeward.children.selectors import child_get_for_user
from homeward.children.services import PlacementInput, child_create, child_current_placement


class PlacementSerializer(serializers.Serializer):
    authority = serializers.CharField(max_length=3, help_text="DfE LA code of the authority the placement lies in.")
    provider = serializers.CharField(
        required=False, allow_blank=True, default="",
        help_text="The provider as the case system names it; linked to the provider's organisation when one "
                  "of that name exists, so the provider sees the child.")
    provider_organisation = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, default="", max_length=200,
        help_text="The provider's organisation in Homeward, by its exact name (400 when none is called so).")
    type = serializers.CharField(required=False, allow_blank=True, default="")
    address = serializers.CharField(required=False, allow_blank=True, default="")
    postcode = serializers.CharField(required=False, allow_blank=True, default="", max_length=10)
    started_on = serializers.DateField(required=False, allow_null=True, default=None)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # A placement given replaces the current one, so a PATCH (partial, which DRF passes down
        # to nested fields) still names its authority: without it the update was a 500 (issue 14).
        if "authority" not in attrs:
            raise serializers.ValidationError({"authority": "This field is required."})
        return attrs


class ChildInputSerializer(serializers.Serializer):
    external_id = serializers.CharField(max_length=40)
    given_name = serializers.CharField(max_length=100)
    family_name = serializers.CharField(max_length=100)
    known_as = serializers.CharField(max_length=100, required=False, allow_blank=True)
    date_of_birth = serializers.DateField()
    sex = serializers.ChoiceField(choices=Sex.choices)
    ethnicity = serializers.CharField(max_length=10, required=False, allow_blank=True)
    legal_status = serializers.ChoiceField(choices=LegalStatus.choices)
    legal_status_since = serializers.DateField(required=False, allow_null=True)
    responsible_authority = serializers.CharField(max_length=3)
    placement = PlacementSerializer(required=False, allow_null=True)
    allocated_worker = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    team = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    iro = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    school = serializers.CharField(required=False, allow_blank=True)


def _inputs(data: dict[str, Any]) -> dict[str, Any]:
    """Serializer data as service keyword arguments (blank people mean none)."""
    out = dict(data)
    for name in ("allocated_worker", "team", "iro"):
        if name in out and not out[name]:
            out[name] = None
    if "placement" in out and out["placement"] is not None:
        given = out["placement"]
        organisation = given.get("provider_organisation") or ""
        out["placement"] = PlacementInput(**{**given, "provider_organisation": organisation})
    return out


def child_representation(child: Child, user: User) -> dict[str, Any]:
    """The child as API.md names it. To someone who may not read social care case notes
    (`may_read_casework_notes`: police liaison) `legal_status_history` and `school`, which
    API.md does not define, are left out (ADR 0008); every field API.md names is kept."""
    placement = child_current_placement(child)
    periods = list(child.legal_statuses.order_by(*OLDEST_FIRST))
    episodes = list(child.episodes.order_by("-missing_since", "-id").values_list("id", "missing_since", "status"))
    since = timezone.now() - timedelta(days=90)
    representation: dict[str, Any] = {
        "id": child.pk,
        "external_id": child.external_id,
        "given_name": child.given_name,
        "family_name": child.family_name,
        "known_as": child.known_as,
        "date_of_birth": child.date_of_birth,
        "sex": child.sex,
        "ethnicity": child.ethnicity,
        "legal_status": child.legal_status,
        "legal_status_since": periods[-1].started_on if periods else None,
        "legal_status_history": [{"status": p.status, "since": p.started_on} for p in periods],
        "responsible_authority": child.responsible_authority.code,
        "placement": None if placement is None else {
            "authority": placement.authority.code,
            "provider": placement.provider,
            "provider_organisation": placement.provider_organisation.name if placement.provider_organisation else None,
            "type": placement.type,
            "address": placement.address,
            "postcode": placement.postcode,
            "started_on": placement.started_on,
        },
        "allocated_worker": child.allocated_worker.username if child.allocated_worker else None,
        "team": child.team.name if child.team else None,
        "iro": child.iro.username if child.iro else None,
        "school": child.school,
        "archived_at": child.archived_at,
        "episodes": [episode_id for episode_id, _, _ in episodes],
        "episodes_last_90_days": sum(
            1 for _, started, state in episodes if started >= since and state != "cancelled"
        ),
    }
    if not may_read_casework_notes(user):
        del representation["legal_status_history"], representation["school"]
    return representation


class ChildOutputSerializer(serializers.Serializer):
    """Documents the answer; built by child_representation."""

    id = serializers.IntegerField()
    external_id = serializers.CharField()
    given_name = serializers.CharField()
    family_name = serializers.CharField()
    date_of_birth = serializers.DateField()
    sex = serializers.CharField()
    legal_status = serializers.CharField()
    legal_status_since = serializers.DateField(allow_null=True)
    responsible_authority = serializers.CharField()
    placement = PlacementSerializer(allow_null=True)
    allocated_worker = serializers.CharField(allow_null=True)
    team = serializers.CharField(allow_null=True)
    iro = serializers.CharField(allow_null=True)
    episodes = serializers.ListField(child=serializers.IntegerField())
    episodes_last_90_days = serializers.IntegerField()


class ChildListCreateView(HomewardAPIView):
    @extend_schema(request=ChildInputSerializer, responses={201: ChildOutputSerializer}, operation_id="child_create")
    def post(self, request: Request) -> Response:
        require(self.actor(request), Capability.CHILD_CREATE)
        serializer = ChildInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        child = child_create(actor=self.actor(request), **_inputs(serializer.validated_data))
        return Response(child_representation(child, self.actor(request)), status=status.HTTP_201_CREATED)


class ChildDetailView(HomewardAPIView):
    @extend_schema(responses={200: ChildOutputSerializer}, operation_id="child_get")
    def get(self, request: Request, child_id: int) -> Response:
        child = child_get_for_user(self.actor(request), child_id)
        return Response(child_representation(child, self.actor(request)))

    @extend_schema(request=ChildInputSerializer, responses={200: ChildOutputSerializer},
                   operation_id="child_update")
    def patch(self, request: Request, child_id: int) -> Response:
        child = child_get_for_user(self.actor(request), child_id, audit=False)
        require(self.actor(request), Capability.CHILD_UPDATE)
        serializer = ChildInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        child = child_update(actor=self.actor(request), child=child, **_inputs(serializer.validated_data))
        return Response(child_representation(child, self.actor(request)))
