"""Notifications: who was told of each event of an episode, how, and whether it got through."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from homeward.api.views import HomewardAPIView
from homeward.episodes.selectors import episode_get_for_user
from homeward.notifications.models import Channel, NotificationEvent, NotificationStatus
from homeward.notifications.selectors import notification_list_for_episode


class NotificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    event = serializers.ChoiceField(choices=NotificationEvent.choices)
    recipient_role = serializers.CharField(help_text="Stable code: allocated_social_worker, front_door, "
                                                     "team_manager, edt, mct, host_authority, placing_authority, "
                                                     "responsible_authority, iro, police, service_leader, "
                                                     "senior_on_duty, senior_assistant_director, "
                                                     "parental_responsibility, exploitation.")
    roles = serializers.ListField(child=serializers.CharField(),
                                  help_text="Every role this one message serves, the main one first.")
    recipient = serializers.CharField(help_text="The person's or the contact's name.")
    address = serializers.CharField(help_text="Where it was sent; blank when there was nowhere to send it.")
    channel = serializers.ChoiceField(choices=Channel.choices)
    reason = serializers.CharField(help_text="Why this recipient is told.")
    urgent = serializers.BooleanField(help_text="Sent marked urgent (a safeguarding concern shared at once).")
    attachment_version = serializers.IntegerField(
        source="attachment_version.number", allow_null=True, default=None,
        help_text="The authorised return interview version attached as a PDF (secure contact points only); "
                  "null when nothing is attached.")
    created_at = serializers.DateTimeField()
    status = serializers.ChoiceField(choices=NotificationStatus.choices)
    attempts = serializers.IntegerField()
    sent_at = serializers.DateTimeField(allow_null=True)
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    last_error = serializers.CharField()


class NotificationListSerializer(serializers.Serializer):
    notifications = NotificationSerializer(many=True)


class EpisodeNotificationsView(HomewardAPIView):
    @extend_schema(
        summary="Every notification an episode caused",
        description="Who was told of the report, the return and each escalation and sharing (DOMAIN.md "
                    "section 4: graded high, 72 hours missing, reclassified as missing, a safeguarding concern "
                    "or the authorised interview shared, parental responsibility, exploitation indicators), why, "
                    "by which channel, and whether it was delivered (`queued`, `sent`, `failed`).",
        responses=NotificationListSerializer,
    )
    def get(self, request: Request, episode_id: int) -> Response:
        actor = self.actor(request)
        episode = episode_get_for_user(actor, episode_id)
        rows = notification_list_for_episode(episode, user=actor)
        return Response({"notifications": NotificationSerializer(rows, many=True).data})
