"""Recording what the protocol asks: simple actions, strategy meetings, closing an episode."""

from __future__ import annotations

from typing import Any

from django.db.models import prefetch_related_objects
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from homeward.accounts.permissions import Capability, may_complete_meeting_action, require
from homeward.api.views import HomewardAPIView
from homeward.casework.episodes import episode_close, episode_record_action
from homeward.casework.meetings import AgreedAction, meeting_action_complete, strategy_meeting_record
from homeward.common.errors import PermissionDenied
from homeward.episodes.actions import ACTION_LABELS
from homeward.episodes.risk_analysis import risk_analysis_codes
from homeward.episodes.selectors import episode_get_for_user
from homeward.meetings.models import MeetingAction, MeetingKind, StrategyMeeting
from homeward.meetings.selectors import ACTIONS_PREFETCH, meeting_action_get_for_user, meeting_list_for_user

from .episodes import EpisodeOutputSerializer, episode_representation
from .fields import AwareDateTimeField


class ActionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=sorted(ACTION_LABELS))
    at = AwareDateTimeField()
    note = serializers.CharField(required=False, allow_blank=True, default="")
    police_reference = serializers.CharField(required=False, allow_blank=True, default="", max_length=60)
    police_force = serializers.CharField(required=False, allow_blank=True, default="", max_length=60)
    immediate_risks = serializers.ListField(
        child=serializers.CharField(max_length=60), required=False, default=list,
        help_text="risk_analysis only: codes of the `risks` list (seed 004's immediate risks).")
    push_factors = serializers.ListField(
        child=serializers.CharField(max_length=60), required=False, default=list,
        help_text="risk_analysis only: codes of the `push_factors` list.")
    pull_factors = serializers.ListField(
        child=serializers.CharField(max_length=60), required=False, default=list,
        help_text="risk_analysis only: codes of the `pull_factors` list.")


class ActionOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    action = serializers.CharField()
    at = serializers.DateTimeField()
    recorded_at = serializers.DateTimeField()
    note = serializers.CharField()
    immediate_risks = serializers.ListField(child=serializers.CharField())
    push_factors = serializers.ListField(child=serializers.CharField())
    pull_factors = serializers.ListField(child=serializers.CharField())


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


class MeetingActionOutputSerializer(serializers.Serializer):
    """Documents an agreed action as answered; built by meeting_action_representation."""

    id = serializers.IntegerField()
    owner = serializers.CharField()
    owner_user = serializers.CharField(
        allow_null=True, help_text="The username of the person the owner names, when it names one.")
    description = serializers.CharField()
    due = serializers.DateField(allow_null=True)
    done_at = serializers.DateTimeField(allow_null=True, help_text="When it was done; null while open.")
    done_recorded_at = serializers.DateTimeField(allow_null=True, help_text="When it was marked done.")
    done_by = serializers.CharField(allow_null=True, help_text="The username of the person who marked it done.")
    note = serializers.CharField(help_text="The note given when it was marked done.")


class MeetingOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    held_at = serializers.DateTimeField()
    kind = serializers.CharField()
    attendees = serializers.ListField(child=serializers.CharField())
    decisions = serializers.CharField()
    actions = MeetingActionOutputSerializer(many=True)


class MeetingActionDoneSerializer(serializers.Serializer):
    done_at = AwareDateTimeField(help_text="When the action was done.")
    note = serializers.CharField(required=False, allow_blank=True, default="")


def meeting_action_representation(action: MeetingAction) -> dict[str, Any]:
    return {
        "id": action.pk, "owner": action.owner,
        "owner_user": action.owner_user.username if action.owner_user else None,
        "description": action.description, "due": action.due, "done_at": action.done_at,
        "done_recorded_at": action.done_recorded_at,
        "done_by": action.done_by.username if action.done_by else None, "note": action.done_note,
    }


def meeting_representation(meeting: StrategyMeeting) -> dict[str, Any]:
    """The meeting as answered; its actions are prefetched (ACTIONS_PREFETCH), one query per list."""
    prefetch_related_objects([meeting], ACTIONS_PREFETCH)
    actions = meeting.actions.all()
    return {
        "id": meeting.pk, "held_at": meeting.held_at, "kind": meeting.kind, "attendees": meeting.attendees,
        "decisions": meeting.decisions, "actions": [meeting_action_representation(a) for a in actions],
    }


class CloseSerializer(serializers.Serializer):
    closed_at = AwareDateTimeField()
    note = serializers.CharField(required=False, allow_blank=True, default="")
    reason = serializers.CharField(
        required=False, allow_blank=True, default="",
        help_text="With duties still outstanding: a manager's reason (team manager, service leader, senior "
                  "manager or co-ordinator); those duties become not_done with it.")


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
                         "recorded_at": record.recorded_at, "note": record.note,
                         **risk_analysis_codes(record.detail)}, status=status.HTTP_201_CREATED)


class StrategyMeetingView(HomewardAPIView):
    @extend_schema(responses={200: MeetingOutputSerializer(many=True)}, operation_id="episode_strategy_meetings")
    def get(self, request: Request, episode_id: int) -> Response:
        """The episode's meetings, oldest first, each with its agreed actions and their ids."""
        actor = self.actor(request)
        episode = episode_get_for_user(actor, episode_id)
        meetings = meeting_list_for_user(actor).filter(episode=episode).order_by("held_at", "id")
        return Response([meeting_representation(meeting) for meeting in meetings])

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
        return Response(meeting_representation(meeting), status=status.HTTP_201_CREATED)


class MeetingActionDoneView(HomewardAPIView):
    @extend_schema(request=MeetingActionDoneSerializer, responses={200: MeetingActionOutputSerializer},
                   operation_id="episode_strategy_meeting_action_done")
    def post(self, request: Request, episode_id: int, meeting_id: int, action_id: int) -> Response:
        """Mark an action agreed at a strategy meeting as done (casework roles, or the person the
        action's owner names). 400 naming `action` when it is already done."""
        actor = self.actor(request)
        episode = episode_get_for_user(actor, episode_id, audit=False)
        action = meeting_action_get_for_user(actor, episode_id=episode.pk, meeting_id=meeting_id,
                                             action_id=action_id, audit=False)
        if not may_complete_meeting_action(actor, action.owner_user_id):
            raise PermissionDenied(f"The role {actor.role!r} may not mark this action done.")
        serializer = MeetingActionDoneSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        action = meeting_action_complete(actor=actor, action=action, **serializer.validated_data)
        return Response(meeting_action_representation(action))


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
