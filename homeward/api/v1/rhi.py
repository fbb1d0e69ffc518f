"""The return home interview's steps: allocation, offer, interview, authorisation, sharing."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from homeward.accounts.models import User
from homeward.accounts.permissions import Capability, may_record_interview, require
from homeward.api.views import HomewardAPIView
from homeward.casework.interviews import (
    SHARE_RECIPIENTS,
    InterviewRecord,
    rhi_allocate,
    rhi_amend,
    rhi_authorise,
    rhi_record_interview,
    rhi_record_offer,
    rhi_share,
)
from homeward.episodes.selectors import episode_get_for_user
from homeward.interviews.models import Method, OfferAnswer, Outcome
from homeward.interviews.selectors import rhi_practitioner_id, rhi_state

from .fields import AwareDateTimeField


class AllocationSerializer(serializers.Serializer):
    practitioner = serializers.CharField(help_text="Username of the practitioner.")
    allocated_at = AwareDateTimeField()
    exceptional = serializers.BooleanField(
        default=False, help_text="Another authority's child placed here with an immediate safeguarding need: "
                                 "the home authority conducts it, chargeable to the placing authority.")
    reason = serializers.CharField(required=False, allow_blank=True, default="",
                                   help_text="Why the interview is re-allocated, or why the child's own allocated "
                                             "social worker holds it (kept with the allocation).")
    at_child_request = serializers.BooleanField(
        default=False, help_text="The child asked for this person (needed for the child's IRO).")


class OfferSerializer(serializers.Serializer):
    offered_at = AwareDateTimeField()
    method = serializers.CharField(max_length=100)
    answer = serializers.ChoiceField(choices=OfferAnswer.choices, required=False, allow_blank=True, default="",
                                     help_text="The child's answer to this offer, where known.")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class InterviewSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    conducted_at = AwareDateTimeField()
    method = serializers.ChoiceField(choices=Method.choices, required=False, allow_blank=True, default="")
    seen_alone = serializers.BooleanField(required=False, allow_null=True, default=None)
    accompanied_by = serializers.CharField(required=False, allow_blank=True, default="")
    conducted_by = serializers.CharField(required=False, allow_blank=True, default="")
    push_factors = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    pull_factors = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    exploitation_indicators = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    referrals = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    reasons = serializers.CharField(required=False, allow_blank=True, default="")
    whereabouts = serializers.CharField(required=False, allow_blank=True, default="")
    harm = serializers.CharField(required=False, allow_blank=True, default="")
    health_concerns = serializers.CharField(required=False, allow_blank=True, default="")
    wishes_and_feelings = serializers.CharField(required=False, allow_blank=True, default="")
    actions = serializers.CharField(required=False, allow_blank=True, default="")
    carer_observations = serializers.CharField(required=False, allow_blank=True, default="")


class AmendmentSerializer(InterviewSerializer):
    amended_at = AwareDateTimeField()
    reason = serializers.CharField(help_text="Why the authorised interview is amended.")


class AuthorisationSerializer(serializers.Serializer):
    authorised_at = AwareDateTimeField()
    recommendations = serializers.CharField(required=False, allow_blank=True, default="")


class SharingSerializer(serializers.Serializer):
    shared_at = AwareDateTimeField()
    recipients = serializers.ListField(child=serializers.ChoiceField(choices=SHARE_RECIPIENTS), allow_empty=False)
    safeguarding_concern = serializers.BooleanField(default=False)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class RhiStateSerializer(serializers.Serializer):
    stage = serializers.CharField()
    practitioner = serializers.CharField(allow_null=True)
    allocated_at = serializers.DateTimeField(allow_null=True)
    offered_at = serializers.DateTimeField(allow_null=True)
    outcome = serializers.CharField(allow_null=True)
    conducted_at = serializers.DateTimeField(allow_null=True)
    authorised_at = serializers.DateTimeField(allow_null=True)
    shared_at = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField(allow_null=True, help_text="The authorised version everyone reads.")
    amendment_pending = serializers.BooleanField(help_text="An amendment awaits the co-ordinator's authorisation.")


class _RhiStepView(HomewardAPIView):
    serializer_class: type[serializers.Serializer] = serializers.Serializer
    capability = Capability.RHI_RECORD

    def perform(self, actor: User, episode: Any, data: dict[str, Any]) -> None:
        raise TypeError("each step defines perform")

    def post(self, request: Request, episode_id: int) -> Response:
        actor = self.actor(request)
        episode = episode_get_for_user(actor, episode_id, audit=False)
        if self.capability != Capability.RHI_RECORD or not may_record_interview(actor, rhi_practitioner_id(episode)):
            # The person the interview is allocated to records its steps whatever their role.
            require(actor, self.capability)
        serializer = self.serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform(actor, episode, dict(serializer.validated_data))
        return Response(rhi_state(episode), status=status.HTTP_201_CREATED)


@extend_schema_view(post=extend_schema(request=AllocationSerializer, responses={201: RhiStateSerializer},
                                        operation_id="rhi_allocate"))
class AllocationView(_RhiStepView):
    serializer_class = AllocationSerializer
    capability = Capability.RHI_ALLOCATE

    def perform(self, actor: User, episode: Any, data: dict[str, Any]) -> None:
        practitioner = User.objects.filter(username=data["practitioner"], is_active=True).first()
        rhi_allocate(actor=actor, episode=episode, practitioner=practitioner, allocated_at=data["allocated_at"],
                     exceptional=data["exceptional"], reason=data["reason"],
                     at_child_request=data["at_child_request"])


@extend_schema_view(post=extend_schema(request=OfferSerializer, responses={201: RhiStateSerializer},
                                        operation_id="rhi_offer"))
class OfferView(_RhiStepView):
    serializer_class = OfferSerializer

    def perform(self, actor: User, episode: Any, data: dict[str, Any]) -> None:
        rhi_record_offer(actor=actor, episode=episode, **data)


@extend_schema_view(post=extend_schema(request=InterviewSerializer, responses={201: RhiStateSerializer},
                                        operation_id="rhi_interview"))
class InterviewView(_RhiStepView):
    serializer_class = InterviewSerializer

    def perform(self, actor: User, episode: Any, data: dict[str, Any]) -> None:
        rhi_record_interview(actor=actor, episode=episode, record=InterviewRecord(**data))


@extend_schema_view(post=extend_schema(request=AmendmentSerializer, responses={201: RhiStateSerializer},
                                        operation_id="rhi_amend"))
class AmendmentView(_RhiStepView):
    """Amend an authorised interview: a new version, authorised again before anyone reads it."""

    serializer_class = AmendmentSerializer

    def perform(self, actor: User, episode: Any, data: dict[str, Any]) -> None:
        amended_at, reason = data.pop("amended_at"), data.pop("reason")
        rhi_amend(actor=actor, episode=episode, record=InterviewRecord(**data), amended_at=amended_at, reason=reason)


@extend_schema_view(post=extend_schema(request=AuthorisationSerializer, responses={201: RhiStateSerializer},
                                        operation_id="rhi_authorise"))
class AuthorisationView(_RhiStepView):
    serializer_class = AuthorisationSerializer
    capability = Capability.RHI_AUTHORISE

    def perform(self, actor: User, episode: Any, data: dict[str, Any]) -> None:
        rhi_authorise(actor=actor, episode=episode, **data)


@extend_schema_view(post=extend_schema(request=SharingSerializer, responses={201: RhiStateSerializer},
                                        operation_id="rhi_share"))
class SharingView(_RhiStepView):
    serializer_class = SharingSerializer
    capability = Capability.RHI_SHARE

    def perform(self, actor: User, episode: Any, data: dict[str, Any]) -> None:
        rhi_share(actor=actor, episode=episode, **data)
