"""The authority exchange over HTTP (docs/exchange.md): the inbox other authorities' Homeward
post signed messages to, the keys this installation signs with, an episode's messages, and
the messages held for matching."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from homeward.api.errors import problem
from homeward.api.views import HomewardAPIView
from homeward.common.errors import DomainValidationError
from homeward.episodes.selectors import episode_get_for_user
from homeward.exchange.models import IncomingMessage, IncomingStatus, MessageType
from homeward.exchange.selectors import (
    exchange_held_for_user,
    exchange_message_for_user,
    exchange_messages_for_episode,
)
from homeward.exchange.services import exchange_match, exchange_receive
from homeward.exchange.signing import published_keys


class InboxSerializer(serializers.Serializer):
    jws = serializers.CharField(max_length=200_000, help_text="The signed message, JWS compact serialisation.")


class AcknowledgementSerializer(serializers.Serializer):
    acknowledgement = serializers.CharField(help_text="The signed acknowledgement (JWS); it alone is authoritative.")
    in_reply_to = serializers.CharField()
    status = serializers.ChoiceField(choices=IncomingStatus.choices)
    note = serializers.CharField()


class JwkSerializer(serializers.Serializer):
    kty = serializers.CharField()
    crv = serializers.CharField()
    x = serializers.CharField()
    kid = serializers.CharField()
    use = serializers.CharField()
    alg = serializers.CharField()


class JwksSerializer(serializers.Serializer):
    keys = JwkSerializer(many=True)


class InboxView(HomewardAPIView):
    """Signed by the sending authority's key: the signature is the credential, not a token."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Receive a signed message from another authority's Homeward",
        description="A message of docs/exchange.md (missing, found, return interview offered or outcome, or "
                    "the follow-up acknowledgement of a message of ours it first held, which replaces that "
                    "`held` answer), signed with the sending authority's published key. 202 with the signed "
                    "acknowledgement: "
                    "`recorded` on our child's episode, or `held` for the MCT to match. The same message again "
                    "(same id, signed afresh) gets the same acknowledgement and changes nothing. 400 naming the "
                    "problem, with nothing stored, for a message that is not a JWS, not from a partner, forged "
                    "or altered (the signature does not verify), replayed (the same token again, or signed "
                    "too long ago), or malformed.",
        request=InboxSerializer, auth=[],
        responses={202: AcknowledgementSerializer},
    )
    def post(self, request: Request) -> Response:
        body = InboxSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            receipt = exchange_receive(token=body.validated_data["jws"])
        except DomainValidationError as exc:
            return problem(400, "Message refused", "Nothing was stored.",
                           [{"field": e.field, "message": e.message} for e in exc.errors])
        message = receipt.message
        return Response({"acknowledgement": message.acknowledgement_jws, "in_reply_to": str(message.message_id),
                         "status": message.acknowledgement.get("status", message.status),
                         "note": message.acknowledgement.get("note", "")}, status=status.HTTP_202_ACCEPTED)


class KeysView(HomewardAPIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(summary="The public keys this Homeward signs exchange messages with (a JWK Set)",
                   auth=[], responses=JwksSerializer)
    def get(self, request: Request) -> Response:
        return Response(published_keys())


class ExchangeRowSerializer(serializers.Serializer):
    direction = serializers.ChoiceField(choices=["sent", "received"])
    message_id = serializers.CharField()
    type = serializers.ChoiceField(choices=MessageType.choices)
    authority = serializers.CharField(help_text="The other authority's LA code.")
    at = serializers.DateTimeField(help_text="Acknowledged or received; when queued for one not yet acknowledged.")
    status = serializers.CharField(help_text="Sent: queued, acknowledged, rejected, failed. Received: recorded, held.")
    attempts = serializers.IntegerField()
    detail = serializers.CharField(help_text="The acknowledgement, the last error, or what was recorded.")


class EpisodeExchangeSerializer(serializers.Serializer):
    messages = ExchangeRowSerializer(many=True)


class EpisodeExchangeView(HomewardAPIView):
    @extend_schema(summary="Every exchange message sent about an episode or received onto it, and its state",
                   responses=EpisodeExchangeSerializer)
    def get(self, request: Request, episode_id: int) -> Response:
        episode = episode_get_for_user(self.actor(request), episode_id)
        rows = exchange_messages_for_episode(episode)
        return Response({"messages": ExchangeRowSerializer(rows, many=True).data})


class HeldMessageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    sender = serializers.CharField(source="sender.code")
    type = serializers.ChoiceField(choices=MessageType.choices)
    received_at = serializers.DateTimeField()
    status = serializers.ChoiceField(choices=IncomingStatus.choices)
    reason = serializers.CharField()
    child = serializers.IntegerField(source="child_id", allow_null=True)
    episode = serializers.IntegerField(source="episode_id", allow_null=True)
    body = serializers.JSONField(help_text="The message as verified (docs/exchange.md).")


class HeldListSerializer(serializers.Serializer):
    messages = HeldMessageSerializer(many=True)


class HeldView(HomewardAPIView):
    @extend_schema(summary="Exchange messages held for matching to a child (MCT and co-ordinator)",
                   responses=HeldListSerializer)
    def get(self, request: Request) -> Response:
        held = exchange_held_for_user(self.actor(request))
        return Response({"messages": HeldMessageSerializer(held, many=True).data})


class MatchSerializer(serializers.Serializer):
    child = serializers.IntegerField(min_value=1, max_value=2147483647)


class MatchView(HomewardAPIView):
    @extend_schema(summary="Say which child a held exchange message is about; it is then recorded",
                   request=MatchSerializer, responses=HeldMessageSerializer)
    def post(self, request: Request, message_id: int) -> Response:
        actor = self.actor(request)
        message: IncomingMessage = exchange_message_for_user(actor, message_id)
        body = MatchSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        message = exchange_match(actor=actor, message=message, child_id=body.validated_data["child"])
        return Response(HeldMessageSerializer(message).data)
