"""Recording what the protocol asks: simple actions, strategy meetings, closing an episode."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from homeward.accounts.permissions import Capability, require
from homeward.api.views import HomewardAPIView
from homeward.episodes.selectors import episode_get_for_user
from homeward.episodes.services import ACTION_LABELS, episode_close, episode_record_action
from homeward.meetings.models import MeetingKind
from homeward.meetings.services import AgreedAction, strategy_meeting_record

from .episodes import EpisodeOutputSerializer, episode_representation
from .fields import AwareDateTimeField


class ActionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=sorted(ACTION_LABELS))
    at = AwareDateTimeField()
    note = serializers.CharField(required=False, allow_blank=True, default="")
    police_reference = serializers.CharField(required=False, allow_blank=True, default="", max_length=60)
    police_force = serializers.CharField(required=False, allow_blank=True, default="", max_length=60)


class ActionOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    action = serializers.CharField()
    at = serializers.DateTimeField()
    recorded_at = serializers.DateTimeField()
    note = serializers.CharField()


class MeetingActionSerializer(serializers.Serializer):
    owner = serializers.CharField(max_length=200)
    description = serializers.CharField()
    due = serializers.DateField(required=False, allow_null=True, default=None)


class MeetingSerializer(serializers.Serializer):
    held_at = AwareDateTimeField()
    kind = serializers.ChoiceField(choices=MeetingKind.choices, default=MeetingKind.MISSING_STRATEGY)
    attendees = serializers.ListField(child=serializers.CharField(max_length=200), allow_empty=False)
    decisions = serializers.CharField(required=False, allow_blank=True, default="")
    actions = MeetingActionSerializer(many=True, required=False, default=list)


class MeetingOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    held_at = serializers.DateTimeField()
    kind = serializers.CharField()
    attendees = serializers.ListField(child=serializers.CharField())
    decisions = serializers.CharField()
    actions = MeetingActionSerializer(many=True)


class CloseSerializer(serializers.Serializer):
    closed_at = AwareDateTimeField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ActionView(HomewardAPIView):
    @extend_schema(request=ActionSerializer, responses={201: ActionOutputSerializer}, operation_id="episode_action")
    def post(self, request: Request, episode_id: int) -> Response:
        actor = self.actor(request)
        episode = episode_get_for_user(actor, episode_id, audit=False)
        require(actor, Capability.EPISODE_RECORD_ACTION)
        serializer = ActionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        record = episode_record_action(actor=actor, episode=episode, **serializer.validated_data)
        return Response({"id": record.pk, "action": record.action, "at": record.at,
                         "recorded_at": record.recorded_at, "note": record.note}, status=status.HTTP_201_CREATED)


class StrategyMeetingView(HomewardAPIView):
    @extend_schema(request=MeetingSerializer, responses={201: MeetingOutputSerializer},
                   operation_id="episode_strategy_meeting")
    def post(self, request: Request, episode_id: int) -> Response:
        actor = self.actor(request)
        episode = episode_get_for_user(actor, episode_id, audit=False)
        require(actor, Capability.MEETING_RECORD)
        serializer = MeetingSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        meeting = strategy_meeting_record(
            actor=actor, episode=episode, held_at=data["held_at"], kind=data["kind"],
            attendees=data["attendees"], decisions=data["decisions"],
            actions=[AgreedAction(**item) for item in data["actions"]],
        )
        return Response({
            "id": meeting.pk, "held_at": meeting.held_at, "kind": meeting.kind, "attendees": meeting.attendees,
            "decisions": meeting.decisions,
            "actions": [{"owner": a.owner, "description": a.description, "due": a.due} for a in meeting.actions.all()],
        }, status=status.HTTP_201_CREATED)


class CloseView(HomewardAPIView):
    @extend_schema(request=CloseSerializer, responses={200: EpisodeOutputSerializer}, operation_id="episode_close")
    def post(self, request: Request, episode_id: int) -> Response:
        actor = self.actor(request)
        episode = episode_get_for_user(actor, episode_id, audit=False)
        require(actor, Capability.EPISODE_CLOSE)
        serializer = CloseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        episode = episode_close(actor=actor, episode=episode, **serializer.validated_data)
        return Response(episode_representation(episode))
